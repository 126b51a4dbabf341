"""SECURITY.md group L: sign-in and e-mail throttles that a forged header cannot get round."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone

from tests.readers.conftest import PASSWORD, signed_in
from tidings.common.errors import InvalidInput
from tidings.readers.clients import client_ip
from tidings.readers.services import MAX_API_TOKENS, api_token_create

pytestmark = pytest.mark.django_db


def _attempt(client: Client, email: str, password: str, ip: str, **headers: str):
    return client.post(
        "/account/sign-in/", {"email": email, "password": password}, REMOTE_ADDR=ip, **headers
    )


def test_l1_five_failures_lock_the_account_even_for_the_right_password(alice):
    """Failures from five different addresses: the account itself is locked."""
    for number in range(5):
        assert _attempt(Client(), alice.email, "wrong", f"198.51.100.{number}").status_code == 400
    locked = _attempt(Client(), alice.email, PASSWORD, "198.51.100.77")
    assert locked.status_code == 429
    assert "_auth_user_id" not in Client().session


def test_l1_the_lock_lifts_after_the_window(alice):
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("Redis expires keys on its own clock, which time-machine cannot move")
    for number in range(5):
        _attempt(Client(), alice.email, "wrong", f"198.51.100.{number}")
    later = timezone.now() + timedelta(seconds=settings.READER_LOGIN_WINDOW_SECONDS + 60)
    with time_machine.travel(later, tick=False):
        assert _attempt(Client(), alice.email, PASSWORD, "198.51.100.9").status_code == 302


def test_l2_spraying_many_addresses_from_one_client_is_stopped(alice):
    client = Client()
    for number in range(5):
        response = _attempt(client, f"guess{number}@example.org", "Winter2026!", "203.0.113.5")
        assert response.status_code == 400
    assert _attempt(client, alice.email, PASSWORD, "203.0.113.5").status_code == 429


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP"])
def test_l3_a_forged_client_address_does_not_help(alice, header):
    client = Client()
    for number in range(5):
        _attempt(client, alice.email, "wrong", "203.0.113.5", **{header: f"10.0.0.{number}"})
    forged = _attempt(client, alice.email, PASSWORD, "203.0.113.5", **{header: "10.9.9.9"})
    assert forged.status_code == 429


def test_l3_behind_one_trusted_proxy_only_its_entry_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    forged = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert client_ip(forged) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(forged) == "127.0.0.1"


def test_l4_reset_mails_stop_after_four_an_hour(alice, client, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    statuses = []
    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(client.post("/account/reset/", {"email": alice.email}).status_code)
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert len(mail.outbox) == 4


def test_l4_unknown_addresses_are_throttled_the_same(client):
    statuses = [
        client.post("/account/reset/", {"email": "ghost@example.org"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_l4_confirmation_mails_for_an_email_change_stop_too(
    alice, django_capture_on_commit_callbacks
):
    client = signed_in(alice)
    mail.outbox.clear()
    statuses = []
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/account/email/", {"new_email": "new@example.org", "current_password": PASSWORD}
            )
        statuses.append(response.status_code)
    assert statuses[:4] == [302] * 4 and statuses[4] == 429
    assert len([m for m in mail.outbox if "new@example.org" in m.to]) == 4


def test_l5_many_sign_ups_from_one_address_are_throttled(client):
    statuses = [
        client.post(
            "/account/sign-up/",
            {"email": f"bulk{number}@example.org", "password": PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for number in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


def test_l6_api_tokens_are_capped(alice):
    for number in range(MAX_API_TOKENS):
        api_token_create(user=alice, name=f"script {number}")
    with pytest.raises(InvalidInput):
        api_token_create(user=alice, name="one too many")


def test_l7_a_recognised_device_still_signs_in_during_an_attack(alice):
    device = signed_in(alice, REMOTE_ADDR="192.0.2.50")
    device.post("/account/sign-out/")
    for number in range(8):
        _attempt(Client(), alice.email, "wrong", f"198.51.100.{number}")
    assert _attempt(Client(), alice.email, PASSWORD, "192.0.2.51").status_code == 429
    assert _attempt(device, alice.email, PASSWORD, "192.0.2.50").status_code == 302
