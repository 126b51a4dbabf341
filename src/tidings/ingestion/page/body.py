"""The article body: trafilatura (precision mode) as the base, then our repairs."""

from __future__ import annotations

from dataclasses import dataclass, field

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import Document

from tidings.ingestion.page import boilerplate
from tidings.ingestion.page.blocks import Block, body_blocks, clean_space, safe_href, word_key
from tidings.ingestion.page.recovery import recover_split_body
from tidings.ingestion.types import RelatedLink

@dataclass
class Body:
    blocks: list[Block] = field(default_factory=list)
    related_links: list[RelatedLink] = field(default_factory=list)
    document: Document | None = None  # trafilatura's own metadata, used as a fallback


def run_trafilatura(tree: lxml_html.HtmlElement, *, url: str | None) -> Document | None:
    """trafilatura in precision mode: comments off (they are never the story)."""
    return trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        include_links=False,  # links change trafilatura's choices; we add them back
        include_formatting=False,
        with_metadata=True,
    )


def caption_keys(tree: lxml_html.HtmlElement) -> set[str]:
    """Photo captions and credits on the page: when they leak into the body, they go."""
    nodes = tree.xpath(
        "//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')"
        " or contains(@class, '-caption') or contains(@class, 'caption-')"
        " or contains(@class, 'image-credit') or contains(@class, 'photo-credit')]"
    )
    return {key for node in nodes if (key := word_key(node.text_content()))}


def anchor_urls(tree: lxml_html.HtmlElement, *, base: str | None) -> dict[str, str]:
    """Anchor text → link target, to give "Read more" lines a URL when the body lost it."""
    found: dict[str, str] = {}
    for anchor in tree.iter("a"):
        key = word_key(anchor.text_content())
        href = safe_href(anchor.get("href"), base=base)
        if key and href and key not in found:
            found[key] = href
    return found


def filter_blocks(
    blocks: list[Block], *, captions: set[str], anchors: dict[str, str]
) -> tuple[list[Block], list[RelatedLink]]:
    """Drop promos, teasers, duplicated captions and echoes; lift out "Read more" links."""
    kept: list[Block] = []
    related: list[RelatedLink] = []
    previous = ""
    for block in blocks:
        link = boilerplate.related_link(block)
        if link is not None:
            if not link.url and link.title:
                link.url = anchors.get(word_key(link.title), "")
            if link.url:
                related.append(link)
            continue
        key = word_key(block.text)
        if boilerplate.is_promo(block) or boilerplate.is_teaser(block) or key in captions:
            continue
        if key == previous:  # a repeat in a row is a layout echo; interviews repeat questions
            continue
        previous = key
        kept.append(block)
    return kept, related


def extract_body(*, tree: lxml_html.HtmlElement, url: str | None) -> Body:
    """The story's blocks and its in-body related links, plus trafilatura's metadata."""
    document = run_trafilatura(tree, url=url)
    if document is None:
        return Body()
    blocks = body_blocks(document.body, base=url)
    kept, related = filter_blocks(
        blocks, captions=caption_keys(tree), anchors=anchor_urls(tree, base=url)
    )
    return Body(blocks=kept, related_links=related, document=document)


__all__ = ["Body", "clean_space", "extract_body"]
