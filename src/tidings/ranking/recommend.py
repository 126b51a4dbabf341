"""The ranker: candidates → features → learned score → diversity → an explanation per item.

`recommend` answers one request. The replay scores many pools at once with the same
functions (`pool_for` before the click, `pool_rank` afterwards), because scoring is a pure
function of the features and batching it only saves interpreter overhead.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from tidings.ranking.candidates import (
    AFTER_LAST,
    AFTER_RECENT,
    AFTER_SESSION,
    FROM_FRESH,
    FROM_TRENDING,
    NEAR_LAST,
    NEAR_READER,
    NEAR_SESSION,
    SOURCES,
    CandidatePool,
    candidates_gather,
    context_for,
)
from tidings.ranking.events import Id
from tidings.ranking.features import features_build
from tidings.ranking.model import DefaultScorer, Scorer
from tidings.ranking.state import RankingState

REASONS = ("continues_session", "co_read", "similar_to_read", "followed_topic", "trending", "fresh")
ClusterOf = Callable[[Id], Hashable | None]


@dataclass(frozen=True, slots=True)
class Recommendation:
    article_id: Id
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Diversity:
    """Optional hooks: ids-only logs have no story clusters or topics, so both may be None."""

    story_cluster_of: ClusterOf | None = None
    topic_of: ClusterOf | None = None
    max_per_topic: int = 3


def recommend(
    *,
    state: RankingState,
    reader: Id | None,
    session: Id | None,
    k: int,
    now: float,
    scorer: Scorer | None = None,
    diversity: Diversity | None = None,
    exclude_session_reads: bool = True,
) -> list[Recommendation]:
    """The top-k articles for this reader and session at `now`, each with its reason."""
    pool, features = pool_for(
        state=state,
        reader=reader,
        session=session,
        now=now,
        exclude_session_reads=exclude_session_reads,
    )
    scores = (scorer or DefaultScorer()).score(features)
    return pool_rank(state=state, pool=pool, scores=scores, k=k, diversity=diversity)


def pool_for(
    *,
    state: RankingState,
    reader: Id | None,
    session: Id | None,
    now: float,
    exclude_session_reads: bool = True,
) -> tuple[CandidatePool, np.ndarray]:
    """The candidate pool and its feature matrix, from the state as it is now."""
    context = context_for(state=state, reader_id=reader, session_id=session, now=now)
    pool = candidates_gather(
        state=state, context=context, exclude_session_reads=exclude_session_reads
    )
    return pool, features_build(state=state, context=context, pool=pool)


def pool_rank(
    *,
    state: RankingState,
    pool: CandidatePool,
    scores: np.ndarray,
    k: int,
    diversity: Diversity | None = None,
) -> list[Recommendation]:
    """Best first; diversity only reorders when its hooks know something."""
    order: Sequence[int] = np.argsort(-scores, kind="stable").tolist()
    if diversity is not None and (diversity.story_cluster_of or diversity.topic_of):
        order = _diversify(state, pool, order, k, diversity)
    return [
        Recommendation(
            article_id=state.article_ids[pool.codes[i]],
            score=float(scores[i]),
            reason=reason_for(pool.signals[i]),
        )
        for i in order[:k]
    ]


def reason_for(signals: list[float]) -> str:
    """The source that put the candidate in the pool, strongest evidence first."""
    if signals[AFTER_LAST] > 0 or signals[AFTER_RECENT] > 0:
        return "continues_session"
    if signals[NEAR_LAST] > 0 or signals[AFTER_SESSION] > 0 or signals[NEAR_SESSION] > 0:
        return "co_read"
    if signals[NEAR_READER] > 0:
        return "similar_to_read"
    sources = int(signals[SOURCES])
    if sources & FROM_TRENDING:
        return "trending"
    if sources & FROM_FRESH:
        return "fresh"
    return "trending"


def _diversify(
    state: RankingState, pool: CandidatePool, order: Sequence[int], k: int, diversity: Diversity
) -> list[int]:
    """One article per story cluster, at most `max_per_topic` per topic; the rest after."""
    chosen: list[int] = []
    held_back: list[int] = []
    clusters: set[Hashable] = set()
    topics: dict[Hashable, int] = {}
    for i in order:
        article_id = state.article_ids[pool.codes[i]]
        cluster = diversity.story_cluster_of(article_id) if diversity.story_cluster_of else None
        topic = diversity.topic_of(article_id) if diversity.topic_of else None
        if (cluster is not None and cluster in clusters) or (
            topic is not None and topics.get(topic, 0) >= diversity.max_per_topic
        ):
            held_back.append(i)
            continue
        chosen.append(i)
        if cluster is not None:
            clusters.add(cluster)
        if topic is not None:
            topics[topic] = topics.get(topic, 0) + 1
        if len(chosen) == k:
            break
    return chosen + held_back
