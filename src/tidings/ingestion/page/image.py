"""The lead image: declared (JSON-LD, Open Graph) or the story's first figure, with its
caption and photo credit split apart ("Leaders meet in Delhi.(AFP)" → credit "AFP")."""

from __future__ import annotations

import re
from typing import Any

from tidings.ingestion.page.blocks import clean_space, safe_href
from tidings.ingestion.page.bylines import agency_of
from tidings.ingestion.page.signals import Signals
from tidings.ingestion.types import Image

_CREDIT_TAIL = re.compile(
    r"\s*(?:\(([^()]{2,80})\)|(?:photo(?:graph)?|image|picture|credit|foto|bild|source)s?"
    r"(?:\s+credit)?\s*[:©]\s*([^.]{2,80})|[|]\s*([^|]{2,80})|©\s*([^.]{2,80}))\.?\s*$",
    re.IGNORECASE,
)
_CREDIT_HINT = re.compile(
    r"photo|getty|images?|credit|file|courtesy|shutterstock|alamy|epa|©|/|handout|pool",
    re.IGNORECASE,
)
_CREDIT_PREFIX = re.compile(
    r"^(?:photo(?:graph)?|image|picture|credit|foto|bild)s?\s*[:/]\s*", re.I
)
_CREDIT_CLASS = (
    './/*[contains(@class, "credit") or contains(@class, "copyright") or '
    'contains(@class, "source") or contains(@class, "byline")]'
)


def split_credit(caption: str | None) -> tuple[str | None, str | None]:
    """(caption, credit) from a caption that ends with its photo credit."""
    if not caption:
        return None, None
    match = _CREDIT_TAIL.search(caption)
    if match is None:
        return caption, None
    credit = clean_space(next(group for group in match.groups() if group))
    credit = _CREDIT_PREFIX.sub("", credit).strip()
    if not (agency_of(credit) or _CREDIT_HINT.search(match.group(0))):
        return caption, None
    return clean_space(caption[: match.start()]) or None, credit or None


def _declared(signals: Signals) -> tuple[str | None, str | None, str | None]:
    image: Any = signals.article.get("image")
    if isinstance(image, list):
        image = image[0] if image else None
    if isinstance(image, dict):
        credit = image.get("creditText") or image.get("copyrightHolder") or image.get("author")
        if isinstance(credit, dict):
            credit = credit.get("name")
        return image.get("url") or image.get("contentUrl"), image.get("caption"), credit
    if isinstance(image, str):
        return image, None, None
    og = signals.meta.get("og:image") or signals.meta.get("twitter:image")
    return (og[0] if og else None), None, None


def _first_figure(tree) -> tuple[str | None, str | None, str | None]:
    """Image URL, caption and credit of the story's first captioned figure."""
    figures = tree.xpath("//article//figure[.//img] | //main//figure[.//img]")
    figures = figures or tree.xpath("//figure[.//img][.//figcaption]")
    for figure in figures[:3]:
        caption_node = next(iter(figure.xpath(".//figcaption")), None)
        if caption_node is None:
            continue
        credit_nodes = caption_node.xpath(_CREDIT_CLASS) or figure.xpath(_CREDIT_CLASS)
        credit = clean_space(credit_nodes[0].text_content()) if credit_nodes else None
        caption = clean_space(caption_node.text_content())
        if credit and caption.endswith(credit):
            caption = caption[: -len(credit)].strip()
        img = figure.xpath(".//img")[0]
        src = img.get("src") or img.get("data-src") or img.get("data-original")
        return src, caption or None, credit or None
    return None, None, None


def lead_image(*, tree, signals: Signals, url: str | None) -> Image | None:
    declared_url, declared_caption, declared_credit = _declared(signals)
    figure_url, figure_caption, figure_credit = _first_figure(tree)
    image_url = safe_href(declared_url, base=url) or safe_href(figure_url, base=url)
    caption = clean_space(str(declared_caption)) if declared_caption else figure_caption
    credit = clean_space(str(declared_credit)) if declared_credit else figure_credit
    if credit is None:
        caption, credit = split_credit(caption)
    if not (image_url or caption):
        return None
    return Image(url=image_url, caption=caption, credit=credit)
