"""Lines that sit inside article containers but are not the story.

Language-level patterns only (no per-site rules): related-story pointers, newsletter and
social prompts, comment counters, share bars, shortcodes, placeholders. Each pattern is
applied to short blocks only, so a real paragraph that mentions a newsletter survives.
"""

from __future__ import annotations

import re

from tidings.ingestion.page.blocks import Block
from tidings.ingestion.types import RelatedLink

# "Read more: <title>", "Also read | <title>", "Related: <title>", "Also on example.com <title>"
RELATED = re.compile(
    r"^\s*(?:read more|read also|also read|more reading|related(?: stories| articles| coverage|"
    r" content| reading| story| article| links?)?|see also|recommended(?: reading)?|"
    r"more on this(?: story)?|more from [\w .]{1,30}|don['’]t miss|must read|also see|"
    r"also on [\w.-]+\.\w{2,})\s*(?:[:|»>–—-]+\s*|\s(?=\S))",
    re.IGNORECASE,
)
_MAX_PROMO_WORDS = 40
PROMO = re.compile(
    "|".join(
        (
            r"\bnewsletters?\b",
            r"\bin(?:to)? your inbox\b",
            r"\bshare (?:it|this)(?: \w+)? with\b",
            r"^like this (?:story|article)\b",
            r"\bfollow\b.{0,60}\bon (?:twitter|facebook|instagram|linkedin|tiktok)\b",
            r"\b(?:me|us)\b.{0,30}\bon (?:twitter|facebook|instagram|linkedin)\b",
            r"^have a (?:news )?tip\b",
            r"\bmay be reached at\b",
            r"^tell us what you think",
            r"we['’]d like to hear what you think",
            r"^\d*\s*comments?$",
            r"^\[\w+\b[^\]]*\].*\[/\w+\]$",
            r"^advertisement$",
            r"^(?:skip|continue reading|story continues)\b.{0,40}$",
            r"^click here\b",
            r"\bclick here (?:for|to)\b.{0,60}$",
            r"^(?:see|view) (?:more )?(?:photos|pictures|gallery|images)\b:?$",
            r"^(?:photos?|images?|gallery|video)$",
            r"^(?:sign up|subscribe)\b.{0,60}(?:free|now|today|here|email|updates)\b",
            r"^(?:copyright|©)\s",
            r"\ball rights reserved\b",
            # share and like widgets of the common blog platforms, in a few languages
            r"^(?:share this|like this|teilen mit|gefällt mir|bewerten|partager|j['’]aime|"
            r"compartir|me gusta|condividi|mi piace|delen|udostępnij)\s*:?$",
            r"^(?:loading|wird geladen|chargement|cargando|caricamento)\s*(?:…|\.\.\.)?$",
        )
    ),
    re.IGNORECASE,
)


# Section labels and reading-time notes: only ever a few words on their own line.
_MAX_LABEL_WORDS = 6
LABEL = re.compile(
    r"^(?:you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|more(?: stories| news)?|"
    r"related(?: posts?| articles?| stories)?|recommended(?: for you)?|filed under|posted in|"
    r"tags?|topics?|categories|schlagwörter|themen|source|quelle|fonte|fuente)\b[^.!?]{0,40}$"
    r"|^(?:reading time|read time|tempo de leitura|lesezeit|temps de lecture|tiempo de lectura)"
    r"\b.{0,20}$|^\d+\s*min(?:ute)?s?\.?\s*(?:read|lesezeit|de leitura|de lecture)$"
    r"|^\(?(?:photo|image|picture|foto|bild|credit)s?(?:\s+credit)?\s*[:©]",
    re.IGNORECASE,
)


def is_promo(block: Block) -> bool:
    """A newsletter, social or share prompt, label, counter, shortcode or placeholder line."""
    words = len(block.text.split())
    if words <= _MAX_LABEL_WORDS and LABEL.search(block.text) is not None:
        return True
    if words > _MAX_PROMO_WORDS:
        return False
    return PROMO.search(block.text) is not None


def is_teaser(block: Block) -> bool:
    """A short paragraph that is nothing but a link to another story (a recirculation teaser)."""
    if block.kind not in ("p", "h2", "h3", "h4") or not block.links:
        return False
    return len(block.text.split()) <= 25 and block.link_text_share >= 0.9


def related_link(block: Block) -> RelatedLink | None:
    """The story a "Read more: …" line points to, or None if the block is not one."""
    match = RELATED.match(block.text)
    if match is None or len(block.text.split()) > 30:
        return None
    title = block.text[match.end() :].strip(" :|-–—»") or None
    url = block.links[-1][0] if block.links else None
    if url is None:
        return RelatedLink(url="", title=title)
    return RelatedLink(url=url, title=title or block.links[-1][1] or None)
