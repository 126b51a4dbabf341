"""Related articles ("Read more"): the most related others, never the same story twice.

The score is meant to track how similar a reader would call two articles (0 = unrelated,
1 = the same story), so it blends what raters are known to weigh:

- wording: half the TF-IDF cosine of the two texts (IDF from the candidate pool: the exact
  words), half the cosine of their word-embedding vectors (`WordEmbeddingVectoriser`: what the
  words mean, so "quake" meets "earthquake" and "Sydney" meets "Australia"). Against the
  human ratings of the Lee news-similarity corpus TF-IDF alone reaches Pearson 0.59, the
  embeddings alone 0.68, the blend 0.72 (bench/README.md);
- names: cosine of the rarity-weighted story markers (people, places, organisations and
  figures). Shared people and events are what raters notice first;
- shared topics (Jaccard) and the same story cluster, which editors and the clusterer know
  and the text may only hint at;
- time proximity, a small nudge: coverage of one moment reads as more alike.

Near-duplicates (MinHash estimate at or above `duplicate_threshold`) of the article or of a
candidate already chosen are dropped, so a syndicated copy never fills two slots. Among
equal scores the newest comes first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from tidings.enrichment.near_duplicates import estimated_jaccard
from tidings.enrichment.types import RelatedDoc
from tidings.enrichment.vectors import (
    content_terms,
    normalise_rows,
    story_markers,
    word_embeddings,
)

# A story's words and names, remembered by its text: the same stories come back as candidates
# for one article after another, and these two are most of a request's work (76 ms → 14 ms
# for a 60-story pool). 512 stories: ~10 MB at typical lengths, ~35 MB at 6,000 characters.
_terms = lru_cache(maxsize=512)(content_terms)
_markers = lru_cache(maxsize=512)(lambda text: frozenset(story_markers(text)))

WEIGHTS = {"wording": 0.62, "names": 0.14, "topics": 0.10, "story": 0.10, "time": 0.04}
DUPLICATE_THRESHOLD = 0.7
MEANING_SHARE = 0.5
TIME_SCALE_DAYS = 7.0


def related_articles(
    *,
    article: RelatedDoc,
    candidates: Sequence[RelatedDoc],
    k: int,
    meanings: Mapping[int, np.ndarray] | None = None,
) -> list[tuple[int, float]]:
    """The `k` most related candidates as (id, score in [0, 1]), best first.

    `meanings` are stored word-embedding vectors by id; the missing ones are computed."""
    pool = [c for c in candidates if c.id != article.id and not _duplicate(article, c)]
    if not pool or k <= 0:
        return []
    scores = related_scores(article=article, candidates=pool, meanings=meanings)
    ranked = sorted(
        zip(pool, scores, strict=True),
        key=lambda pair: (-round(pair[1], 6), -_timestamp(pair[0].published_at), pair[0].id),
    )
    chosen: list[tuple[RelatedDoc, float]] = []
    for candidate, score in ranked:
        if not any(_duplicate(candidate, kept) for kept, _ in chosen):
            chosen.append((candidate, score))
        if len(chosen) == k:
            break
    return [(candidate.id, score) for candidate, score in chosen]


def related_scores(
    *,
    article: RelatedDoc,
    candidates: Sequence[RelatedDoc],
    meanings: Mapping[int, np.ndarray] | None = None,
) -> list[float]:
    """The similarity score of `article` with each candidate, in candidate order."""
    wording = _wording(article, candidates, meanings or {})
    names = _names(article, candidates)
    return [
        _blend(article, candidate, float(wording[i]), float(names[i]))
        for i, candidate in enumerate(candidates)
    ]


def _blend(article: RelatedDoc, candidate: RelatedDoc, wording: float, names: float) -> float:
    parts = {
        "wording": max(0.0, wording),
        "names": max(0.0, names),
        "topics": _jaccard(article.topics, candidate.topics),
        "story": float(article.story_id is not None and article.story_id == candidate.story_id),
        "time": _closeness(article.published_at, candidate.published_at),
    }
    return min(1.0, sum(WEIGHTS[name] * value for name, value in parts.items()))


def _text(doc: RelatedDoc) -> str:
    return f"{doc.headline}\n{doc.text}"


def _wording(
    article: RelatedDoc, candidates: Sequence[RelatedDoc], meanings: Mapping[int, np.ndarray]
) -> np.ndarray:
    """TF-IDF cosine over the pool blended with the word-embedding cosine: the exact words
    carry names and events, the embeddings the synonyms and the subject the words only
    circle (+0.13 Pearson on the Lee ratings over TF-IDF alone)."""
    docs = [article, *candidates]
    missing = [doc for doc in docs if doc.id not in meanings]
    known = dict(meanings)
    if missing:
        embedded = word_embeddings().transform([_text(doc) for doc in missing])
        known.update(zip((doc.id for doc in missing), embedded, strict=True))
    rows = normalise_rows(np.vstack([known[doc.id] for doc in docs]))
    meaning = np.clip(rows[1:] @ rows[0], 0.0, 1.0)
    return (1.0 - MEANING_SHARE) * _tfidf_cosines(article, candidates) + MEANING_SHARE * meaning


def _tfidf_cosines(article: RelatedDoc, candidates: Sequence[RelatedDoc]) -> np.ndarray:
    texts = [_text(article)] + [_text(c) for c in candidates]
    tfidf = TfidfVectorizer(
        tokenizer=_terms, lowercase=False, token_pattern=None, sublinear_tf=True
    )
    try:
        matrix = tfidf.fit_transform(texts)
    except ValueError:  # no content words anywhere (empty texts)
        return np.zeros(len(candidates))
    return (matrix[1:] @ matrix[0].T).toarray().ravel()


def _names(article: RelatedDoc, candidates: Sequence[RelatedDoc]) -> list[float]:
    marker_sets = [_markers(_text(article))] + [_markers(_text(c)) for c in candidates]
    counts: dict[str, int] = {}
    for markers in marker_sets:
        for marker in markers:
            counts[marker] = counts.get(marker, 0) + 1
    total = len(marker_sets)
    weight = {m: math.log((1 + total) / (1 + n)) + 1.0 for m, n in counts.items()}
    first = marker_sets[0]
    first_norm = math.sqrt(sum(weight[m] ** 2 for m in first))
    scores = []
    for markers in marker_sets[1:]:
        norm = first_norm * math.sqrt(sum(weight[m] ** 2 for m in markers))
        shared = sum(weight[m] ** 2 for m in first & markers)
        scores.append(shared / norm if norm else 0.0)
    return scores


def _jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def _closeness(first: datetime | None, second: datetime | None) -> float:
    if first is None or second is None:
        return 0.0
    days = abs((first - second).total_seconds()) / 86_400
    return math.exp(-days / TIME_SCALE_DAYS)


def _duplicate(first: RelatedDoc, second: RelatedDoc) -> bool:
    if first.signature is None or second.signature is None:
        return False
    return estimated_jaccard(first.signature, second.signature) >= DUPLICATE_THRESHOLD


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment else float("-inf")
