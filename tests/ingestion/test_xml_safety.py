"""SECURITY.md X1–X4: entity bombs, external entities, one safe parser, element caps."""

from __future__ import annotations

import ast
import contextlib
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tidings.common.errors import ApplicationError
from tidings.common.xml import XmlTooLargeError, XmlUnsafeError, parse_xml
from tidings.ingestion.feeds import FeedParseError, parse_feed
from tidings.ingestion.opml import OpmlError, parse_opml
from tidings.ingestion.sitemaps import SitemapError, parse_sitemap
from tidings.ingestion.wire import WireParseError, parse_newsml_g2

FEED_URL = "https://news.example.com/feed.xml"


def billion_laughs(root: str, body: str) -> str:
    """10 levels of 10 references each: 10^10 "lol"s if anything expanded it."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 11)]
    return f"<!DOCTYPE {root} [{''.join(entities)}]>{body.replace('BOMB', '&lol10;')}"


def quadratic_blowup(root: str, body: str) -> str:
    """A 50 KB entity referenced 20,000 times: 1 GB if expanded."""
    return f'<!DOCTYPE {root} [<!ENTITY a "{"x" * 50_000}">]>' + body.replace(
        "BOMB", "&a;" * 20_000
    )


RSS = '<rss version="2.0"><channel><title>BOMB</title><item><title>BOMB</title><description>BOMB</description></item></channel></rss>'  # noqa: E501
OPML = (
    '<opml version="2.0"><head><title>BOMB</title></head><body><outline text="BOMB" xmlUrl="https://n.example/rss"/>'
    "</body></opml>"
)


def encoded(document: str, encoding: str) -> bytes:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
    return (declaration + document).encode("utf-16" if encoding == "utf-16" else encoding)


BOMBS = {
    f"{name}-{encoding}": (build, encoding)
    for name, build in (("billion-laughs", billion_laughs), ("quadratic", quadratic_blowup))
    for encoding in ("utf-8", "utf-16")
}


def fields_of(feed) -> Iterator[str]:
    yield from (feed.title or "", feed.description or "")
    for entry in feed.entries:
        yield from (entry.title or "", entry.summary or "", entry.body_html, entry.body_text)


@pytest.mark.parametrize(("build", "encoding"), list(BOMBS.values()), ids=list(BOMBS))
def test_x1_entity_bomb_as_rss_is_not_expanded(build: Callable, encoding: str) -> None:
    body = encoded(build("rss", RSS), encoding)
    started = time.perf_counter()
    try:
        feed = parse_feed(body=body, url=FEED_URL)
    except FeedParseError:
        feed = None
    assert time.perf_counter() - started < 2.0
    # Nested or large entity declarations are refused outright (the cheapest safe answer).
    assert feed is None
    if feed is not None:
        # Nothing expanded: the references may survive as text, but never their values.
        assert sum(len(text) for text in fields_of(feed)) <= 4 * len(body)
        assert not any("lollol" in text or "xxxxxxxxxx" in text for text in fields_of(feed))


@pytest.mark.parametrize(("build", "encoding"), list(BOMBS.values()), ids=list(BOMBS))
def test_x1_entity_bomb_as_opml_is_refused(build: Callable, encoding: str) -> None:
    body = encoded(build("opml", OPML), encoding)
    started = time.perf_counter()
    with pytest.raises(OpmlError, match="refused"):
        parse_opml(body=body)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("target", ["rss", "opml"])
def test_x1_entity_bombs_stay_under_100_mib(target: str) -> None:
    tracemalloc.start()
    try:
        for build in (billion_laughs, quadratic_blowup):
            if target == "rss":
                with contextlib.suppress(FeedParseError):
                    parse_feed(body=encoded(build("rss", RSS), "utf-8"), url=FEED_URL)
            else:
                with pytest.raises(OpmlError):
                    parse_opml(body=encoded(build("opml", OPML), "utf-16"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024


# -- X2 -------------------------------------------------------------------------------------


@pytest.fixture
def loopback_listener() -> Iterator[tuple[int, list[int]]]:
    """A TCP listener on 127.0.0.1 that counts connections; it must see none."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.1)
    connections: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _address = server.accept()
            except OSError:
                continue
            connections.append(1)
            client.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join(timeout=2)
    server.close()


def external_documents(port: int) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}/entity"
    return {
        "file-entity": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
        "http-entity": f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]>',
        "parameter-entity": f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]>',
        "external-dtd": f'<!DOCTYPE r SYSTEM "{url}">',
    }


PARSERS: dict[str, tuple[str, Callable[[bytes], object], type[Exception]]] = {
    "rss": (
        '<rss version="2.0"><channel><title>&x;</title><item><title>&x;</title></item>'
        "</channel></rss>",
        lambda body: parse_feed(body=body, url=FEED_URL),
        FeedParseError,
    ),
    "opml": (
        '<opml version="2.0"><head><title>&x;</title></head><body/></opml>',
        lambda body: parse_opml(body=body),
        OpmlError,
    ),
    "sitemap": (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;</loc></url></urlset>',
        lambda body: parse_sitemap(body=body),
        SitemapError,
    ),
    "newsml": (
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g"><contentMeta>'
        "<headline>&x;</headline></contentMeta></newsItem>",
        lambda body: parse_newsml_g2(body=body),
        WireParseError,
    ),
}


@pytest.mark.parametrize("kind", ["file-entity", "http-entity", "parameter-entity", "external-dtd"])
@pytest.mark.parametrize("parser", list(PARSERS))
def test_x2_external_entities_are_never_resolved(
    parser: str, kind: str, loopback_listener: tuple[int, list[int]]
) -> None:
    port, connections = loopback_listener
    body_template, parse, error = PARSERS[parser]
    doctype = external_documents(port)[kind]
    body = (doctype + body_template).encode()
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    try:
        result = parse(body)
    except error:
        result = None
    time.sleep(0.2)  # give a stray connection time to arrive
    assert connections == []
    if result is not None and hostname:
        assert hostname not in repr(result)


# -- X3 -------------------------------------------------------------------------------------

WRAPPER = REPO / "src" / "tidings" / "common" / "xml.py"
BANNED_MODULES = ("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "lxml.etree", "lxml.objectify")
LXML_XML_ENTRY_POINTS = {
    "fromstring", "XML", "parse", "iterparse", "XMLParser", "XMLPullParser", "XMLID",
    "fromstringlist", "XMLDTDID", "ETCompatXMLParser",
}  # fmt: skip


def xml_parser_uses(tree: ast.AST) -> Iterator[str]:
    """Imports of the standard XML parsers, and calls of lxml.etree's XML entry points.
    (`from lxml import etree` for element types, and lxml.html, stay allowed.)"""
    etree_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "lxml.etree":
                    etree_names.add(alias.asname or "lxml.etree")
                elif alias.name.startswith(BANNED_MODULES[:4]):
                    yield f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(BANNED_MODULES[:4]) or node.module == "xml":
                yield f"from {node.module} import ..."
            elif node.module == "lxml":
                etree_names |= {a.asname or a.name for a in node.names if a.name == "etree"}
            elif node.module.startswith(BANNED_MODULES[4:]):
                banned = {a.name for a in node.names} & LXML_XML_ENTRY_POINTS
                yield from (f"from {node.module} import {name}" for name in banned)
    for node in ast.walk(tree):
        is_entry_point = isinstance(node, ast.Attribute) and node.attr in LXML_XML_ENTRY_POINTS
        if is_entry_point and ast.unparse(node.value) in etree_names:
            yield ast.unparse(node)


def test_x3_no_xml_parser_outside_the_wrapper() -> None:
    offenders = []
    for path in sorted((REPO / "src").rglob("*.py")):
        if path == WRAPPER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [f"{path.relative_to(REPO)}: {use}" for use in xml_parser_uses(tree)]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "import xml.etree.ElementTree as ET",
        "from xml.dom import minidom",
        "from xml import sax",
        "import xml.sax.saxutils",
        "from lxml import etree\netree.fromstring(b'<a/>')",
        "import lxml.etree as LE\nLE.XML(b'<a/>')",
        "from lxml.etree import iterparse",
    ],
)
def test_x3_the_static_check_catches_each_entry_point(source: str) -> None:
    assert list(xml_parser_uses(ast.parse(source)))


def test_x3_the_static_check_allows_html_parsing() -> None:
    source = "from lxml import html, etree\nhtml.fromstring('<p>')\nx: etree._Element"
    assert list(xml_parser_uses(ast.parse(source))) == []


def test_x3_the_wrapper_refuses_dtds_outright() -> None:
    with pytest.raises(XmlUnsafeError):
        parse_xml(body=b'<!DOCTYPE a SYSTEM "a.dtd"><a/>')
    assert isinstance(XmlUnsafeError("x"), ApplicationError)


# -- X4 -------------------------------------------------------------------------------------


def test_x4_opml_with_100000_outlines_is_refused_quickly() -> None:
    outlines = "".join(
        f'<outline text="f{i}" xmlUrl="https://n{i}.example/rss"/>' for i in range(100_000)
    )
    body = f'<opml version="2.0"><head/><body>{outlines}</body></opml>'.encode()
    started = time.perf_counter()
    with pytest.raises(OpmlError, match="more than 5000 feeds"):
        parse_opml(body=body)
    assert time.perf_counter() - started < 5.0


def test_x4_opml_at_the_limit_is_accepted() -> None:
    outlines = "".join(
        f'<outline text="f{i}" xmlUrl="https://n{i}.example/rss"/>' for i in range(300)
    )
    body = f'<opml version="2.0"><head/><body>{outlines}</body></opml>'.encode()
    assert len(parse_opml(body=body, limit=300)) == 300
    assert len(parse_opml(body=body, limit=250)) == 250


def test_x4_sitemap_past_the_limit_is_truncated() -> None:
    urls = "".join(f"<url><loc>https://n.example/{i}</loc></url>" for i in range(1_500))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
    sitemap = parse_sitemap(body=body, limit=1_000)
    assert (len(sitemap.entries), sitemap.truncated) == (1_000, True)
    assert sitemap.entries[-1].url == "https://n.example/999"


def test_x4_element_cap_in_the_wrapper() -> None:
    with pytest.raises(XmlTooLargeError):
        parse_xml(body=b"<a>" + b"<b/>" * 101 + b"</a>", max_elements=100)
    with pytest.raises(XmlTooLargeError):
        parse_xml(body=b"<a/>" + b" " * 100, max_bytes=50)
