"""Candidate generation: a bounded pool of articles worth scoring for one reader and moment.

Sources, each with the raw signal it contributes (kept for the features and the reasons):
what readers opened right after the session's last click, articles co-read with the last
few clicks of the session, articles co-read with the reader's earlier reads, trending
articles (decayed popularity at each half-life) and the freshest articles.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from operator import itemgetter

from tidings.ranking.events import Id
from tidings.ranking.state import RankingState

# Per-candidate signal slots.
AFTER_LAST, NEAR_LAST, AFTER_SESSION, NEAR_SESSION, NEAR_READER, AFTER_RECENT, SOURCES = range(7)
# Source bits.
FROM_TRENDING, FROM_FRESH = 1, 2
EARLIER_SESSION_CLICKS = 3
READER_NEIGHBOURS_FROM = 3
# How many of each neighbour list enter the pool: the scorer's cost grows with the pool.
FROM_LAST, FROM_SESSION, FROM_READER = 30, 12, 8


@dataclass(frozen=True, slots=True)
class Context:
    """Who is reading, in which session, and when; codes are the state's article codes."""

    reader_id: Id | None
    session_id: Id | None
    now: float
    session_codes: tuple[int, ...]
    reader_codes: tuple[int, ...]


@dataclass(slots=True)
class CandidatePool:
    codes: list[int]
    signals: list[list[float]]


def context_for(
    *, state: RankingState, reader_id: Id | None, session_id: Id | None, now: float
) -> Context:
    """The session's recent clicks and the reader's reads from earlier sessions."""
    trail = state.trail_of(session_id) if session_id is not None else None
    session_codes = tuple(trail.codes) if trail else ()
    history = state.reader_codes(reader_id) if reader_id is not None else None
    in_session = set(session_codes)
    reader_codes = tuple(c for c in history if c not in in_session) if history else ()
    return Context(reader_id, session_id, now, session_codes, reader_codes)


def candidates_gather(
    *, state: RankingState, context: Context, exclude_session_reads: bool = True
) -> CandidatePool:
    """Union of all sources; the session's last click is never a candidate."""
    pool: dict[int, list[float]] = {}
    codes = context.session_codes
    if codes:
        _add(pool, state.after[codes[-1]], AFTER_LAST, 1.0, FROM_LAST)
        _add(pool, state.near[codes[-1]], NEAR_LAST, 1.0, FROM_LAST)
        _add(pool, state.after_recent[codes[-1]], AFTER_RECENT, 1.0, FROM_LAST)
        for distance, code in enumerate(reversed(codes[-1 - EARLIER_SESSION_CLICKS : -1])):
            credit = 1.0 / (1 + distance)
            _add(pool, state.after[code], AFTER_SESSION, credit, FROM_SESSION)
            _add(pool, state.near[code], NEAR_SESSION, credit, FROM_SESSION)
    for distance, code in enumerate(reversed(context.reader_codes[-READER_NEIGHBOURS_FROM:])):
        _add(pool, state.near[code], NEAR_READER, 1.0 / (1 + distance), FROM_READER)
    for trending in state.trending:
        _flag(pool, trending, FROM_TRENDING)
    _flag(pool, state.fresh, FROM_FRESH)
    if codes:
        pool.pop(codes[-1], None)
        if exclude_session_reads:
            for code in codes:
                pool.pop(code, None)
    return CandidatePool(codes=list(pool), signals=list(pool.values()))


def _add(
    pool: dict[int, list[float]], neighbours: dict[int, float], slot: int, w: float, limit: int
) -> None:
    strongest = (
        heapq.nlargest(limit, neighbours.items(), key=itemgetter(1))
        if len(neighbours) > limit
        else neighbours.items()
    )
    for code, weight in strongest:
        signals = pool.get(code)
        if signals is None:
            signals = pool[code] = [0.0] * 7
        signals[slot] += weight * w


def _flag(pool: dict[int, list[float]], codes: object, bit: int) -> None:
    for code in codes:  # type: ignore[attr-defined]
        signals = pool.get(code)
        if signals is None:
            signals = pool[code] = [0.0] * 7
        signals[SOURCES] = float(int(signals[SOURCES]) | bit)
