"""Features of (context, candidate) pairs, as one numeric row per candidate.

All decayed counts are brought to their value "now" and log-compressed; several are also
given relative to the strongest candidate of the pool, because what matters for ranking is
how a candidate compares with the others shown beside it.
"""

from __future__ import annotations

import math

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
    Context,
)
from tidings.ranking.state import RankingState

FEATURE_NAMES = (
    "after_last",
    "after_last_share",
    "after_last_vs_best",
    "near_last",
    "near_last_vs_best",
    "after_session",
    "near_session",
    "near_reader",
    "reverse_after",
    "after_recent",
    "after_recent_share",
    "after_recent_vs_best",
    "popularity_short",
    "popularity_medium",
    "popularity_long",
    "popularity_short_vs_best",
    "age_hours",
    "minutes_since_last_click",
    "trending",
    "fresh",
    "read_by_reader",
    "session_length",
    "last_click_out_strength",
    "last_click_popularity",
    "last_click_age_hours",
    "last_click_recent_out_strength",
)


def features_build(*, state: RankingState, context: Context, pool: CandidatePool) -> np.ndarray:
    """A float32 matrix, one row per candidate, columns as in FEATURE_NAMES."""
    n = len(pool.codes)
    now = context.now
    signals = np.asarray(pool.signals, dtype=np.float64).reshape(n, SOURCES + 1)
    tscale = state.transition_scale(now=now)
    columns: list[np.ndarray] = []
    columns.extend(_session_columns(state, context, pool, signals, tscale))
    columns.extend(_popularity_columns(state, pool, now))
    sources = signals[:, SOURCES].astype(np.int64)
    columns.append(((sources & FROM_TRENDING) > 0).astype(np.float64))
    columns.append(((sources & FROM_FRESH) > 0).astype(np.float64))
    read = set(context.reader_codes)
    columns.append(np.array([code in read for code in pool.codes], dtype=np.float64))
    for value in _context_values(state, context, tscale):
        columns.append(np.full(n, value))
    return np.column_stack(columns).astype(np.float32) if n else _empty()


def _empty() -> np.ndarray:
    return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)


def _session_columns(
    state: RankingState,
    context: Context,
    pool: CandidatePool,
    signals: np.ndarray,
    tscale: float,
) -> list[np.ndarray]:
    after_last = signals[:, AFTER_LAST] * tscale
    near_last = signals[:, NEAR_LAST] * tscale
    rscale = state.recent_transition_scale(now=context.now)
    after_recent = signals[:, AFTER_RECENT] * rscale
    if context.session_codes:
        last = context.session_codes[-1]
        total = state.after_total[last] * tscale
        recent_total = state.after_recent_total[last] * rscale
        reverse = [state.after[code].get(last, 0.0) for code in pool.codes]
    else:
        total, recent_total, reverse = 0.0, 0.0, [0.0] * len(pool.codes)
    return [
        np.log1p(after_last),
        after_last / total if total > 0 else np.zeros_like(after_last),
        _vs_best(after_last),
        np.log1p(near_last),
        _vs_best(near_last),
        np.log1p(signals[:, AFTER_SESSION] * tscale),
        np.log1p(signals[:, NEAR_SESSION] * tscale),
        np.log1p(signals[:, NEAR_READER] * tscale),
        np.log1p(np.asarray(reverse, dtype=np.float64) * tscale),
        np.log1p(after_recent),
        after_recent / recent_total if recent_total > 0 else np.zeros_like(after_recent),
        _vs_best(after_recent),
    ]


def _popularity_columns(state: RankingState, pool: CandidatePool, now: float) -> list[np.ndarray]:
    codes = pool.codes
    log_clicks = np.log(np.array([state.clicks[code] for code in codes], dtype=np.float64))
    columns = []
    for which, counts in enumerate(state.popularity):
        decay = state.popularity_decay(which=which, now=now)
        log_count = np.array([counts[code] for code in codes], dtype=np.float64) - decay
        columns.append(np.exp(np.minimum(log_count, log_clicks)))
    first_seen = np.array([state.first_seen[code] for code in codes])
    last_seen = np.array([state.last_seen[code] for code in codes])
    return [
        *(np.log1p(column) for column in columns),
        _vs_best(columns[0]),
        np.log1p(np.maximum(now - first_seen, 0.0) / 3600.0),
        np.log1p(np.maximum(now - last_seen, 0.0) / 60.0),
    ]


def _vs_best(values: np.ndarray) -> np.ndarray:
    best = values.max() if len(values) else 0.0
    return values / best if best > 0 else np.zeros_like(values)


def _context_values(state: RankingState, context: Context, tscale: float) -> list[float]:
    if not context.session_codes:
        return [0.0, 0.0, 0.0, -1.0, 0.0]
    last = context.session_codes[-1]
    popularity = state.popularity_now(code=last, which=0, now=context.now)
    age_hours = max(context.now - state.first_seen[last], 0.0) / 3600.0
    return [
        math.log1p(len(context.session_codes)),
        math.log1p(state.after_total[last] * tscale),
        math.log1p(popularity),
        math.log1p(age_hours),
        math.log1p(state.after_recent_total[last] * state.recent_transition_scale(now=context.now)),
    ]
