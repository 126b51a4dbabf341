"""Fixtures for the guarded HTTP client: fake public and internal sites on loopback.

127.0.0.2 plays the public internet (the test-only setting FETCH_TEST_PUBLIC_ADDRESSES
lets the guard accept it); 127.0.0.1 plays an internal service that must never see a
connection. The stub resolver maps ``public.test`` and ``other.test`` to 127.0.0.2.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.common.fakes import INTERNAL_IP, PUBLIC_IP, FakeSite, twin_sites
from tidings.common.http import StaticResolver
from tidings.common.http.politeness import holds_clear
from tidings.common.http.robots import robots_forget


@pytest.fixture
def sites() -> Iterator[tuple[FakeSite, FakeSite]]:
    """(public site on 127.0.0.2, internal site on 127.0.0.1), on the same port."""
    public, internal = twin_sites(PUBLIC_IP, INTERNAL_IP)
    yield public, internal
    public.stop()
    internal.stop()


@pytest.fixture
def public(sites: tuple[FakeSite, FakeSite]) -> FakeSite:
    return sites[0]


@pytest.fixture
def internal(sites: tuple[FakeSite, FakeSite]) -> FakeSite:
    return sites[1]


@pytest.fixture
def resolver() -> StaticResolver:
    return StaticResolver({"public.test": PUBLIC_IP, "other.test": PUBLIC_IP})


@pytest.fixture
def fetch_settings(settings, sites, resolver):  # type: ignore[no-untyped-def]
    """Settings under which 127.0.0.2 is public and the fake sites' port is allowed."""
    settings.FETCH_RESOLVER = resolver
    settings.FETCH_TEST_PUBLIC_ADDRESSES = {PUBLIC_IP}
    settings.FETCH_ALLOWED_PORTS = [sites[0].port]
    settings.FETCH_HOLD_CACHE_ALIAS = ""
    settings.FETCH_RESPECT_ROBOTS = True
    settings.FETCH_CA_BUNDLE = ""
    holds_clear()
    robots_forget()
    yield settings
    holds_clear()
    robots_forget()
