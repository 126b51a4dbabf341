"""Periodic ranking jobs: fold new interactions into the live state every minute, recompute
the cached trending and most-read lists, and retrain the scorer and the For-you blend nightly.
All are safe to run twice."""

from __future__ import annotations

from contextlib import suppress

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.ranking.services import (
    StateRaceLost,
    blend_retrain,
    scorer_retrain,
    state_refresh,
)
from tidings.ranking.trending import trending_refresh


@db_periodic_task(crontab(minute="*"))
def state_refresh_task() -> None:
    # Losing the race means the other run folded the same interactions: nothing is lost.
    with suppress(StateRaceLost):
        state_refresh()


@db_periodic_task(crontab(minute="*"))
def trending_refresh_task() -> None:
    trending_refresh()


@db_periodic_task(crontab(hour="3", minute="41"))
def scorer_retrain_task() -> None:
    """Nightly: the scorer learns from the whole log, the For-you blend from the impressions
    (each a no-op until there is enough data); old impressions are pruned."""
    blend_retrain()  # first: it is quick, and it prunes whatever the scorer does
    scorer_retrain()
