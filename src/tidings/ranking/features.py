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
    "after_recent",
    "after_recent_share",
    "after_recent_vs_best",
    "lift_after_recent",
    "near_last",
    "near_last_vs_best",
    "after_session",
    "near_session",
    "near_reader",
    "reverse_after",
    "popularity_short",
    "popularity_medium",
    "popularity_long",
    "popularity_short_vs_best",
    "burst",
    "age_hours",
    "minutes_since_last_click",
    "trending",
    "fresh",
    "read_by_reader",
    "session_length",
    "last_click_out_strength",
    "last_click_recent_out_strength",
    "last_click_popularity",
    "last_click_age_hours",
)
Columns = dict[str, np.ndarray]


def features_build(*, state: RankingState, context: Context, pool: CandidatePool) -> np.ndarray:
    """A float32 matrix, one row per candidate, columns as in FEATURE_NAMES."""
    n = len(pool.codes)
    if not n:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    signals = np.asarray(pool.signals, dtype=np.float64).reshape(n, SOURCES + 1)
    columns: Columns = {}
    columns.update(_session_columns(state, context, pool, signals))
    columns.update(_popularity_columns(state, pool, context.now))
    # How much more often readers go from the last click to a candidate than anywhere.
    columns["lift_after_recent"] = columns["after_recent"] - columns["popularity_medium"]
    columns["burst"] = columns["popularity_short"] - columns["popularity_long"]
    sources = signals[:, SOURCES].astype(np.int64)
    columns["trending"] = ((sources & FROM_TRENDING) > 0).astype(np.float64)
    columns["fresh"] = ((sources & FROM_FRESH) > 0).astype(np.float64)
    read = set(context.reader_codes)
    columns["read_by_reader"] = np.array([code in read for code in pool.codes], dtype=float)
    for name, value in _context_values(state, context).items():
        columns[name] = np.full(n, value)
    return np.column_stack([columns[name] for name in FEATURE_NAMES]).astype(np.float32)


def _session_columns(
    state: RankingState, context: Context, pool: CandidatePool, signals: np.ndarray
) -> Columns:
    tscale = state.transition_scale(now=context.now)
    rscale = state.recent_transition_scale(now=context.now)
    after_last = signals[:, AFTER_LAST] * tscale
    after_recent = signals[:, AFTER_RECENT] * rscale
    near_last = signals[:, NEAR_LAST] * tscale
    total, recent_total, reverse = 0.0, 0.0, [0.0] * len(pool.codes)
    if context.session_codes:
        last = context.session_codes[-1]
        total = state.after_total[last] * tscale
        recent_total = state.after_recent_total[last] * rscale
        reverse = [state.after[code].get(last, 0.0) for code in pool.codes]
    return {
        "after_last": np.log1p(after_last),
        "after_last_share": _share(after_last, total),
        "after_last_vs_best": _vs_best(after_last),
        "after_recent": np.log1p(after_recent),
        "after_recent_share": _share(after_recent, recent_total),
        "after_recent_vs_best": _vs_best(after_recent),
        "near_last": np.log1p(near_last),
        "near_last_vs_best": _vs_best(near_last),
        "after_session": np.log1p(signals[:, AFTER_SESSION] * tscale),
        "near_session": np.log1p(signals[:, NEAR_SESSION] * tscale),
        "near_reader": np.log1p(signals[:, NEAR_READER] * tscale),
        "reverse_after": np.log1p(np.asarray(reverse, dtype=np.float64) * tscale),
    }


def _popularity_columns(state: RankingState, pool: CandidatePool, now: float) -> Columns:
    codes = pool.codes
    log_clicks = np.log(np.array([state.clicks[code] for code in codes], dtype=np.float64))
    counts = []
    for which, logs in enumerate(state.popularity):
        decay = state.popularity_decay(which=which, now=now)
        log_count = np.array([logs[code] for code in codes], dtype=np.float64) - decay
        counts.append(np.exp(np.minimum(log_count, log_clicks)))
    first_seen = np.array([state.first_seen[code] for code in codes])
    last_seen = np.array([state.last_seen[code] for code in codes])
    return {
        "popularity_short": np.log1p(counts[0]),
        "popularity_medium": np.log1p(counts[min(1, len(counts) - 1)]),
        "popularity_long": np.log1p(counts[-1]),
        "popularity_short_vs_best": _vs_best(counts[0]),
        "age_hours": np.log1p(np.maximum(now - first_seen, 0.0) / 3600.0),
        "minutes_since_last_click": np.log1p(np.maximum(now - last_seen, 0.0) / 60.0),
    }


def _share(values: np.ndarray, total: float) -> np.ndarray:
    return values / total if total > 0 else np.zeros_like(values)


def _vs_best(values: np.ndarray) -> np.ndarray:
    best = values.max() if len(values) else 0.0
    return values / best if best > 0 else np.zeros_like(values)


def _context_values(state: RankingState, context: Context) -> dict[str, float]:
    # No time-of-day feature: the training window covers only the last hours of the history,
    # so hours it never saw would be scored by extrapolation.
    values: dict[str, float] = {}
    if not context.session_codes:
        values.update(
            session_length=0.0,
            last_click_out_strength=0.0,
            last_click_recent_out_strength=0.0,
            last_click_popularity=0.0,
            last_click_age_hours=-1.0,
        )
        return values
    last = context.session_codes[-1]
    now = context.now
    values.update(
        session_length=math.log1p(len(context.session_codes)),
        last_click_out_strength=math.log1p(
            state.after_total[last] * state.transition_scale(now=now)
        ),
        last_click_recent_out_strength=math.log1p(
            state.after_recent_total[last] * state.recent_transition_scale(now=now)
        ),
        last_click_popularity=math.log1p(state.popularity_now(code=last, which=0, now=now)),
        last_click_age_hours=math.log1p(max(now - state.first_seen[last], 0.0) / 3600.0),
    )
    return values
