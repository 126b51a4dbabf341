"""Writes of the ranking app: fold the interaction log into the live state, import external
click logs, retrain the scorer, log what the For-you feed showed and learn its blend from it.

Exactly-once: `state_refresh` reads the cursor, folds every interaction after its watermark
into the current snapshot, writes snapshot version+1, and then claims the step with one
conditional UPDATE (`version` unchanged). A job that loses the race discards its snapshot,
so no interaction is ever counted twice, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import os
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from tidings.ranking.blend import BLEND_FEATURES, Blend, blend_fit, blend_load, blend_save
from tidings.ranking.events import Click, read_clicks
from tidings.ranking.model import DefaultScorer, LearnedScorer, scorer_train
from tidings.ranking.models import FeedImpression, InteractionImport, StateCursor
from tidings.ranking.recommend import pool_for
from tidings.ranking.snapshots import (
    blend_path,
    scorer_path,
    snapshot_discard,
    snapshot_read,
    snapshot_write,
    snapshots_prune,
)
from tidings.ranking.state import RankingState
from tidings.readers.models import Interaction
from tidings.readers.selectors import history_paused

LIVE = "live"
# What counts as a reader choosing a story; follows and feedback are read at request time.
OBSERVED_KINDS = (
    Interaction.Kind.OPEN,
    Interaction.Kind.READ,
    Interaction.Kind.CLICK,
    Interaction.Kind.SAVE,
)
REFRESH_BATCH = 20_000
IMPORT_BATCH = 5_000


class StateRaceLost(Exception):
    """Another refresh moved the cursor first; this one's work was discarded."""


@dataclass(frozen=True, slots=True)
class RefreshResult:
    version: int
    folded: int
    last_interaction_id: int


def state_refresh(*, rebuild: bool = False) -> RefreshResult:
    """Fold new interactions (all of them with `rebuild`) into a new snapshot; claim it."""
    cursor, _ = StateCursor.objects.get_or_create(name=LIVE)
    state = None if rebuild else snapshot_read(version=cursor.version)
    watermark = cursor.last_interaction_id if state is not None else 0
    events = cursor.events if state is not None else 0
    state = state or RankingState()
    folded, watermark = _fold(state=state, after_id=watermark)
    if watermark == cursor.last_interaction_id and not rebuild:
        return RefreshResult(cursor.version, 0, watermark)
    if state.clicks_seen:
        # The state's own clock: historical logs must not be decayed to nothing by "now".
        state.maintain(now=state.clock)
    version = cursor.version + 1
    snapshot_write(state=state, version=version)
    with transaction.atomic():
        claimed = StateCursor.objects.filter(pk=cursor.pk, version=cursor.version).update(
            version=version, last_interaction_id=watermark, events=events + folded
        )
    if not claimed:
        snapshot_discard(version=version)
        raise StateRaceLost("another refresh of the ranking state ran at the same time")
    snapshots_prune(current=version)
    return RefreshResult(version, folded, watermark)


def _fold(*, state: RankingState, after_id: int) -> tuple[int, int]:
    """Observe every choosing interaction after `after_id`, in id order; the watermark moves
    past the others too (feedback, follows), which are read at request time instead."""
    folded = 0
    while True:
        rows = list(
            Interaction.objects.filter(id__gt=after_id)
            .order_by("id")
            .values_list("id", "reader", "session", "article_id", "occurred_at", "kind")[
                :REFRESH_BATCH
            ]
        )
        if not rows:
            return folded, after_id
        chosen = [row for row in rows if row[5] in OBSERVED_KINDS]
        for click in _clicks(chosen):
            state.observe(click)
        folded += len(chosen)
        after_id = rows[-1][0]


def _clicks(rows: Iterable[tuple]) -> Iterable[Click]:
    for _, reader, session, article_id, occurred_at, _kind in rows:
        reader_id: int | str = reader if reader is not None else f"s:{session}"
        session_id = session or f"r:{reader}:{occurred_at.date().isoformat()}"
        yield Click(reader_id, session_id, article_id, occurred_at.timestamp())


@dataclass(frozen=True, slots=True)
class ImportResult:
    files: int
    skipped: int
    rows: int


def interactions_import(*, format: str, paths: Sequence[Path]) -> ImportResult:
    """Append external clicks to the interaction log, once per file (by content digest)."""
    files = skipped = rows = 0
    for path in paths:
        digest = _digest(path)
        if InteractionImport.objects.filter(digest=digest).exists():
            skipped += 1
            continue
        clicks = read_clicks(format=format, paths=[path])
        with transaction.atomic():
            count = _insert(clicks)
            InteractionImport.objects.create(
                digest=digest, path=str(path)[-500:], format=format, rows=count
            )
        files += 1
        rows += count
    return ImportResult(files, skipped, rows)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _insert(clicks: Iterable[Click]) -> int:
    batch: list[Interaction] = []
    count = 0
    for click in clicks:
        batch.append(_interaction(click))
        if len(batch) == IMPORT_BATCH:
            Interaction.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    Interaction.objects.bulk_create(batch)
    return count + len(batch)


def _interaction(click: Click) -> Interaction:
    return Interaction(
        reader=_number(click.reader_id),
        session=str(click.session_id)[:64],
        article_id=_number(click.article_id) or 0,
        kind=Interaction.Kind.CLICK,
        occurred_at=datetime.fromtimestamp(click.at, tz=UTC),
    )


def _number(value: int | str) -> int | None:
    """Ids of external logs as integers: MIND's "N12345" is article 12345; other text ids
    (reader names) become a stable 62-bit number so one reader stays one reader."""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    digits = text.lstrip("NUnu")
    if digits.isdigit():
        return int(digits)
    if not text:
        return None
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest()) >> 2


@dataclass(frozen=True, slots=True)
class RetrainResult:
    scorer: str
    contexts: int
    rows: int


RETRAIN_CONTEXTS = 20_000
RETRAIN_NEGATIVES = 10


def scorer_retrain(*, contexts: int = RETRAIN_CONTEXTS, seed: int = 0) -> RetrainResult:
    """Learn the scorer from the interaction log: walk it in id order through a fresh state and,
    for a sample of clicks that continue a session, take the pool the ranker would have scored
    just before the click (the clicked candidate and a few others), labelled by the click.
    With too little data the core keeps its default scorer, and no file is written."""
    rng = random.Random(seed)  # noqa: S311 - sampling training rows, not secrets
    total = Interaction.objects.filter(kind__in=OBSERVED_KINDS).count()
    rate = min(1.0, contexts / max(total, 1))
    state = RankingState()
    rows: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for click in _log_clicks():
        trail = state.trail_of(click.session_id)
        if trail is not None and trail.codes and rng.random() < rate:
            sampled = _training_rows(state, click, rng)
            if sampled is not None:
                rows.append(sampled[0])
                labels.append(sampled[1])
        state.observe(click)
    if not rows:
        return RetrainResult(DefaultScorer().name, 0, 0)
    scorer = scorer_train(features=np.vstack(rows), clicked=np.concatenate(labels), seed=seed)
    if isinstance(scorer, LearnedScorer):
        partial = scorer_path().with_suffix(".tmp")
        scorer.save(partial)
        os.replace(partial, scorer_path())
    return RetrainResult(scorer.name, len(rows), sum(len(label) for label in labels))


def _log_clicks() -> Iterator[Click]:
    after_id = 0
    while True:
        rows = list(
            Interaction.objects.filter(id__gt=after_id, kind__in=OBSERVED_KINDS)
            .order_by("id")
            .values_list("id", "reader", "session", "article_id", "occurred_at", "kind")[
                :REFRESH_BATCH
            ]
        )
        if not rows:
            return
        yield from _clicks(rows)
        after_id = rows[-1][0]


def _training_rows(
    state: RankingState, click: Click, rng: random.Random
) -> tuple[np.ndarray, np.ndarray] | None:
    pool, features = pool_for(
        state=state, reader=click.reader_id, session=click.session_id, now=click.at
    )
    code = state.code_of(click.article_id)
    if code is None or code not in pool.codes:
        return None
    positive = pool.codes.index(code)
    others = [i for i in range(len(pool.codes)) if i != positive]
    chosen = [positive, *rng.sample(others, min(RETRAIN_NEGATIVES, len(others)))]
    clicked = np.zeros(len(chosen), dtype=np.int8)
    clicked[0] = 1
    return features[chosen], clicked


# -- the For-you blend ------------------------------------------------------------------------

IMPRESSIONS_KEPT = timedelta(days=30)
OPEN_WINDOW = timedelta(hours=24)  # an impression counts as opened within this long
BLEND_MAX_IMPRESSIONS = 500_000  # the newest labelled ones; the fit is linear, this is plenty
FEATURE_DIGITS = 4

Shown = tuple[int, int, Sequence[float]]  # article id, position in the feed, blend features


def impressions_record(
    *, reader_id: int | None, session_key: str | None, shown: Sequence[Shown]
) -> int:
    """Log a served For-you page in one INSERT. Nothing for a reader who paused history (they
    are not followed around, and their opens are not logged either, so every impression
    would look ignored), nor for a visitor without a session, whose opens cannot be joined."""
    if not shown or (reader_id is None and not session_key):
        return 0
    if history_paused(user_id=reader_id):
        return 0
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            # Training rows, not records anyone relies on: the page does not wait for the
            # WAL flush (~2 ms); a crash may lose the last fraction of a second of them.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        FeedImpression.objects.bulk_create(
            FeedImpression(
                reader_id=reader_id,
                session=(session_key or "")[:64],
                article_id=article_id,
                position=min(position, 32_767),
                features=[round(value, FEATURE_DIGITS) for value in features],
                shown_at=now,
            )
            for article_id, position, features in shown
        )
    return len(shown)


@dataclass(frozen=True, slots=True)
class BlendRetrainResult:
    blend: Blend  # the blend in use after this run: the new one, or the one kept
    learned: bool
    impressions: int
    opened: int
    pruned: int


def blend_retrain(*, now: datetime | None = None) -> BlendRetrainResult:
    """Prune old impressions, label the rest (opened within `OPEN_WINDOW`?) and fit the blend.

    Impressions younger than the window are left for the next run: their reader may still
    open them. With too few opened or ignored impressions nothing is written and the blend in
    use stays (the default on a new site)."""
    now = now or timezone.now()
    pruned, _ = FeedImpression.objects.filter(shown_at__lt=now - IMPRESSIONS_KEPT).delete()
    rows = [
        row
        for row in FeedImpression.objects.filter(shown_at__lte=now - OPEN_WINDOW)
        .order_by("-shown_at")
        .values_list("reader_id", "session", "article_id", "position", "features", "shown_at")[
            :BLEND_MAX_IMPRESSIONS
        ]
        if _usable(row[4])
    ]
    opened = _opened(rows)
    blend = blend_fit(
        features=np.array([row[4] for row in rows], dtype=np.float64).reshape(
            -1, len(BLEND_FEATURES)
        ),
        opened=opened,
        positions=np.array([row[3] for row in rows], dtype=np.float64),
        trained_at=now.isoformat(timespec="seconds"),
    )
    if blend is not None:
        blend_save(blend=blend, path=blend_path())
    return BlendRetrainResult(
        blend=blend or blend_load(blend_path()),
        learned=blend is not None,
        impressions=len(rows),
        opened=int(opened.sum()),
        pruned=pruned,
    )


def _usable(features: object) -> bool:
    """Rows logged for another feature list (before a change of BLEND_FEATURES) are skipped."""
    return (
        isinstance(features, list)
        and len(features) == len(BLEND_FEATURES)
        and all(isinstance(v, int | float) and math.isfinite(v) for v in features)
    )


def _viewer(reader: int | None, session: str) -> tuple[str, int | str]:
    return ("r", reader) if reader is not None else ("s", session)


def _opened(rows: list[tuple]) -> np.ndarray:
    """1 where the same reader (or session) opened the story within the window after it was
    shown, from anywhere on the site, read from the interaction log."""
    if not rows:
        return np.zeros(0, dtype=np.int8)
    wanted = {(_viewer(reader, session), article) for reader, session, article, *_ in rows}
    first = min(row[5] for row in rows)
    last = max(row[5] for row in rows) + OPEN_WINDOW
    opens: dict[tuple, list[datetime]] = {}
    log = Interaction.objects.filter(
        kind__in=OBSERVED_KINDS, occurred_at__gte=first, occurred_at__lte=last
    ).values_list("reader", "session", "article_id", "occurred_at")
    for reader, session, article_id, at in log.iterator(chunk_size=REFRESH_BATCH):
        key = (_viewer(reader, session), article_id)
        if key in wanted:
            opens.setdefault(key, []).append(at)
    for times in opens.values():
        times.sort()
    labels = np.zeros(len(rows), dtype=np.int8)
    for i, (reader, session, article_id, _, _, shown_at) in enumerate(rows):
        times = opens.get((_viewer(reader, session), article_id), [])
        after = bisect.bisect_left(times, shown_at)
        labels[i] = after < len(times) and times[after] <= shown_at + OPEN_WINDOW
    return labels
