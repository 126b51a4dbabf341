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
    """A paragraph's visible text (line breaks kept; inline scripts and styles are not text)."""
    parts = [
        node if isinstance(node, str) else "\n"
        for node in paragraph.xpath(".//text()[not(ancestor::script or ancestor::style)] | .//br")
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
    """``blocks`` with the skipped containers' paragraphs and embedded posts put back."""
    paragraphs = list(tree.iter("p"))
    kept_keys = {word_key(block.text) for block in blocks}
    story, position = _story_containers(paragraphs, kept_keys)
    extra = _split_container_paragraphs(paragraphs, story=story, kept_keys=kept_keys)
    story_span = [*position.values(), *(index for index, _ in extra)]
    extra += _embedded_posts(paragraphs, span=story_span, kept_keys=kept_keys)
    return _merge(blocks, extra, position) if extra else blocks


def _split_container_paragraphs(paragraphs, *, story: dict, kept_keys: set[str]):
    extra: list[tuple[int, Block]] = []
    for index, paragraph in enumerate(paragraphs if story else ()):
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
        extra.append((index, _paragraph(text)))
    return extra


def _embedded_posts(paragraphs, *, span: list[int], kept_keys: set[str]):
    """Posts quoted in the story (embedded tweets) that trafilatura dropped, with their
    attribution line, when they sit between the story's first and last kept paragraphs."""
    if len(span) < 2:
        return []
    first, last = min(span), max(span)
    kept_text = " | ".join(kept_keys)  # a kept block may hold the post with its attribution
    extra: list[tuple[int, Block]] = []
    for index in range(first + 1, last):
        paragraph = paragraphs[index]
        quote = paragraph.getparent()
        if quote is None or quote.tag != "blockquote" or "tweet" not in quote.get("class", ""):
            continue
        text = paragraph_text(paragraph)
        if not word_key(text) or word_key(text) in kept_text:
            continue
        extra.append((index, _paragraph(text)))
        attribution = clean_space(paragraph.tail or "")
        for sibling in paragraph.itersiblings():
            attribution += " " + paragraph_text(sibling) + " " + clean_space(sibling.tail or "")
        if attribution := clean_space(attribution):
            extra.append((index, _paragraph(attribution)))
    return extra


def _paragraph(text: str) -> Block:
    return Block("p", text, f"<p>{html.escape(text, quote=False)}</p>")


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
