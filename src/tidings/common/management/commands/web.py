"""``tidings web``: the web server alone (gunicorn), for scale-out."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tidings.common.env import env_int


class Command(BaseCommand):
    help = "Serve the site with gunicorn (no job consumer: run `tidings worker` alongside)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        cores = os.cpu_count() or 1
        workers = env_int(
            "WEB_WORKERS",
            max(2, cores) if settings.DATABASE_IS_SQLITE else 2 * cores + 1,
            minimum=1,
        )
        threads = env_int("WEB_THREADS", 4, minimum=1)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "tidings.config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--timeout",
            str(env_int("WEB_TIMEOUT", 60, minimum=5)),
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606
