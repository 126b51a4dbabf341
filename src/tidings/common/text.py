"""Small text helpers shared by every app."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

from django.utils.text import slugify

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|pre|tr)>|<br\s*/?>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def html_to_text(markup: str) -> str:
    """Plain text of sanitised HTML, one paragraph per line."""
    text = _BLOCK_END.sub("\n", markup or "")
    text = html.unescape(_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def headline_slug(headline: str, *, max_length: int = 80) -> str:
    """A URL slug from a headline, cut at a word boundary."""
    slug = slugify(unicodedata.normalize("NFKD", headline)) or "story"
    if len(slug) <= max_length:
        return slug
    return slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]


def normalise_name(name: str) -> str:
    """The form used to match topic names and aliases: case, accents and spacing folded."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", folded.lower()))


def reading_minutes(text: str, *, words_per_minute: int = 230) -> int:
    return max(1, round(len(text.split()) / words_per_minute))


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()
