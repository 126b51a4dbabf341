"""Shared fixtures. Real third-party data is read from ../shared/data, never copied here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("TIDINGS_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared research data folder; tests that need it skip where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent (research data is not shipped)")
    return SHARED_DATA


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data for parametrising at collection time (may not exist)."""
    return SHARED_DATA.joinpath(*parts)


@pytest.fixture(autouse=True)
def _fresh_caches(request):
    """Each test starts with empty caches: cached rows must not leak between test databases."""
    from django.core.cache import caches

    caches["local"].clear()
    if "django_db" in request.keywords or "db" in request.fixturenames:
        caches["default"].clear()
    yield
