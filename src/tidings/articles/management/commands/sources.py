"""``tidings sources add|list|poll|import-opml|export-opml``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tidings.articles.intake import opml_export, opml_import, source_add_from_url, source_poll
from tidings.common.errors import ApplicationError
from tidings.sources.models import Source
from tidings.sources.selectors import source_ids_due


class Command(BaseCommand):
    help = "Manage the sources stories are ingested from."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add a feed, sitemap or page by its address")
        add.add_argument("url")
        add.add_argument("--name", default="")
        add.add_argument("--section", default="")
        actions.add_parser("list", help="list sources with their health")
        poll = actions.add_parser(
            "poll", help="poll sources now (all that are due, or the ids given)"
        )
        poll.add_argument("ids", nargs="*", type=int)
        poll.add_argument("--force", action="store_true", help="poll even when not due or paused")
        opml_in = actions.add_parser("import-opml", help="add every feed of an OPML file")
        opml_in.add_argument("path")
        opml_out = actions.add_parser("export-opml", help="write the feeds as OPML")
        opml_out.add_argument("path", nargs="?", default="-")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except ApplicationError as error:
            raise CommandError(str(error)) from None

    def _add(self, *, url: str, name: str, section: str, **options: Any) -> None:
        source, created = source_add_from_url(url=url, name=name, section_name=section)
        state = "added" if created else "already there"
        self.stdout.write(
            f"{state}: #{source.pk} {source.name} ({source.get_kind_display()}) {source.url}"
        )

    def _list(self, **options: Any) -> None:
        for source in Source.objects.order_by("name"):
            health = (
                "ok"
                if source.error_count == 0
                else f"{source.error_count} errors: {source.last_error[:80]}"
            )
            when = (
                source.last_success_at.isoformat(timespec="minutes")
                if source.last_success_at
                else "never"
            )
            columns = [f"#{source.pk}", source.kind, source.name, source.url, f"ok {when}", health]
            self.stdout.write("\t".join(columns))

    def _poll(self, *, ids: list[int], force: bool, **options: Any) -> None:
        for source_id in ids or source_ids_due():
            report = source_poll(source_id=source_id, force=force or bool(ids))
            summary = {k: v for k, v in report.__dict__.items() if k != "items"}
            self.stdout.write(json.dumps(summary))

    def _import_opml(self, *, path: str, **options: Any) -> None:
        try:
            body = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        added = opml_import(body=body)
        created = sum(1 for _, new in added if new)
        self.stdout.write(f"{created} sources added, {len(added) - created} already there.")

    def _export_opml(self, *, path: str, **options: Any) -> None:
        document = opml_export(title=f"{settings.SITE_NAME} sources")
        if path == "-":
            sys.stdout.buffer.write(document)
        else:
            Path(path).write_bytes(document)
