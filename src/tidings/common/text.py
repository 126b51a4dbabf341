"""Small text helpers shared by every app."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.utils.text import slugify


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


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()
