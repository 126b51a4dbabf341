"""What a page says about itself in machine-readable form: JSON-LD, meta tags, links."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "blogposting",
    "liveblogposting", "scholarlyarticle", "techarticle", "report", "socialmediaposting",
    "posting", "webpage", "creativework",
}  # fmt: skip
_BROAD_TYPES = {"webpage", "creativework"}  # used only when no article object exists
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Signals:
    """The page's declared metadata, gathered once and read by each field's resolver."""

    article: dict[str, Any] = field(default_factory=dict)  # the JSON-LD article object
    breadcrumb_ld: list[str] = field(default_factory=list)
    other_authors: list[Any] = field(default_factory=list)  # "author" of any JSON-LD object
    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name → contents
    canonical: str | None = None
    html_lang: str | None = None
    marked: dict[str, list] = field(default_factory=dict)  # see ``marked_nodes``


def _types(node: dict) -> set[str]:
    declared = node.get("@type")
    values = declared if isinstance(declared, list) else [declared]
    return {str(value).lower() for value in values if value}


def _walk(data: Any):
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk(value)
    elif isinstance(data, list):
        for value in data:
            yield from _walk(value)


def json_ld_objects(tree: lxml_html.HtmlElement) -> list[dict]:
    """Every object in the page's JSON-LD scripts (broken scripts are skipped)."""
    objects: list[dict] = []
    for script in tree.xpath('//script[contains(@type, "ld+json")]'):
        raw = _CONTROL.sub(" ", script.text or "").strip().rstrip(";")
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        objects.extend(_walk(data))
    return objects


def pick_article(objects: list[dict]) -> dict[str, Any]:
    """The article object: a *NewsArticle/BlogPosting first, a WebPage only as a last resort."""
    best: dict[str, Any] = {}
    for node in objects:
        types = _types(node)
        if types & (_ARTICLE_TYPES - _BROAD_TYPES):
            if node.get("headline") or node.get("articleBody") or node.get("datePublished"):
                return node
            best = best or node
        elif types & _BROAD_TYPES and not best and node.get("datePublished"):
            best = node
    return best


def breadcrumb_names(objects: list[dict]) -> list[str]:
    """Names of a JSON-LD BreadcrumbList, in position order."""
    for node in objects:
        if "breadcrumblist" not in _types(node):
            continue
        items = node.get("itemListElement") or []
        items = items if isinstance(items, list) else [items]
        ordered = sorted(
            (item for item in items if isinstance(item, dict)),
            key=lambda item: _position(item.get("position")),
        )
        names = [_item_name(item) for item in ordered]
        return [name for name in names if name]
    return []


def _position(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _item_name(item: dict) -> str | None:
    name = item.get("name")
    inner = item.get("item")
    if not name and isinstance(inner, dict):
        name = inner.get("name")
    return " ".join(str(name).split()) if name else None


def meta_tags(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lower-cased name, property, itemprop or http-equiv."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        key = key or meta.get("http-equiv")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), []).append(" ".join(content.split()))
    return found


# Class, id and attribute words that mark page furniture we read. One pass over the page
# files every element under these kinds (a dozen XPath scans cost several times more).
_MARKS = {
    "caption": ("caption", "image-credit", "photo-credit"),
    "standfirst": ("standfirst", "dek", "subheadline", "sub-headline", "article-summary", "lede"),
    "dateline": ("date", "time", "publish", "updated"),
    "byline": ("byline", "author-name", "author__name"),
    "breadcrumb": ("breadcrumb",),
}


def marked_nodes(tree: lxml_html.HtmlElement) -> dict[str, list]:
    """Elements by the kind their class, id or attributes mark them as, in page order."""
    found: dict[str, list] = {kind: [] for kind in _MARKS}
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "figcaption":
            found["caption"].append(element)
        attributes = element.attrib
        if not attributes:
            continue
        marks = f"{attributes.get('class', '')} {attributes.get('id', '')}".lower()
        if attributes.get("itemprop") == "description":
            found["standfirst"].append(element)
        if attributes.get("rel") == "author" or attributes.get("itemprop") == "author":
            found["byline"].append(element)
        if "readcrumb" in attributes.get("aria-label", ""):
            found["breadcrumb"].append(element)
        if marks.strip():
            for kind, words in _MARKS.items():
                if any(word in marks for word in words):
                    found[kind].append(element)
    return found


def gather(tree: lxml_html.HtmlElement) -> Signals:
    objects = json_ld_objects(tree)
    canonical = tree.xpath('//link[contains(concat(" ", @rel, " "), " canonical ")]/@href')
    lang = tree.xpath("/html/@lang | /html/@xml:lang", namespaces={"xml": _XML_NS})
    return Signals(
        article=pick_article(objects),
        other_authors=[node["author"] for node in objects if node.get("author")][:3],
        breadcrumb_ld=breadcrumb_names(objects),
        meta=meta_tags(tree),
        canonical=canonical[0].strip() if canonical else None,
        html_lang=lang[0].strip() if lang else None,
        marked=marked_nodes(tree),
    )


_XML_NS = "http://www.w3.org/XML/1998/namespace"
