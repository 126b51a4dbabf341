"""The article body: trafilatura (precision mode) as the base, then our repairs."""

from __future__ import annotations

from dataclasses import dataclass, field

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import Document

from tidings.ingestion.page import boilerplate
from tidings.ingestion.page.blocks import (
    Block,
    body_blocks,
    clean_space,
    linkify,
    safe_href,
    word_key,
)
from tidings.ingestion.page.recovery import recover_split_body
from tidings.ingestion.page.signals import Signals
from tidings.ingestion.types import RelatedLink

THIN_BODY_WORDS = 40  # below this the page has not given us a story yet


@dataclass
class Body:
    blocks: list[Block] = field(default_factory=list)
    related_links: list[RelatedLink] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # promo and label lines ("Source: AFP")


def run_trafilatura(
    tree: lxml_html.HtmlElement, *, url: str | None, precise: bool = True
) -> Document | None:
    """trafilatura, in precision mode unless asked otherwise; comments are never the story."""
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=precise,
        include_comments=False,
        include_tables=True,
        include_links=False,  # links change trafilatura's choices; we add them back
        include_formatting=False,
    )
    return document if isinstance(document, Document) else None  # dicts only with as_dict


# Pop-up cards and screen-reader notes nested inside paragraphs: their text reads as
# nonsense glued into a sentence ("Gov. Kristi NoemKristi Lynn NoemSouth Dakota …").
_INLINE_WIDGETS = (
    "//p//*[@class][contains(@class, 'tooltip') or contains(@class, 'popover') or "
    "contains(@class, 'hovercard') or contains(@class, 'hover-card') or "
    "contains(@class, 'rollover') or contains(@class, 'sr-only') or "
    "contains(@class, 'visually-hidden') or contains(@class, 'screen-reader')]"
)


def prune_inline_widgets(tree: lxml_html.HtmlElement) -> None:
    """Remove pop-up cards and hidden notes inside paragraphs, keeping the text after them."""
    for widget in tree.xpath(_INLINE_WIDGETS):
        if widget.getparent() is not None:
            widget.drop_tree()


def caption_keys(signals: Signals) -> set[str]:
    """Photo captions and credits on the page: when they leak into the body, they go."""
    nodes = signals.marked.get("caption", [])
    return {key for node in nodes if (key := word_key(node.text_content()))}


def anchor_url(tree: lxml_html.HtmlElement, *, title: str, base: str | None) -> str:
    """The page link whose text is ``title``: "Read more" lines often lose their link."""
    wanted = word_key(title)
    for anchor in tree.iter("a"):
        if word_key(anchor.text_content()) == wanted:
            return safe_href(anchor.get("href"), base=base) or ""
    return ""


def filter_blocks(
    blocks: list[Block], *, tree: lxml_html.HtmlElement, signals: Signals, base: str | None
) -> Body:
    """Drop promos, teasers, duplicated captions and echoes; lift out "Read more" links."""
    captions = caption_keys(signals)
    kept: list[Block] = []
    dropped: list[str] = []
    related: list[RelatedLink] = []
    previous = ""
    for block in blocks:
        link = boilerplate.related_link(block)
        if link is not None:
            if not link.url and link.title:
                link.url = anchor_url(tree, title=link.title, base=base)
            if link.url:
                related.append(link)
            continue
        key = word_key(block.text)
        if boilerplate.is_promo(block) or boilerplate.is_teaser(block) or key in captions:
            dropped.append(block.text)
            continue
        if key == previous:  # a repeat in a row is a layout echo; interviews repeat questions
            continue
        previous = key
        kept.append(block)
    return Body(blocks=kept, related_links=related, dropped=dropped)


def extract_body(
    *, tree: lxml_html.HtmlElement, signals: Signals, url: str | None, declared: list[Block]
) -> Body:
    """The story's blocks and its in-body related links.

    When precision mode finds no story (it can discard a short one whole), the body the
    page declares (JSON-LD ``articleBody``) comes next, then trafilatura's default mode.
    """
    prune_inline_widgets(tree)
    blocks = _trafilatura_blocks(tree, url=url, precise=True)
    if _words(blocks) < THIN_BODY_WORDS:
        if declared:
            return Body(blocks=declared)
        blocks = max(blocks, _trafilatura_blocks(tree, url=url, precise=False), key=_words)
    blocks = recover_split_body(blocks, tree=tree)
    relink(blocks, tree=tree, base=url)  # teasers and "Read more" lines are told by links
    return filter_blocks(blocks, tree=tree, signals=signals, base=url)


def _trafilatura_blocks(tree, *, url: str | None, precise: bool) -> list[Block]:
    document = run_trafilatura(tree, url=url, precise=precise)
    return body_blocks(document.body, base=url) if document is not None else []


def _words(blocks: list[Block]) -> int:
    return sum(len(block.text.split()) for block in blocks)


def relink(blocks: list[Block], *, tree: lxml_html.HtmlElement, base: str | None) -> None:
    """Put the page's links back into the kept blocks (matched by their words)."""
    wanted = {word_key(block.text): block for block in blocks if block.kind != "table"}
    for node in tree.xpath("//p[.//a] | //li[.//a] | //h2[.//a] | //h3[.//a] | //blockquote[.//a]"):
        block = wanted.pop(word_key(node.text_content()), None)
        if block is None:
            continue
        anchors = []
        for anchor in node.iter("a"):
            href, text = (
                safe_href(anchor.get("href"), base=base),
                clean_space(anchor.text_content()),
            )
            if href and text:
                anchors.append((href, text))
        linkify(block, anchors)
        if not wanted:
            return
