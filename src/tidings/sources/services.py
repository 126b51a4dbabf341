"""Writes to the list of sources. Polling services join these later."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import transaction
from django.utils.text import slugify

from tidings.common.errors import InvalidInput
from tidings.sources.models import Source


def _checked_url(url: str) -> str:
    """An absolute http(s) address; anything else could point the fetcher at local files."""
    clean = url.strip()
    parts = urlsplit(clean)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(f"{url!r} is not an http:// or https:// address.")
    return clean


def _free_slug(name: str) -> str:
    base = slugify(name)[:110] or "source"
    slug, counter = base, 2
    while Source.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def source_add(*, name: str, url: str, kind: str, section_name: str = "") -> tuple[Source, bool]:
    """Add a source once: the same kind and address again returns the existing row.

    ``section_name`` is the section its stories are filed under when an item names none;
    Source has no field for it yet, so it is checked but not stored (see the desk report).
    """
    if kind not in Source.Kind.values:
        raise InvalidInput(f"{kind!r} is not a kind of source.")
    clean_name = " ".join(name.split())[:200]
    if not clean_name:
        raise InvalidInput("A source needs a name.")
    if len(" ".join(section_name.split())) > 120:
        raise InvalidInput("A section name is at most 120 characters.")
    clean_url = _checked_url(url)
    existing = Source.objects.filter(kind=kind, url=clean_url).first()
    if existing is not None:
        return existing, False
    source = Source.objects.create(
        name=clean_name, slug=_free_slug(clean_name), kind=kind, url=clean_url
    )
    return source, True
