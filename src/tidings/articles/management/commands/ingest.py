"""``tidings ingest PATH|URL...`` and ``tidings ingest --jsonl FILE``: one JSON line per item."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tidings.articles.intake import (
    ingest_location,
    ingest_record,
    parse_jsonl_line,
    read_input_file,
)
from tidings.common.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Store articles from HTML pages, plain-text page dumps (.txt), http(s) addresses, or a "
        "JSON-lines file (--jsonl). Prints one JSON line per item; running it again creates "
        "nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("locations", nargs="*", metavar="PATH|URL")
        parser.add_argument("--jsonl", metavar="FILE", help="one article per line (- for stdin)")

    def handle(self, *args: Any, locations: list[str], jsonl: str | None, **options: Any) -> None:
        if not locations and not jsonl:
            raise CommandError("Give one or more PATH|URL, or --jsonl FILE.")
        failures = 0
        for location in locations:
            failures += self._emit(
                lambda location=location: ingest_location(location=location), location
            )
        if jsonl:
            for number, line in enumerate(self._lines(jsonl), start=1):
                if line.strip():
                    failures += self._emit(
                        lambda line=line: ingest_record(record=parse_jsonl_line(line)),
                        f"line {number}",
                        line,
                    )
        if failures:
            self.stderr.write(f"{failures} item(s) could not be stored; see their error lines.")

    def _lines(self, jsonl: str) -> list[str]:
        if jsonl == "-":
            return sys.stdin.read().splitlines()
        try:
            return read_input_file(Path(jsonl)).splitlines()
        except (OSError, ApplicationError) as error:
            raise CommandError(f"Cannot read {jsonl}: {error}") from None

    def _emit(self, store: Any, label: str, line: str = "") -> int:
        try:
            result = store()
        except (ApplicationError, OSError, ValueError) as error:
            external_id = _external_id_of(line)
            result = {
                "external_id": external_id,
                "article_id": None,
                "status": "error",
                "error": f"{label}: {error}",
            }
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return 1
        self.stdout.write(json.dumps({**result, "error": None}, ensure_ascii=False))
        return 0


def _external_id_of(line: str) -> str | None:
    try:
        record = json.loads(line) if line else None
    except (json.JSONDecodeError, RecursionError):
        return None
    return (
        str(record.get("external_id"))
        if isinstance(record, dict) and record.get("external_id")
        else None
    )
