"""Paragraphs trafilatura left behind when a story is split over sibling containers.

Many pages cut the body into several containers of the same tag and class, with an
advertising row or a "most popular" rail in between; trafilatura keeps the first one. We
take back the paragraphs of the *other* containers of that kind that trafilatura skipped
entirely, when they sit close to a kept one (a common ancestor at most a few levels up),
in page order. Paragraphs trafilatura dropped from a container it did use stay dropped:
that was a deliberate choice of its precision mode.
"""

from __future__ import annotations

import html
from collections import Counter

from lxml import html as lxml_html

from tidings.ingestion.page.blocks import Block, clean_space, word_key

_MIN_WORDS = 8
_MIN_KEPT_IN_CONTAINER = 2
_MAX_COUSIN_DISTANCE = 3  # levels from a container up to the ancestor it shares with a kept one
_MAX_LINK_SHARE = 0.5


def _signature(container) -> tuple[str, str] | None:
    classes = (container.get("class") or "").split()
    return (container.tag, " ".join(sorted(classes))) if classes else None


def paragraph_text(paragraph) -> str:
    """A paragraph's visible text (inline scripts and styles are not text)."""
    parts = [
        node
        for node in paragraph.xpath(".//text()[not(ancestor::script or ancestor::style)]")
        if isinstance(node, str)
    ]
    return clean_space("".join(parts))


def _link_share(paragraph, text: str) -> float:
    linked = sum(len(anchor.text_content().split()) for anchor in paragraph.iter("a"))
    return linked / max(1, len(text.split()))


def _near(container, kept_containers: list) -> bool:
    """Whether ``container`` shares an ancestor with a kept container a few levels up."""
    ancestors = [container, *container.iterancestors()][: _MAX_COUSIN_DISTANCE + 1]
    for kept in kept_containers:
        kept_ancestors = [kept, *kept.iterancestors()][: _MAX_COUSIN_DISTANCE + 1]
        if any(node in kept_ancestors for node in ancestors[1:]):
            return True
    return False


def _story_containers(paragraphs, kept_keys: set[str]) -> tuple[dict, dict[str, int]]:
    """Kept containers by signature (only signatures holding ≥2 kept paragraphs), positions."""
    by_signature: dict[tuple[str, str], list] = {}
    counts: Counter = Counter()
    position: dict[str, int] = {}
    for index, paragraph in enumerate(paragraphs):
        key = word_key(paragraph_text(paragraph))
        if key not in kept_keys or key in position:
            continue
        position[key] = index
        container = paragraph.getparent()
        if container is not None and (signature := _signature(container)) is not None:
            counts[signature] += 1
            if container not in by_signature.setdefault(signature, []):
                by_signature[signature].append(container)
    story = {sig: found for sig, found in by_signature.items() if counts[sig] >= 2}
    return story, position


def recover_split_body(blocks: list[Block], *, tree: lxml_html.HtmlElement) -> list[Block]:
    """``blocks`` with the skipped containers' paragraphs put back in page order."""
    paragraphs = list(tree.iter("p"))
    kept_keys = {word_key(block.text) for block in blocks}
    story, position = _story_containers(paragraphs, kept_keys)
    if not story:
        return blocks
    extra: list[tuple[int, Block]] = []
    for index, paragraph in enumerate(paragraphs):
        container = paragraph.getparent()
        kept = story.get(_signature(container)) if container is not None else None
        if not kept or container in kept or not _near(container, kept):
            continue
        text = paragraph_text(paragraph)
        key = word_key(text)
        if key in kept_keys or len(key.split()) < _MIN_WORDS:
            continue
        if _link_share(paragraph, text) > _MAX_LINK_SHARE:
            continue
        kept_keys.add(key)
        extra.append((index, Block("p", text, f"<p>{html.escape(text, quote=False)}</p>")))
    return _merge(blocks, extra, position) if extra else blocks


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
