"""Extra training pages for the body-line classifier, built from the trafilatura evaluation
corpus (``../shared/data/extraction/trafilatura-eval``): each HTML page is turned into a
plain-text dump the way the benchmark's dumps were made (every text node, a line break at
each block element), and its body lines are labelled by trafilatura's own extraction,
kept only where that extraction passes every human "with"/"without" snippet of the page.

Fifty hand-labelled pages are too few to learn what furniture looks like across sites;
these ~650 weakly labelled pages from other sites, at a lower weight, are what lets the
model generalise. Training only: nothing here runs when cleaning a dump.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

DEFAULT_CORPUS = Path("../shared/data/extraction/trafilatura-eval")
_BLOCK_TAGS = """
    address article aside blockquote body br dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre
    section table tbody thead tfoot tr td th ul title option select button label iframe
    img video audio"""
_BLOCKS = frozenset(_BLOCK_TAGS.split())
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg"})


def html_to_dump(markup: str | bytes) -> str:
    """A page as the benchmark's plain-text dumps have it: one block per line."""
    tree = lxml_html.fromstring(markup)
    lines: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = " ".join("".join(pending).split())
        if text:
            lines.append(text)
        pending.clear()

    def walk(element: etree._Element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if tag is not None and tag not in _SKIPPED:
            block = tag in _BLOCKS
            if block:
                flush()
            pending.append(element.text or "")
            for child in element:
                walk(child)
            if block:
                flush()
        pending.append(element.tail or "")

    walk(tree)
    flush()
    return "\n".join(lines)


def _markup(path: Path) -> bytes:
    with gzip.open(path) as handle:
        return handle.read()


def weak_pages(corpus: Path) -> Iterator[tuple[str, str, str]]:
    """(url, dump text, pseudo ground-truth body) for pages whose trafilatura extraction
    keeps every "with" snippet and no "without" snippet."""
    import trafilatura

    entries = json.loads((corpus / "evaldata.json").read_text(encoding="utf-8"))
    for url, entry in entries.items():
        found = [corpus / "html" / kind / f"{entry['file']}.gz" for kind in ("eval", "cache")]
        path = next((p for p in found if p.exists()), None)
        if path is None:
            continue
        markup = _markup(path)
        try:
            dump = html_to_dump(markup)
            body = trafilatura.extract(markup, url=url, include_comments=False, include_tables=True)
        except (ValueError, etree.ParserError):
            continue
        if body and _agrees(body, entry):
            yield url, dump, body


def _agrees(body: str, entry: dict) -> bool:
    wanted = all(snippet in body for snippet in entry.get("with", []) if snippet)
    unwanted = any(snippet in body for snippet in entry.get("without", []) if snippet)
    return wanted and not unwanted
