"""Local input files: gzip or plain, and a small file that expands hugely is refused."""

from __future__ import annotations

import gzip

import pytest

from tidings.common.errors import InvalidInput
from tidings.common.files import read_input


def test_plain_and_gzip_files_read_the_same(tmp_path):
    plain, packed = tmp_path / "page.html", tmp_path / "page.html.gz"
    plain.write_bytes(b"<p>Hello</p>")
    packed.write_bytes(gzip.compress(b"<p>Hello</p>"))
    assert read_input(plain) == read_input(packed) == b"<p>Hello</p>"


def test_a_gzip_bomb_stops_at_the_limit(tmp_path):
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(b"\0" * 5_000_000))
    with pytest.raises(InvalidInput, match="expands to more than"):
        read_input(bomb, limit=1024 * 1024)


def test_missing_and_broken_files_say_so(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read"):
        read_input(tmp_path / "nope.html")
    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"\x1f\x8b" + b"not gzip at all")
    with pytest.raises(InvalidInput, match="cannot decompress"):
        read_input(broken)
