"""Readers' fixtures: verified readers made through the real services, clients signed in."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tidings.readers import accounts, services

PASSWORD = "correct horse battery staple"


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
    response = client.post("/account/sign-in/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def token_for(user: Any) -> str:
    _, key = services.api_token_create(user=user, name="tests")
    return key
