"""Where the live ranking state, the learned scorer and the For-you blend live on disk
(TIDINGS_DATA_DIR/ranking).

A snapshot is written whole to a temporary name and renamed into place, so a reader never
sees half a file; the database's StateCursor.version says which snapshot is current.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from tidings.ranking.state import RankingState

KEEP_SNAPSHOTS = 2  # the current one and the one before, for processes still loading it


def ranking_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "ranking"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def snapshot_path(*, version: int) -> Path:
    return ranking_dir() / f"state-{version:08d}.pkl"


def scorer_path() -> Path:
    return ranking_dir() / "scorer.pkl"


def blend_path() -> Path:
    """The For-you blend's learned weights (JSON; absent until there is enough data)."""
    return ranking_dir() / "blend.json"


def snapshot_write(*, state: RankingState, version: int) -> Path:
    final = snapshot_path(version=version)
    partial = final.with_suffix(f".{os.getpid()}.tmp")
    state.save(partial)
    os.replace(partial, final)
    return final


def snapshot_read(*, version: int) -> RankingState | None:
    path = snapshot_path(version=version)
    if version <= 0 or not path.exists():
        return None
    return RankingState.load(path)


def snapshots_prune(*, current: int) -> None:
    """Drop snapshots older than the previous one, and this process's failed partial files."""
    for path in ranking_dir().glob("state-*.pkl"):
        version = int(path.stem.removeprefix("state-"))
        if version <= current - KEEP_SNAPSHOTS:
            path.unlink(missing_ok=True)


def snapshot_discard(*, version: int) -> None:
    snapshot_path(version=version).unlink(missing_ok=True)
