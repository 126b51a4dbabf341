"""Offline replay: the honest measure of the ranker, with the state and code the site uses.

History clicks are observed in time order; a sample of the last part of the history also
yields training rows (the pool the ranker would have scored just before each sampled click,
labelled by the article then opened), from which the scorer is learned. Test clicks are then
streamed in time order: for every click but the first of its session, the top-k is computed
from the state *before* the click, then the click is observed. Scores of many pools are
computed together (a pure function of each pool's features, fixed before its click).
"""

from __future__ import annotations

import heapq
import json
import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TextIO

import numpy as np

from tidings.ranking.candidates import CandidatePool
from tidings.ranking.events import Click, Id
from tidings.ranking.model import Scorer, scorer_train
from tidings.ranking.recommend import pool_for, pool_rank
from tidings.ranking.state import RankingState


@dataclass(frozen=True, slots=True)
class ReplaySettings:
    train_fraction: float = 0.15  # the last share of the history that yields training rows
    train_contexts: int = 30_000
    negatives_per_context: int = 30  # sampled from the pool; the whole pool scored worse
    batch_size: int = 1000
    exclude_session_reads: bool = True
    seed: int = 0


@dataclass
class ReplayCounts:
    history_clicks: int = 0
    test_clicks: int = 0
    predictions: int = 0
    training_contexts: int = 0
    training_rows: int = 0
    scorer: str = ""


@dataclass
class _Pending:
    """Pools computed before their click, waiting to be scored and written."""

    keys: list[tuple[Id, int]] = field(default_factory=list)
    pools: list[CandidatePool] = field(default_factory=list)
    features: list[np.ndarray] = field(default_factory=list)


def run_replay(
    *,
    history: Sequence[Click],
    test: Iterable[Click],
    k: int,
    out: Path | TextIO,
    settings: ReplaySettings | None = None,
    state: RankingState | None = None,
) -> ReplayCounts:
    """Replay and write one JSON line per prediction; returns what was counted.

    A history split by session start holds late clicks of long sessions that happened after
    the first test click. They are observed at their own time, merged into the test stream
    (never predicted), so no prediction is made with knowledge of its future.
    """
    settings = settings or ReplaySettings()
    state = state if state is not None else RankingState()
    counts = ReplayCounts(history_clicks=len(history))
    positions: dict[Id, int] = {}
    stream_test = iter(test)
    first = next(stream_test, None)
    cut = len(history) if first is None else bisect_right(history, first.at, key=_at)
    scorer = _learn_from_history(history[:cut], state, positions, settings, counts)
    counts.scorer = scorer.name
    late = ((click, False) for click in history[cut:])
    tests = ((click, True) for click in chain([first] if first else [], stream_test))
    merged = heapq.merge(late, tests, key=lambda pair: pair[0].at)
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8") as stream:
            _replay_test(merged, k, stream, state, scorer, positions, settings, counts)
    else:
        _replay_test(merged, k, out, state, scorer, positions, settings, counts)
    return counts


def _at(click: Click) -> float:
    return click.at


def _learn_from_history(
    history: Sequence[Click],
    state: RankingState,
    positions: dict[Id, int],
    settings: ReplaySettings,
    counts: ReplayCounts,
) -> Scorer:
    train_from = int(len(history) * (1 - settings.train_fraction))
    window = max(len(history) - train_from, 1)
    sample_rate = min(1.0, settings.train_contexts / window)
    rng = random.Random(settings.seed)  # noqa: S311 - sampling training rows, not secrets
    rows: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for index, click in enumerate(history):
        position = positions.get(click.session_id, 0) + 1
        positions[click.session_id] = position
        if index >= train_from and position > 1 and rng.random() < sample_rate:
            sampled = _training_rows(state, click, settings, rng)
            if sampled is not None:
                rows.append(sampled[0])
                labels.append(sampled[1])
        state.observe(click)
    counts.training_contexts = len(rows)
    if not rows:
        return scorer_train(features=np.zeros((0, 1)), clicked=np.zeros(0))
    features, clicked = np.vstack(rows), np.concatenate(labels)
    counts.training_rows = len(features)
    return scorer_train(features=features, clicked=clicked, seed=settings.seed)


def _training_rows(
    state: RankingState, click: Click, settings: ReplaySettings, rng: random.Random
) -> tuple[np.ndarray, np.ndarray] | None:
    """The clicked candidate and a sample of the others; None when it was not in the pool."""
    pool, features = pool_for(
        state=state,
        reader=click.reader_id,
        session=click.session_id,
        now=click.at,
        exclude_session_reads=settings.exclude_session_reads,
    )
    code = state.code_of(click.article_id)
    if code is None or code not in pool.codes:
        return None
    positive = pool.codes.index(code)
    others = [i for i in range(len(pool.codes)) if i != positive]
    negatives = rng.sample(others, min(settings.negatives_per_context, len(others)))
    chosen = [positive, *negatives]
    clicked = np.zeros(len(chosen), dtype=np.int8)
    clicked[0] = 1
    return features[chosen], clicked


def _replay_test(
    test: Iterable[tuple[Click, bool]],
    k: int,
    stream: TextIO,
    state: RankingState,
    scorer: Scorer,
    positions: dict[Id, int],
    settings: ReplaySettings,
    counts: ReplayCounts,
) -> None:
    pending = _Pending()
    for click, predict in test:
        counts.test_clicks += predict
        position = positions.get(click.session_id, 0) + 1
        positions[click.session_id] = position
        if predict and position > 1:
            pool, features = pool_for(
                state=state,
                reader=click.reader_id,
                session=click.session_id,
                now=click.at,
                exclude_session_reads=settings.exclude_session_reads,
            )
            pending.keys.append((click.session_id, position))
            pending.pools.append(pool)
            pending.features.append(features)
            if len(pending.keys) >= settings.batch_size:
                counts.predictions += _flush(pending, k, stream, state, scorer)
                pending = _Pending()
        state.observe(click)
    counts.predictions += _flush(pending, k, stream, state, scorer)


def _flush(pending: _Pending, k: int, stream: TextIO, state: RankingState, scorer: Scorer) -> int:
    if not pending.keys:
        return 0
    scores = scorer.score(np.vstack(pending.features))
    start = 0
    for (session_id, position), pool in zip(pending.keys, pending.pools, strict=True):
        end = start + len(pool.codes)
        ranked = pool_rank(state=state, pool=pool, scores=scores[start:end], k=k)
        start = end
        line = {
            "session_id": session_id,
            "position": position,
            "recommended": [item.article_id for item in ranked],
        }
        stream.write(json.dumps(line, separators=(",", ":")) + "\n")
    return len(pending.keys)


@dataclass(frozen=True)
class ReplayScore:
    hit_rate: float
    mrr: float
    predictions: int
    expected: int
    missing: int


def replay_score(
    *, predictions: Path, test: Iterable[Click], k: int, history: Iterable[Click] = ()
) -> ReplayScore:
    """HR@k and MRR@k of a prediction file against the test clicks (a missing line = miss).

    Positions count every click of the session, history included, as the replay does.
    """
    ranked: dict[tuple[str, int], list[str]] = {}
    with Path(predictions).open(encoding="utf-8") as stream:
        for line in stream:
            row = json.loads(line)
            key = (str(row["session_id"]), int(row["position"]))
            ranked[key] = [str(article) for article in row["recommended"][:k]]
    positions: dict[str, int] = {}
    for click in history:
        session = str(click.session_id)
        positions[session] = positions.get(session, 0) + 1
    hits, reciprocal, expected, missing = 0, 0.0, 0, 0
    for click in test:
        session = str(click.session_id)
        position = positions.get(session, 0) + 1
        positions[session] = position
        if position == 1:
            continue
        expected += 1
        recommended = ranked.get((session, position))
        if recommended is None:
            missing += 1
            continue
        article = str(click.article_id)
        if article in recommended:
            hits += 1
            reciprocal += 1.0 / (recommended.index(article) + 1)
    total = max(expected, 1)
    return ReplayScore(hits / total, reciprocal / total, len(ranked), expected, missing)
