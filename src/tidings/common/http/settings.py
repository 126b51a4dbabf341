"""Fetch settings, read lazily so importing the client never touches Django's settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import metadata
from typing import Any

MIB = 1024 * 1024


def fetch_setting(name: str, default: Any) -> Any:
    """A Django setting, or ``default`` when Django has no settings at all (plain scripts)."""
    from django.conf import ENVIRONMENT_VARIABLE, settings

    if not settings.configured and not os.environ.get(ENVIRONMENT_VARIABLE):
        return default
    return getattr(settings, name, default)


def _as_set(value: Any) -> set[str]:
    # An environment-style "8080,8443" is a list of values, not a string of characters.
    items = value.split(",") if isinstance(value, str) else value
    return {str(item).strip() for item in items if str(item).strip()}


@dataclass(frozen=True)
class FetchLimits:
    total_timeout: float
    connect_timeout: float
    read_timeout: float
    max_bytes: int
    max_redirects: int
    per_host_limit: int
    allowed_ports: frozenset[int]
    test_public_addresses: frozenset[str]
    respect_robots: bool
    ca_bundle: str


def fetch_limits() -> FetchLimits:
    """The operator's limits (settings named ``FETCH_*``) with safe defaults."""
    return FetchLimits(
        total_timeout=float(fetch_setting("FETCH_TIMEOUT", 20.0)),
        connect_timeout=float(fetch_setting("FETCH_CONNECT_TIMEOUT", 5.0)),
        read_timeout=float(fetch_setting("FETCH_READ_TIMEOUT", 10.0)),
        max_bytes=int(fetch_setting("FETCH_MAX_BYTES", 15 * MIB)),
        max_redirects=int(fetch_setting("FETCH_MAX_REDIRECTS", 10)),
        per_host_limit=max(1, int(fetch_setting("FETCH_PER_HOST_LIMIT", 2))),
        allowed_ports=frozenset(
            {80, 443, *map(int, _as_set(fetch_setting("FETCH_ALLOWED_PORTS", ())))}
        ),
        test_public_addresses=frozenset(_as_set(fetch_setting("FETCH_TEST_PUBLIC_ADDRESSES", ()))),
        respect_robots=bool(fetch_setting("FETCH_RESPECT_ROBOTS", True)),
        ca_bundle=str(fetch_setting("FETCH_CA_BUNDLE", "") or ""),
    )


def user_agent() -> str:
    """``Tidings/<version> (+<site url>)`` so site owners can see who we are and reach us."""
    try:
        version = metadata.version("tidings")
    except metadata.PackageNotFoundError:
        version = "0"
    site = str(fetch_setting("SITE_URL", "") or "").rstrip("/")
    return f"Tidings/{version} (+{site})" if site else f"Tidings/{version}"
