"""Reading a body under a cap counted after decompression, with bounded memory.

We ask for gzip/deflate and inflate it ourselves, at most ``_STEP`` bytes at a time, so a
gzip bomb (510 KiB that inflates to 512 MiB) stops as soon as the decoded size passes the
cap, holding no more than the cap plus one step.
"""

from __future__ import annotations

import zlib

from tidings.common.http.errors import ContentEncodingError, TooLargeError

_STEP = 64 * 1024
_GZIP = 16 + zlib.MAX_WBITS
_ZLIB = zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS


class BodyReader:
    """Collects a response body; raises ``TooLargeError`` once it passes ``limit`` bytes."""

    def __init__(self, *, url: str, content_encoding: str, limit: int) -> None:
        self._url = url
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._wire_size = 0
        self._encoding = _single_encoding(url=url, header=content_encoding)
        self._inflater = self._new_inflater()
        self._first_chunk = True

    def feed(self, data: bytes) -> None:
        self._wire_size += len(data)
        if self._wire_size > self._limit:
            self._too_large()
        if self._inflater is None:
            self._keep(data)
            return
        try:
            self._inflate(data)
        except zlib.error as error:
            raise ContentEncodingError(
                url=self._url, reason=f"the {self._encoding} body is corrupt ({error})"
            ) from None

    def body(self) -> bytes:
        if self._inflater is not None and not self._inflater.eof:
            self._inflate(b"")  # drain output zlib still holds back
        return b"".join(self._chunks)

    def _new_inflater(self) -> zlib._Decompress | None:
        if self._encoding in {"gzip", "x-gzip"}:
            return zlib.decompressobj(_GZIP)
        if self._encoding == "deflate":
            return zlib.decompressobj(_ZLIB)
        return None

    def _inflate(self, data: bytes) -> None:
        if self._encoding == "deflate" and self._first_chunk and data:
            self._first_chunk = False
            self._inflater = _deflate_inflater(data)
        inflater = self._inflater
        assert inflater is not None  # noqa: S101 - feed() only calls this with one
        while True:
            out = inflater.decompress(data, _STEP)
            self._keep(out)
            data = inflater.unconsumed_tail
            if inflater.eof:
                data = inflater.unused_data
                # Servers may concatenate gzip members; zero padding after the end is ignored.
                if self._encoding == "deflate" or not data.strip(b"\x00"):
                    return
                inflater = self._inflater = zlib.decompressobj(_GZIP)
            elif not data and not out:
                return

    def _keep(self, data: bytes) -> None:
        if not data:
            return
        self._size += len(data)
        if self._size > self._limit:
            self._chunks.clear()
            self._too_large()
        self._chunks.append(data)

    def _too_large(self) -> None:
        raise TooLargeError(
            url=self._url,
            reason=f"the body passed the cap of {self._limit:,} bytes (after decompression)",
            limit=self._limit,
        )


def _single_encoding(*, url: str, header: str) -> str:
    codings = [part.strip().lower() for part in header.split(",") if part.strip()]
    codings = [coding for coding in codings if coding != "identity"]
    if not codings:
        return "identity"
    if len(codings) > 1 or codings[0] not in {"gzip", "x-gzip", "deflate"}:
        raise ContentEncodingError(url=url, reason=f"unsupported Content-Encoding {header!r}")
    return codings[0]


def _deflate_inflater(first: bytes) -> zlib._Decompress:
    # "deflate" should be zlib-wrapped, but some servers send raw deflate; peek to tell.
    try:
        zlib.decompressobj(_ZLIB).decompress(first[:2])
    except zlib.error:
        return zlib.decompressobj(_RAW_DEFLATE)
    return zlib.decompressobj(_ZLIB)
