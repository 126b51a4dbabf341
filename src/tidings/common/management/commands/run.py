"""``tidings run``: migrate, then serve the site and run the job consumer side by side."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, then serve the site and run the job consumer (the embedded default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        self.stdout.write(f"Serving Tidings on http://{host}:{port}/ (editor desk: /desk/)")
        tidings = [sys.executable, "-m", "tidings.cli"]
        children = [
            subprocess.Popen([*tidings, "web", "--host", host, "--port", str(port)]),  # noqa: S603
            subprocess.Popen([*tidings, "worker"]),  # noqa: S603
        ]
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.returncode for child in children if child.returncode not in (0, -15)]
        if failed and not stopping:
            raise SystemExit(f"A Tidings process stopped unexpectedly (exit {failed[0]}).")
