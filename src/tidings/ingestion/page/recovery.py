"""Paragraphs trafilatura left behind when a story is split over sibling containers.

Many pages cut the body into several containers of the same class, with advertising or
a "most popular" rail in between; trafilatura keeps the first one. We find the
containers holding the paragraphs it did keep, and take back the other paragraphs that
sit in a container of the very same tag and class, in page order.
"""

from __future__ import annotations

from collections import Counter

from lxml import html as lxml_html

from tidings.ingestion.page.blocks import Block, clean_space, word_key

_OFF_STORY = (
    "related", "comment", "promo", "newsletter", "share", "social", "footer", "sidebar",
    "caption", "credit", "teaser", "recirc", "popular", "trending", "subscribe", "signup",
    "advert", "sponsor", "author-bio", "byline", "nav", "menu", "breadcrumb",
)  # fmt: skip
_OFF_TAGS = {"aside", "nav", "footer", "header", "form", "figure", "figcaption", "button"}
_MIN_WORDS = 8
_ANCESTOR_DEPTH = 4  # the page's outer wrappers carry classes like "has-sidebar"
_MIN_KEPT_IN_CONTAINER = 2


def _signature(element) -> tuple[str, str] | None:
    parent = element.getparent()
    if parent is None or not (parent.get("class") or "").strip():
        return None
    return parent.tag, " ".join(sorted(parent.get("class").split()))


def _off_story(element) -> bool:
    for depth, node in enumerate(element.iterancestors()):
        if depth >= _ANCESTOR_DEPTH or node.tag in ("body", "html"):
            return False
        if node.tag in _OFF_TAGS:
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
        if any(word in marks for word in _OFF_STORY):
            return True
    return False


def recover_split_body(blocks: list[Block], *, tree: lxml_html.HtmlElement) -> list[Block]:
    """``blocks`` with the missing paragraphs of the story's containers put back in order."""
    paragraphs = list(tree.iter("p"))
    kept_keys = {word_key(block.text) for block in blocks}
    position: dict[str, int] = {}
    signatures: Counter[tuple[str, str]] = Counter()
    for index, paragraph in enumerate(paragraphs):
        key = word_key(paragraph.text_content())
        if key in kept_keys and key not in position:
            position[key] = index
            if (signature := _signature(paragraph)) is not None:
                signatures[signature] += 1
    story = {sig for sig, count in signatures.items() if count >= _MIN_KEPT_IN_CONTAINER}
    if not story:
        return blocks
    extra: list[tuple[int, Block]] = []
    for index, paragraph in enumerate(paragraphs):
        text = clean_space(paragraph.text_content())
        key = word_key(text)
        if key in kept_keys or len(key.split()) < _MIN_WORDS or _signature(paragraph) not in story:
            continue
        if _off_story(paragraph):
            continue
        kept_keys.add(key)
        extra.append((index, Block("p", text, f"<p>{_escape(text)}</p>")))
    if not extra:
        return blocks
    return _merge(blocks, extra, position)


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def _merge(blocks: list[Block], extra: list[tuple[int, Block]], position: dict[str, int]):
    """Interleave recovered paragraphs with the kept blocks by page position."""
    merged: list[Block] = []
    pending = sorted(extra, key=lambda pair: pair[0])
    for block in blocks:
        here = position.get(word_key(block.text))
        while here is not None and pending and pending[0][0] < here:
            merged.append(pending.pop(0)[1])
        merged.append(block)
    merged.extend(block for _, block in pending)
    return merged
