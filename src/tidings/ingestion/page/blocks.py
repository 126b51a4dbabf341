"""Body blocks: trafilatura's XML body turned into paragraphs we can filter and render."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

_WORDS = re.compile(r"\w+")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_HEADING_LEVELS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_NESTED_BLOCKS = {"p", "head", "item", "list", "quote"}
_INLINE = {"#b": "strong", "#i": "em", "#t": "code", "#sub": "sub", "#sup": "sup"}


@dataclass
class Block:
    """One top-level piece of the body: a paragraph, heading, list item, quote or table."""

    kind: str  # p, h2..h4, li, blockquote, pre, table
    text: str
    html: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, anchor text)
    list_id: int | None = None  # items of the same list share it (to re-wrap in <ul>)
    ordered: bool = False

    @property
    def link_text_share(self) -> float:
        """How much of the block is link anchor text (teasers are all link)."""
        words = len(self.text.split())
        return sum(len(anchor.split()) for _, anchor in self.links) / words if words else 0.0


def clean_space(text: str) -> str:
    """Collapse runs of spaces inside lines and blank lines between them."""
    lines = (_SPACE.sub(" ", line).strip() for line in _NEWLINES.split(text))
    return "\n".join(line for line in lines if line)


def word_key(text: str) -> str:
    """Text reduced to its lower-cased words, to compare DOM text with extracted text."""
    return " ".join(_WORDS.findall(text.lower()))


def safe_href(href: object, *, base: str | None) -> str | None:
    """Absolute http(s) link or None: body HTML must never carry script or data links.

    JSON-LD hands us whatever a page declared (numbers, objects), so anything but a
    non-empty string is no link at all.
    """
    if not isinstance(href, str) or not href.strip():
        return None
    try:
        absolute = urljoin(base, href.strip()) if base else href.strip()
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None
    except ValueError:  # an unbalanced "[" in a host, an impossible port
        return None


def _inline(element: etree._Element, *, base: str | None, links: list) -> tuple[str, str]:
    """Text and escaped HTML of an element's content, keeping links and emphasis."""
    texts, parts = [element.text or ""], [html.escape(element.text or "", quote=False)]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "lb":
            texts.append("\n")
            parts.append("<br>")
        elif tag in ("graphic", "fw", "del"):
            pass
        elif tag in _NESTED_BLOCKS:  # a paragraph inside a quote: keep it on its own line
            inner_text, inner_html = _inline(child, base=base, links=links)
            texts.append(f"\n{inner_text}\n")
            parts.append(f"<br>{inner_html}<br>")
        else:
            inner_text, inner_html = _inline(child, base=base, links=links)
            texts.append(inner_text)
            parts.append(_wrap_inline(child, inner_text, inner_html, base=base, links=links))
        texts.append(child.tail or "")
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(texts), "".join(parts)


def _wrap_inline(child, inner_text: str, inner_html: str, *, base, links: list) -> str:
    if child.tag == "ref":
        href = safe_href(child.get("target"), base=base)
        if href is None:
            return inner_html
        links.append((href, clean_space(inner_text)))
        return f'<a href="{html.escape(href)}">{inner_html}</a>'
    if child.tag == "hi" and child.get("rend") in _INLINE:
        tag = _INLINE[child.get("rend")]
        return f"<{tag}>{inner_html}</{tag}>"
    return inner_html


def _block(kind: str, element, *, base: str | None, **extra) -> Block | None:
    links: list[tuple[str, str]] = []
    text, inner_html = _inline(element, base=base, links=links)
    text = clean_space(text)
    if not text:
        return None
    inner_html = re.sub(r"\s+", " ", inner_html).strip()
    return Block(kind, text, f"<{kind}>{inner_html}</{kind}>", links, **extra)


def _table_block(element, *, base: str | None) -> Block | None:
    rows, texts = [], []
    for row in element.iter("row"):
        cells = [clean_space("".join(cell.itertext())) for cell in row.iter("cell")]
        tag = "th" if row.get("role") == "head" else "td"
        rows.append("".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells))
        texts.append(" ".join(c for c in cells if c))
    text = "\n".join(t for t in texts if t)
    if not text:
        return None
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    return Block("table", text, f"<table>{body}</table>")


def body_blocks(body: etree._Element | None, *, base: str | None) -> list[Block]:
    """Flatten trafilatura's ``<body>`` (p, head, list/item, quote, table, code) to blocks."""
    blocks: list[Block] = []
    if body is None:
        return blocks
    if text := clean_space(body.text or ""):
        blocks.append(Block("p", text, f"<p>{_escape_text(text)}</p>"))
    for index, element in enumerate(body):
        blocks.extend(b for b in _element_blocks(element, index=index, base=base) if b is not None)
        # trafilatura leaves text that followed a heading or list as that element's tail
        if text := clean_space(element.tail or ""):
            blocks.append(Block("p", text, f"<p>{_escape_text(text)}</p>"))
    return [block for block in blocks if block is not None]


def _element_blocks(element, *, index: int, base: str | None) -> list[Block | None]:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "head":
        return [_block(_HEADING_LEVELS.get(element.get("rend", "h2"), "h2"), element, base=base)]
    if tag == "list":
        ordered = element.get("rend", "").startswith("o")
        return [
            _block("li", item, base=base, list_id=index, ordered=ordered)
            for item in element.iter("item")
        ]
    if tag == "quote":
        return [_block("blockquote", element, base=base)]
    if tag == "code":
        return [_block("pre", element, base=base)]
    if tag == "table":
        return [_table_block(element, base=base)]
    if tag in ("graphic", "lb"):
        return []
    return [_block("p", element, base=base)]


def render_text(blocks: list[Block]) -> str:
    """Plain body text: one block per line (list items and table rows on their own)."""
    return "\n".join(block.text for block in blocks)


def render_html(blocks: list[Block]) -> str:
    """Clean body HTML; consecutive items of one list are wrapped back in ``ul``/``ol``."""
    parts: list[str] = []
    open_list: int | None = None
    for block in blocks:
        if open_list is not None and block.list_id != open_list:
            parts.append("</ol>" if parts_ordered(parts) else "</ul>")
            open_list = None
        if block.kind == "li" and open_list is None:
            parts.append("<ol>" if block.ordered else "<ul>")
            open_list = block.list_id
        parts.append(block.html)
    if open_list is not None:
        parts.append("</ol>" if parts_ordered(parts) else "</ul>")
    return "\n".join(parts)


def parts_ordered(parts: list[str]) -> bool:
    """Whether the innermost open list in ``parts`` is an ordered one."""
    for part in reversed(parts):
        if part in ("<ol>", "<ul>"):
            return part == "<ol>"
    return False


def _escape_text(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def linkify(block: Block, anchors: list[tuple[str, str]]) -> Block:
    """``block`` with the page's own links (href, anchor text) put back around their text.

    trafilatura is run without links because keeping them changes which paragraphs it
    keeps (much worse precision), so links come from the matching paragraph of the page.
    """
    inner, cursor, kept = [], 0, []
    for href, anchor in anchors:
        start = block.text.find(anchor, cursor) if anchor else -1
        if start < 0:
            continue
        inner.append(_escape_text(block.text[cursor:start]))
        inner.append(f'<a href="{html.escape(href)}">{_escape_text(anchor)}</a>')
        cursor = start + len(anchor)
        kept.append((href, anchor))
    if not kept:
        return block
    inner.append(_escape_text(block.text[cursor:]))
    block.html = f"<{block.kind}>{''.join(inner)}</{block.kind}>"
    block.links = kept
    return block
