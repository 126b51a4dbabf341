"""Reading a local input file (an HTML page, a text dump, JSON lines), gzip or not."""

from __future__ import annotations

import zlib
from pathlib import Path

from tidings.common.errors import InvalidInput

MAX_INPUT_BYTES = 20 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


def read_input(path: Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The file's bytes, gunzipped when it is gzip, refusing more than ``limit`` either way.

    Decompression stops at the limit, so a small file that expands enormously costs no more
    memory than the limit.
    """
    try:
        if path.stat().st_size > limit:
            raise InvalidInput(f"{path} is larger than {limit // (1024 * 1024)} MB.")
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror or error}") from None
    if raw[:2] != _GZIP_MAGIC:
        return raw
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        data = inflater.decompress(raw, limit + 1)
    except zlib.error as error:
        raise InvalidInput(f"cannot decompress {path}: {error}") from None
    if len(data) > limit:
        raise InvalidInput(f"{path} expands to more than {limit // (1024 * 1024)} MB.")
    return data
