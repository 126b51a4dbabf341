"""Reads for ranking: the live state as this process holds it, and a reader's explicit
signals (follows, hides, "less like this", reads), read at request time so they apply at once."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.ranking.blend import Blend, blend_load
from tidings.ranking.model import DefaultScorer, LearnedScorer, Scorer
from tidings.ranking.models import StateCursor
from tidings.ranking.services import LIVE
from tidings.ranking.snapshots import blend_path, scorer_path, snapshot_read
from tidings.ranking.state import RankingState
from tidings.readers.models import Feedback, Follow, Reading

VERSION_CHECK_SECONDS = 5.0  # how stale a web process's state may be before it asks again
READS_REMEMBERED = 50


@dataclass
class _Held:
    version: int = -1
    state: RankingState = field(default_factory=RankingState)
    checked_at: float = 0.0
    scorer: Scorer = field(default_factory=DefaultScorer)
    scorer_mtime: float = 0.0
    blend: Blend = field(default_factory=Blend)
    blend_mtime: float = 0.0


_held = _Held()
_lock = threading.Lock()


def live_state() -> RankingState:
    """The current snapshot; at most one cheap version query every few seconds."""
    now = time.monotonic()
    if now - _held.checked_at < VERSION_CHECK_SECONDS:
        return _held.state
    version = StateCursor.objects.filter(name=LIVE).values_list("version", flat=True).first() or 0
    with _lock:
        _held.checked_at = now
        if version != _held.version:
            _held.state = snapshot_read(version=version) or RankingState()
            _held.version = version
        trained_at = _mtime(scorer_path())
        if trained_at != _held.scorer_mtime:  # a retrain replaced the model file
            _held.scorer = _scorer_load()
            _held.scorer_mtime = trained_at
        trained_at = _mtime(blend_path())
        if trained_at != _held.blend_mtime:
            _held.blend = blend_load(blend_path()) if trained_at else Blend()
            _held.blend_mtime = trained_at
    return _held.state


def live_state_forget() -> None:
    """Make the next `live_state` ask the database and reload (tests, right after a refresh)."""
    _held.checked_at = 0.0
    _held.version = -1
    _held.scorer_mtime = -1.0
    _held.blend_mtime = -1.0


def live_scorer() -> Scorer:
    live_state()
    return _held.scorer


def live_blend() -> Blend:
    """The For-you blend this process holds; a retrain's new file is picked up like the
    scorer's, within `VERSION_CHECK_SECONDS`, without a restart."""
    live_state()
    return _held.blend


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _scorer_load() -> Scorer:
    path = scorer_path()
    if not path.exists():
        return DefaultScorer()
    try:
        return LearnedScorer.load(path)
    except ValueError:  # trained for other features: the default until the next retrain
        return DefaultScorer()


@dataclass(frozen=True, slots=True)
class ReaderSignals:
    """What a reader told us: follows (id → name per kind), hides, less/more, reads."""

    topics: dict[int, str] = field(default_factory=dict)
    sections: dict[int, str] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)
    authors: dict[int, str] = field(default_factory=dict)
    hidden_topics: frozenset[int] = frozenset()
    hidden_sources: frozenset[int] = frozenset()
    less: frozenset[int] = frozenset()
    more: frozenset[int] = frozenset()
    reads: tuple[int, ...] = ()  # most recent first

    @property
    def follows_anything(self) -> bool:
        return bool(self.topics or self.sections or self.sources or self.authors)


def reader_signals(*, user: Any | None, session_reads: list[int]) -> ReaderSignals:
    """Three queries for a signed-in reader, none for an anonymous one."""
    if user is None or not user.is_authenticated:
        return ReaderSignals(reads=tuple(reversed(session_reads)))
    follows = _follows(user)
    feedback = list(
        Feedback.objects.filter(user=user).values_list(
            "kind", "topic_id", "source_id", "article_id"
        )
    )
    reads = list(
        Reading.objects.filter(user=user)
        .order_by("-last_read_at")
        .values_list("article_id", flat=True)[:READS_REMEMBERED]
    )
    recent = [pk for pk in reversed(session_reads) if pk not in reads]
    kinds = Feedback.Kind
    return ReaderSignals(
        **follows,
        hidden_topics=frozenset(t for k, t, _, _ in feedback if k == kinds.HIDE_TOPIC and t),
        hidden_sources=frozenset(s for k, _, s, _ in feedback if k == kinds.HIDE_SOURCE and s),
        less=frozenset(a for k, _, _, a in feedback if k == kinds.LESS_LIKE_THIS and a),
        more=frozenset(a for k, _, _, a in feedback if k == kinds.MORE_LIKE_THIS and a),
        reads=tuple(recent + reads),
    )


def _follows(user: Any) -> dict[str, dict[int, str]]:
    found: dict[str, dict[int, str]] = {"topics": {}, "sections": {}, "sources": {}, "authors": {}}
    rows = Follow.objects.filter(user=user).values_list(
        "kind", "topic_id", "topic__name", "section_id", "section__name",
        "source_id", "source__name", "author_id", "author__name",
    )  # fmt: skip
    for kind, topic, topic_name, section, section_name, source, source_name, author, name in rows:
        if kind == Follow.Kind.TOPIC:
            found["topics"][topic] = topic_name
        elif kind == Follow.Kind.SECTION:
            found["sections"][section] = section_name
        elif kind == Follow.Kind.SOURCE:
            found["sources"][source] = source_name
        elif kind == Follow.Kind.AUTHOR:
            found["authors"][author] = name
    return found
