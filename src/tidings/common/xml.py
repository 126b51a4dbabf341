"""The one place XML is parsed (SECURITY.md X1–X4).

Everything that is not a feed (OPML, sitemaps, NewsML-G2, oEmbed, SVG favicons) is parsed
here, through defusedxml with DTDs, entity declarations and external references all
refused, and with caps on input size and element count. Feeds go through feedparser,
which never expands entities; nothing else may import an XML parser (a static test
enforces it).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, tostring

import defusedxml
import defusedxml.ElementTree as safe_etree

from tidings.common.errors import ApplicationError

MAX_XML_BYTES = 16 * 1024 * 1024
MAX_XML_ELEMENTS = 2_000_000
_DECLARED_ENCODING = re.compile(
    rb"""\s*<\?xml[^>]*?encoding\s*=\s*(["'])(([A-Za-z0-9._-]{1,40}))\1"""
)

__all__ = [
    "Element",
    "XmlError",
    "XmlTooLargeError",
    "XmlUnsafeError",
    "child",
    "child_text",
    "children",
    "local_name",
    "new_element",
    "parse_xml",
    "render_xml",
    "serialise_children",
    "text_content",
]


class XmlError(ApplicationError):
    """The document is not XML we can read."""


class XmlUnsafeError(XmlError):
    """The document declares a DTD, entities or external references: refused unread."""


class XmlTooLargeError(XmlError):
    """The document is over the byte or element cap."""


def parse_xml(
    *, body: bytes, max_bytes: int = MAX_XML_BYTES, max_elements: int = MAX_XML_ELEMENTS
) -> Element:
    """Parse untrusted bytes into an element tree, or raise an ``XmlError`` subclass."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise XmlError(f"XML must be given as bytes, not {type(body).__name__}")
    if len(body) > max_bytes:
        raise XmlTooLargeError(f"XML document is {len(body)} bytes, over the {max_bytes} cap")
    try:
        return _parse(bytes(body), max_elements)
    except ValueError as error:
        if "multi-byte encodings" not in str(error):
            raise XmlError(f"XML is malformed: {error}") from error
    # expat reads only single-byte encodings and UTF-8/16 itself (found by fuzzing a Big5
    # sitemap); Python's codecs read the rest.
    return _parse(_as_utf8(bytes(body)), max_elements)


def _parse(body: bytes, max_elements: int) -> Element:
    root: Element | None = None
    try:
        events = safe_etree.iterparse(io.BytesIO(body), events=("start",), forbid_dtd=True)
        for count, (_event, element) in enumerate(events, start=1):
            root = element if root is None else root
            if count > max_elements:
                raise XmlTooLargeError(f"XML document has over {max_elements} elements")
    except defusedxml.DefusedXmlException as error:
        raise XmlUnsafeError(f"XML refused: {type(error).__name__}") from error
    except (ParseError, UnicodeError, LookupError) as error:
        raise XmlError(f"XML is malformed: {error}") from error
    if root is None:
        raise XmlError("XML document is empty")
    return root


def _as_utf8(body: bytes) -> bytes:
    match = _DECLARED_ENCODING.match(body)
    if match is None:
        raise XmlError("XML declares an encoding the parser cannot read")
    try:
        text = body.decode(match.group(3).decode("ascii"), "replace")
    except (LookupError, UnicodeError, ValueError) as error:
        raise XmlError(f"XML declares an unknown encoding: {error}") from error
    declaration = match.group(0).decode("ascii").replace(match.group(3).decode("ascii"), "utf-8", 1)
    return (declaration + text[len(match.group(0)) :]).encode("utf-8")


def local_name(tag: object) -> str:
    """``{namespace}name`` → ``name`` (comments and processing instructions → "")."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> Iterator[Element]:
    """Direct children with this local name, whatever their namespace."""
    return (item for item in element if local_name(item.tag) == name)


def child(element: Element, name: str) -> Element | None:
    return next(children(element, name), None)


def text_content(element: Element | None) -> str:
    """All text inside an element, whitespace collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def child_text(element: Element, name: str) -> str | None:
    """The collapsed text of the first child with this local name, or None when empty."""
    return text_content(child(element, name)) or None


def serialise_children(element: Element) -> str:
    """The markup inside an element as HTML, namespace prefixes dropped (inline XHTML)."""
    for item in element.iter():
        if isinstance(item.tag, str):
            item.tag = local_name(item.tag)
            item.attrib = {local_name(key): value for key, value in item.attrib.items()}
    inner = [tostring(item, encoding="unicode", method="html") for item in element]
    return (element.text or "") + "".join(inner)


def new_element(tag: str, attributes: dict[str, str] | None = None) -> Element:
    """An element for documents we write (OPML export); parsing stays in ``parse_xml``."""
    return Element(tag, attributes or {})


def render_xml(root: Element) -> bytes:
    """UTF-8 bytes with an XML declaration; ElementTree escapes text and attributes."""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(
        root, encoding="utf-8", xml_declaration=False
    )
