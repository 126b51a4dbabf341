"""Byte-level preparation of a feed document before feedparser sees it.

feedparser's strict parser is expat, which expands internal entities until its
amplification limit trips: a 1 KB billion-laughs feed cost about a second of CPU and
~870,000 callbacks before the fallback parser took over (SECURITY.md X1). So the internal
DTD subset is reduced here to plain character entities (as feedparser's own loose parser
keeps them), and UTF-16/32 documents are transcoded to UTF-8 first so that the same
byte-level checks see them. Character references that make feedparser raise are replaced.
"""

from __future__ import annotations

import re

from tidings.common.errors import ApplicationError


class FeedParseError(ApplicationError):
    """The document is not a feed we can read; the message says why."""


_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_WIDE_PATTERNS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
_XML_DECLARATION_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
_CHARSET = re.compile(r";\s*charset\s*=\s*[^;]*", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE\s([^\[>]*)\[(.*?)\]\s*>", re.DOTALL | re.IGNORECASE)
# A declaration worth keeping names one character or a short literal: nothing that refers
# to another entity, to a parameter entity or to an external resource.
_PLAIN_ENTITY = re.compile(
    rb"""<!ENTITY\s+[\w.-]+\s+(?:"(?:&\#x?[0-9a-fA-F]{1,6};|[^"&%<]{0,64})"|"""
    rb"""'(?:&\#x?[0-9a-fA-F]{1,6};|[^'&%<]{0,64})')\s*>"""
)
_INTERNAL_ENTITY = re.compile(rb"""<!ENTITY\s+[\w.-]+\s+["']""", re.IGNORECASE)
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def prepare_feed_bytes(body: bytes, content_type: str) -> tuple[bytes, str]:
    """(bytes, content type) safe to hand to feedparser."""
    body, content_type = _as_utf8(body, content_type)
    return _defuse_charrefs(_reduce_doctype(body)), content_type


def _wide_codec(body: bytes) -> str | None:
    for bom, codec in _WIDE_BOMS:
        if body.startswith(bom):
            return codec
    return next((codec for pattern, codec in _WIDE_PATTERNS if body.startswith(pattern)), None)


def _as_utf8(body: bytes, content_type: str) -> tuple[bytes, str]:
    codec = _wide_codec(body)
    if codec is None:
        return body, content_type
    text = body.decode(codec, "replace").lstrip("\ufeff")
    text = _XML_DECLARATION_ENCODING.sub(r"\1\2utf-8\2", text, count=1)
    # The bytes are now UTF-8 whatever the HTTP charset said.
    return text.encode("utf-8", "replace"), _CHARSET.sub("", content_type)


def _reduce_doctype(body: bytes) -> bytes:
    if b"<!ENTITY" not in body and b"<!entity" not in body:
        return body

    def reduce(match: re.Match[bytes]) -> bytes:
        kept = b"".join(m.group(0) for m in _PLAIN_ENTITY.finditer(match.group(2)))
        internal = len(_INTERNAL_ENTITY.findall(match.group(2)))
        if internal > len(_PLAIN_ENTITY.findall(match.group(2))):
            # Nested or huge internal entities exist only to amplify (billion laughs,
            # quadratic blow-up); even unexpanded, 20,000 references cost the fallback
            # parser ~0.4 s, so such a document is refused outright. External and
            # parameter entities (XHTML entity sets) are dropped unread.
            raise FeedParseError("feed refused: its DTD declares nested or large entities")
        subset = b" [" + kept + b"]" if kept else b""
        return b"<!DOCTYPE " + match.group(1).strip() + subset + b">"

    return _DOCTYPE.sub(reduce, body, count=1)


def _defuse_charrefs(body: bytes) -> bytes:
    """A reference to a surrogate, NUL or out-of-range code point makes feedparser raise
    UnicodeEncodeError mid-parse (R10); U+FFFD keeps the rest of the document."""
    if b"&#" not in body:
        return body

    def replace(match: re.Match[bytes]) -> bytes:
        digits = match.group(1) or match.group(2)
        code = int(digits, 16 if match.group(1) else 10)
        if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            return b"&#xFFFD;"
        return match.group(0)

    return _CHARREF.sub(replace, body)
