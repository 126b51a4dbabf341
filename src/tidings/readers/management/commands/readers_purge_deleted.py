"""Finish deleting accounts whose grace period is over (run daily, e.g. from cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from tidings.readers.accounts import accounts_purge_deleted


class Command(BaseCommand):
    help = "Delete reader accounts whose deletion was requested longer ago than the grace period."

    def handle(self, *args: Any, **options: Any) -> None:
        count = accounts_purge_deleted()
        self.stdout.write(f"Deleted {count} account(s).")
