"""``tidings extract [--text] --jsonl [--url URL] PATH...``: one JSON line per input.

Each PATH is an HTML file (or, with ``--text``, a plain-text page dump), optionally
gzip-compressed, or an ``http(s)://`` address fetched through the guarded client. Every
line is ``{"input": PATH, **article}``; an input that cannot be read or fetched gives
``{"input": PATH, "error": "…"}`` and the run goes on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tidings.common.errors import InvalidInput
from tidings.common.files import read_input
from tidings.ingestion.extract import extract_page
from tidings.ingestion.types import ExtractedArticle

_REMOTE = ("http://", "https://")


class Command(BaseCommand):
    help = "Extract articles from HTML pages or plain-text page dumps, one JSON line each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file, file.gz or URL")
        parser.add_argument("--text", action="store_true", help="inputs are plain-text dumps")
        parser.add_argument("--jsonl", action="store_true", help="one JSON object per line")
        parser.add_argument("--url", help="the page's URL (a single PATH only)")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[str] = options["paths"]
        if options["url"] and len(paths) != 1:
            raise CommandError("--url sets the page URL of a single PATH; give exactly one")
        indent = None if options["jsonl"] else 2
        for path in paths:
            record = extract_one(path=path, url=options["url"], as_text=options["text"])
            self.stdout.write(json.dumps(record, ensure_ascii=False, indent=indent))


def extract_one(*, path: str, url: str | None, as_text: bool) -> dict[str, Any]:
    """The output record for one input: the article, or the reason it could not be read."""
    try:
        content, url = _read(path=path, url=url)
        article = _extract(content=content, url=url, as_text=as_text)
    except InputError as error:
        return {"input": path, "error": str(error)}
    except Exception as error:  # one bad page must not stop a batch
        return {"input": path, "error": f"extraction failed: {type(error).__name__}: {error}"}
    return {"input": path, **article.to_json()}


class InputError(Exception):
    """An input that cannot be read, decompressed or fetched."""


def _read(*, path: str, url: str | None) -> tuple[bytes, str | None]:
    if path.lower().startswith(_REMOTE):
        return _fetch(path=path), url or path
    try:
        return read_input(Path(path)), url
    except InvalidInput as error:
        raise InputError(str(error)) from None


def _fetch(*, path: str) -> bytes:
    """The page body, through the guarded client (private addresses are refused there)."""
    from tidings.common.http import FetchError, fetch_url

    try:
        result = fetch_url(url=path, purpose="page")
    except FetchError as error:
        raise InputError(str(error)) from None
    return result.body


def _extract(*, content: bytes, url: str | None, as_text: bool) -> ExtractedArticle:
    if as_text:
        from tidings.ingestion.text_dump import clean_text_dump

        return clean_text_dump(text=content.decode("utf-8", errors="replace"), url=url)
    return extract_page(html=content, url=url)
