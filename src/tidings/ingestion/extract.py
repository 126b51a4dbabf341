"""HTML article pages → ``ExtractedArticle``: the body and every field a newsroom needs.

The body comes from trafilatura in precision mode, repaired (split bodies put back
together, promos, teasers, duplicated captions and "Read more" lines taken out); the
metadata from JSON-LD, Open Graph and meta tags, then the page's own markup, then
trafilatura's guesses. Pure: no network, no database.
"""

from __future__ import annotations

from html import escape

from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import load_html

from tidings.ingestion.page import metadata
from tidings.ingestion.page.blocks import Block, clean_space, render_html, render_text, word_key
from tidings.ingestion.page.body import THIN_BODY_WORDS, extract_body
from tidings.ingestion.page.fallback import Fallback
from tidings.ingestion.page.image import lead_image
from tidings.ingestion.page.language import declared_language, detect_language
from tidings.ingestion.page.signals import Signals, gather
from tidings.ingestion.types import ExtractedArticle


def parse_page(html: str | bytes) -> lxml_html.HtmlElement | None:
    """The page's tree (bytes are decoded from their declared or detected encoding)."""
    if not html:
        return None
    try:
        return load_html(html)
    except (ValueError, TypeError):
        return None


def extract_page(*, html: str | bytes, url: str | None = None) -> ExtractedArticle:
    """Everything we can read from one article page; missing fields stay empty."""
    tree = parse_page(html)
    if tree is None:
        return ExtractedArticle(url=url)
    signals, fallback = gather(tree), Fallback(tree, url=url)
    base = url or metadata.canonical_url(signals=signals, url=None)  # resolves relative links
    headline = metadata.headline(tree=tree, signals=signals, fallback=fallback)
    body = extract_body(tree=tree, signals=signals, url=base, declared=declared_body(signals))
    blocks = without_headline(body.blocks, headline=headline)
    article = ExtractedArticle(url=url, headline=headline, body_text=render_text(blocks))
    article.body_html = render_html(blocks)
    article.related_links = body.related_links
    _fill_metadata(article, tree=tree, signals=signals, fallback=fallback, dropped=body.dropped)
    return article


def declared_body(signals: Signals) -> list[Block]:
    """The JSON-LD ``articleBody`` as paragraphs: the fallback when the markup gave nothing.

    Only a fallback: publishers often truncate it or leave out paragraphs, so a body read
    from the page is preferred whenever there is one.
    """
    declared = signals.article.get("articleBody")
    if not isinstance(declared, str):
        return []
    try:
        text = clean_space(lxml_html.fromstring(f"<div>{declared}</div>").text_content())
    except (ValueError, etree.ParserError):  # control characters, or markup lxml refuses
        return []
    if len(text.split()) < THIN_BODY_WORDS:
        return []
    return [Block("p", line, f"<p>{escape(line, quote=False)}</p>") for line in text.split("\n")]


def without_headline(blocks: list[Block], *, headline: str | None) -> list[Block]:
    """The body without the headline repeated at its top (it has its own field)."""
    key = word_key(headline or "")
    if key and blocks and word_key(blocks[0].text) == key:
        return blocks[1:]
    return blocks


def _fill_metadata(
    article: ExtractedArticle, *, tree, signals: Signals, fallback: Fallback, dropped: list[str]
) -> None:
    url = article.url
    article.canonical_url = metadata.canonical_url(signals=signals, url=url)
    article.standfirst = metadata.standfirst(tree=tree, signals=signals)
    raw_bylines = metadata.byline_sources(tree=tree, signals=signals, fallback=fallback)
    article.bylines, article.agency = metadata.bylines_and_agency(
        raw=raw_bylines, body_text=article.body_text, credits=dropped
    )
    article.published, article.updated = metadata.published_updated(
        tree=tree, signals=signals, fallback=fallback, url=url or article.canonical_url
    )
    trail = metadata.breadcrumb(tree=tree, signals=signals)
    article.section = metadata.section(
        trail=trail, signals=signals, url=article.canonical_url or url, title=article.headline
    )
    article.breadcrumb = without_headline_step(trail, headline=article.headline)
    article.topics = metadata.topics(signals=signals)
    article.image = lead_image(tree=tree, signals=signals, url=url or article.canonical_url)
    article.language = declared_language(signals) or detect_language(article.body_text)


def without_headline_step(trail: list[str], *, headline: str | None) -> list[str]:
    """The breadcrumb trail without its last step when that step is the story itself."""
    if trail and headline and word_key(trail[-1]) == word_key(headline):
        return trail[:-1]
    return trail
