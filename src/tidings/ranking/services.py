"""Writes of the ranking app: fold the interaction log into the live state, import external
click logs, retrain the scorer.

Exactly-once: `state_refresh` reads the cursor, folds every interaction after its watermark
into the current snapshot, writes snapshot version+1, and then claims the step with one
conditional UPDATE (`version` unchanged). A job that loses the race discards its snapshot,
so no interaction is ever counted twice, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction

from tidings.ranking.events import Click, read_clicks
from tidings.ranking.models import InteractionImport, StateCursor
from tidings.ranking.snapshots import (
    snapshot_discard,
    snapshot_read,
    snapshot_write,
    snapshots_prune,
)
from tidings.ranking.state import RankingState
from tidings.readers.models import Interaction

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
