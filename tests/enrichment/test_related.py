"""Related articles: content, names, topics and the story cluster; one slot per story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from tidings.enrichment.near_duplicates import signature
from tidings.enrichment.related import related_articles, related_scores
from tidings.enrichment.types import RelatedDoc

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
CALL = (
    "Chinese President Xi Jinping and Russian President Vladimir Putin held a video call on "
    "Monday and discussed the war in Ukraine, trade and energy supplies, the Kremlin said."
)


def doc(article_id: int, text: str, **fields) -> RelatedDoc:
    fields.setdefault("published_at", NOW)
    return RelatedDoc(id=article_id, headline="", text=text, **fields)


ARTICLE = doc(1, CALL, topics=frozenset({"xi-jinping", "vladimir-putin"}), story_id=7)
FOLLOW_UP = doc(
    2,
    "Beijing said Xi Jinping told Vladimir Putin that China wants peace talks over Ukraine.",
    topics=frozenset({"xi-jinping", "vladimir-putin", "ukraine"}),
    story_id=7,
)
SAME_THEME = doc(
    3,
    "Energy ministers met in Vienna to discuss oil supplies and trade in the coming winter.",
    topics=frozenset({"energy"}),
)
UNRELATED = doc(4, "The striker scored twice as the home team won the cup final on Saturday.")


def test_scores_lie_in_unit_interval_and_order_by_relatedness() -> None:
    scores = related_scores(article=ARTICLE, candidates=[FOLLOW_UP, SAME_THEME, UNRELATED])
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores[0] > scores[1] > scores[2]


def test_article_itself_and_its_syndicated_copies_are_never_related() -> None:
    """A re-published agency copy is the same story: it must not fill a "Read more" slot."""
    original = doc(1, CALL, signature=signature(text=CALL))
    copy = doc(5, CALL + " Reuters", signature=signature(text=CALL + " Reuters"))
    other = doc(6, FOLLOW_UP.text, signature=signature(text=FOLLOW_UP.text))
    hits = related_articles(article=original, candidates=[original, copy, other], k=5)
    assert [hit[0] for hit in hits] == [6]


def test_near_duplicate_candidates_are_collapsed_to_one() -> None:
    text = FOLLOW_UP.text
    first = doc(10, text, signature=signature(text=text), published_at=NOW)
    second = doc(11, text + " AFP", signature=signature(text=text + " AFP"))
    hits = related_articles(article=ARTICLE, candidates=[first, second, SAME_THEME], k=5)
    ids = [hit[0] for hit in hits]
    assert len({10, 11} & set(ids)) == 1
    assert 3 in ids


def test_newest_first_among_equals() -> None:
    """Equal scores (an undated article gives no time nudge) are ordered newest first."""
    undated = doc(1, CALL, published_at=None)
    older = doc(20, SAME_THEME.text, published_at=NOW - timedelta(days=3))
    newest = doc(21, SAME_THEME.text, published_at=NOW - timedelta(days=1))
    twin = doc(22, SAME_THEME.text, published_at=NOW - timedelta(days=3))
    hits = related_articles(article=undated, candidates=[older, twin, newest], k=3)
    assert hits[0][1] == hits[1][1] == hits[2][1]
    assert [hit[0] for hit in hits] == [21, 20, 22]


def test_same_story_cluster_and_shared_topics_raise_the_score() -> None:
    plain = doc(30, SAME_THEME.text)
    in_story = doc(31, SAME_THEME.text, story_id=7, topics=frozenset({"xi-jinping"}))
    scores = related_scores(article=ARTICLE, candidates=[plain, in_story])
    assert scores[1] > scores[0] + 0.1


def test_k_limits_results_and_empty_pool_gives_nothing() -> None:
    pool = [FOLLOW_UP, SAME_THEME, UNRELATED]
    assert len(related_articles(article=ARTICLE, candidates=pool, k=2)) == 2
    assert related_articles(article=ARTICLE, candidates=[], k=3) == []
    assert related_articles(article=ARTICLE, candidates=pool, k=0) == []


def test_stored_meanings_blend_into_the_wording_score() -> None:
    """Stored word-embedding vectors are used instead of embedding the text again."""
    pool = [FOLLOW_UP, SAME_THEME]
    alike = {1: np.array([1.0, 0.0]), 2: np.array([0.0, 1.0]), 3: np.array([1.0, 0.0])}
    without = related_scores(article=ARTICLE, candidates=pool)
    with_vectors = related_scores(article=ARTICLE, candidates=pool, meanings=alike)
    assert with_vectors[1] > without[1]
    assert with_vectors[0] < without[0]
    assert all(0.0 <= score <= 1.0 for score in with_vectors)
