"""Readers' jobs. Safe to run twice: each only finishes what is already due."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.readers.accounts import accounts_purge_deleted


@db_periodic_task(crontab(minute="17", hour="3"))
def accounts_purge_deleted_task() -> int:
    """Once a day: delete accounts whose deletion grace period is over."""
    return accounts_purge_deleted()
