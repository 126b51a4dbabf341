"""``tidings extract [--text] --jsonl [--url URL] PATH...`` through Django's call_command."""

from __future__ import annotations

import gzip
import json
import socket
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
FIELDS = {
    "input", "url", "headline", "standfirst", "bylines", "agency", "published", "updated",
    "section", "language", "topics", "image", "related_links", "body_text", "body_html",
}  # fmt: skip


def _run(*args: str) -> list[dict]:
    out = StringIO()
    call_command("extract", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_one_json_line_per_input_and_errors_do_not_stop_the_run(tmp_path: Path) -> None:
    page = FIXTURES / "dateline_article.html"
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress(page.read_bytes()))
    missing = tmp_path / "missing.html"
    records = _run("--jsonl", str(page), str(missing), str(packed))
    assert [record["input"] for record in records] == [str(page), str(missing), str(packed)]
    assert set(records[0]) == FIELDS
    assert records[0]["published"] == "2022-12-30T15:49:00+05:30"
    assert records[1] == {"input": str(missing), "error": records[1]["error"]}
    assert "missing.html" in records[1]["error"]
    assert {k: v for k, v in records[2].items() if k != "input"} == {
        k: v for k, v in records[0].items() if k != "input"
    }


def test_url_option_sets_the_page_url_and_resolves_links() -> None:
    page = FIXTURES / "jsonld_article.html"
    [record] = _run("--jsonl", "--url", "https://ledger.example/news/local/x", str(page))
    assert record["url"] == "https://ledger.example/news/local/harbour-sea-wall-approved"
    assert record["related_links"][0]["url"] == (
        "https://ledger.example/news/local/storm-surge-winter"
    )
    assert record["image"]["credit"] == "Ledger photo desk"


def test_url_option_needs_exactly_one_path() -> None:
    page = str(FIXTURES / "jsonld_article.html")
    with pytest.raises(CommandError, match="single PATH"):
        call_command("extract", "--jsonl", "--url", "https://x.example/", page, page)


def test_corrupt_gzip_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"\x1f\x8b" + b"not really gzip")
    [record] = _run("--jsonl", str(broken))
    assert record["input"] == str(broken) and "decompress" in record["error"]


def test_text_dumps_go_to_the_plain_text_cleaner(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    lines = [
        "Home", "World News", "Sign in",
        "Monsoon rains lift reservoir levels across the state",
        "Published on Dec 30, 2022 03:49 PM IST",
        "Heavy rain over the past week has lifted the level of the state's main reservoirs "
        "to more than eighty per cent of capacity, officials said on Friday.",
        "The irrigation department said inflows into the largest dam had doubled in three "
        "days, and that sluice gates would be opened in stages.",
        "Farmers in the dry districts to the east welcomed the rain, which came after a late "
        "start to the season had left sowing weeks behind schedule.",
        "About us", "Contact", "Privacy policy",
    ]  # fmt: skip
    dump.write_text("\n".join(lines), encoding="utf-8")
    [record] = _run("--text", "--jsonl", str(dump))
    assert set(record) == FIELDS
    assert "sluice gates" in record["body_text"]
    assert "Privacy policy" not in record["body_text"]


def test_private_address_is_refused_and_never_contacted(settings) -> None:
    """A loopback URL is refused by the guarded client before any connection is made."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    settings.FETCH_ALLOWED_PORTS = [port]  # so the refusal is about the address itself
    try:
        [record] = _run("--jsonl", f"http://127.0.0.1:{port}/story")
        assert "not a public address" in record["error"]
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_binary_input_does_not_stop_the_batch(tmp_path: Path) -> None:
    """A binary file given as a page yields a record of its own and the run goes on."""
    binary = tmp_path / "image.html"
    binary.write_bytes(bytes(range(256)) * 40)
    page = FIXTURES / "dateline_article.html"
    records = _run("--jsonl", str(binary), str(page))
    assert [record["input"] for record in records] == [str(binary), str(page)]
    assert records[1]["headline"] == "Monsoon rains lift reservoir levels across the state"
