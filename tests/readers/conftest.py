"""Readers' fixtures: verified readers made through the real services, clients signed in."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail
from django.test import Client

from tidings.readers import accounts, services

PASSWORD = "correct horse battery staple"


class QuickArgon2(Argon2PasswordHasher):
    """The configured Argon2 with cheap parameters, so the suite stays fast; tests about
    hashing cost (timing, huge passwords) are marked ``real_hashing`` and use the settings."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def _quick_hashing(request, settings):
    if "real_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["tests.readers.conftest.QuickArgon2"]


def make_reader(email: str, capture: Any, password: str = PASSWORD) -> Any:
    """A reader who signed up and opened the confirmation link, as the site does it."""
    with capture(execute=True):
        accounts.account_register(email=email, password=password, ip="192.0.2.1")
    user = accounts.user_find(email=email)
    assert user is not None
    link = last_link(to=email, path="/account/verify/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    accounts.email_verify(token=token)
    user.refresh_from_db()
    return user


def last_link(*, to: str, path: str) -> str:
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(r"https?://\S+" + re.escape(path) + r"\S+", message.body)
            if found:
                return found.group(0)
    raise AssertionError(f"no e-mail to {to} with a {path} link")


@pytest.fixture
def reader_factory(db, django_capture_on_commit_callbacks) -> Callable[[str], Any]:
    def build(email: str) -> Any:
        return make_reader(email, django_capture_on_commit_callbacks)

    return build


@pytest.fixture
def alice(reader_factory):
    return reader_factory("alice@example.org")


@pytest.fixture
def bob(reader_factory):
    return reader_factory("bob@example.org")


def signed_in(user: Any, **client_kwargs: Any) -> Client:
    client = Client(**client_kwargs)
    client.get("/account/sign-in/")
    response = client.post(
        "/account/sign-in/",
        {
            "email": user.email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302, response.content[:500]
    return client


def token_for(user: Any) -> str:
    _, key = services.api_token_create(user=user, name="tests")
    return key


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_hashing: uses the configured password hashing cost (timing tests)"
    )
