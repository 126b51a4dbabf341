"""HTML article pages → ``ExtractedArticle``: the body and every field a newsroom needs.

The body comes from trafilatura in precision mode, repaired (split bodies put back
together, promos, teasers, duplicated captions and "Read more" lines taken out); the
metadata from JSON-LD, Open Graph and meta tags, then the page's own markup, then
trafilatura's guesses. Pure: no network, no database.
"""

from __future__ import annotations

from lxml import html as lxml_html
from trafilatura.utils import load_html

from tidings.ingestion.page import metadata
from tidings.ingestion.page.blocks import render_html, render_text
from tidings.ingestion.page.body import Body, extract_body, relink
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
    signals = gather(tree)
    body = extract_body(tree=tree, url=url)
    relink(body.blocks, tree=tree, base=url)
    article = ExtractedArticle(url=url, body_text=render_text(body.blocks))
    article.body_html = render_html(body.blocks)
    article.related_links = body.related_links
    _fill_metadata(article, tree=tree, signals=signals, body=body)
    return article


def _fill_metadata(article: ExtractedArticle, *, tree, signals: Signals, body: Body) -> None:
    url = article.url
    fallback = Fallback(tree, url=url)
    article.canonical_url = metadata.canonical_url(signals=signals, url=url)
    article.headline = metadata.headline(tree=tree, signals=signals, fallback=fallback)
    article.standfirst = metadata.standfirst(tree=tree, signals=signals)
    raw_bylines = metadata.byline_sources(tree=tree, signals=signals, fallback=fallback)
    article.bylines, article.agency = metadata.bylines_and_agency(
        raw=raw_bylines, body_text=article.body_text
    )
    article.published, article.updated = metadata.published_updated(
        tree=tree, signals=signals, fallback=fallback
    )
    article.breadcrumb = metadata.breadcrumb(tree=tree, signals=signals)
    article.section = metadata.section(
        trail=article.breadcrumb, signals=signals, url=article.canonical_url or url,
        title=article.headline,
    )  # fmt: skip
    article.topics = metadata.topics(signals=signals)
    article.image = lead_image(tree=tree, signals=signals, url=url)
    article.language = declared_language(signals) or detect_language(article.body_text)
