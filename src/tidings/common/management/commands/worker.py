"""``tidings worker``: the job consumer alone (Huey), as many as needed at scale."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background job consumer (Huey on SQLite by default, on Redis with REDIS_URL)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("run_huey")
