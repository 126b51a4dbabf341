"""SECURITY.md group A: authentication and sessions, through the real pages and API."""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail
from django.test import Client

from tests.readers.conftest import PASSWORD, last_link, signed_in, token_for
from tidings.readers import accounts
from tidings.readers.models import Profile

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _without_csrf(body: bytes) -> bytes:
    """Django masks the CSRF token differently on every render; everything else must match."""
    return CSRF_FIELD.sub(b"", body)


class TimingArgon2(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 16384
    parallelism = 1


@pytest.fixture
def sso_only(db):
    """An account with no usable password (as an SSO-only account would be)."""
    user = get_user_model().objects.create_user(
        username="sso@example.org", email="sso@example.org", password=None
    )
    Profile.objects.create(user=user)
    return user


def test_a1_deployment_checks_pass_with_production_settings(tmp_path):
    """`check --deploy --fail-level WARNING` with production settings exits 0."""
    env = {
        **os.environ,
        "TIDINGS_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "news.example.org",
        "TIDINGS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tidings.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _login(client: Client, email: str, password: str):
    return client.post("/account/sign-in/", {"email": email, "password": password})


@pytest.mark.slow
def test_a2_login_answers_the_same_for_unknown_wrong_and_passwordless(alice, sso_only, settings):
    """Unknown address, known address with a wrong password and a password-less account:
    identical status, body and headers, and medians of 30 tries within 20 % of each other."""
    settings.READER_LOGIN_FAILURE_LIMIT = 10_000
    # Hashing at a fraction of the production cost: enough to dominate the request's own noise on
    # a shared machine, short enough for the suite. Alice's hash is made with the same cost.
    settings.PASSWORD_HASHERS = ["tests.readers.test_security_auth.TimingArgon2"]
    alice.set_password(PASSWORD)
    alice.save()
    client = Client()
    client.get("/account/sign-in/")
    cases = {
        "unknown": "nobody@example.org",
        "wrong": alice.email,
        "unusable": sso_only.email,
    }
    answers, timings = {}, {name: [] for name in cases}
    for _ in range(30):
        for name, email in cases.items():
            started = time.perf_counter()
            response = _login(client, email, "not the password at all")
            timings[name].append(time.perf_counter() - started)
            answers[name] = (
                response.status_code,
                _without_csrf(response.content).replace(email.encode(), b""),
                sorted((k, v) for k, v in response.items()),
            )
    assert answers["unknown"] == answers["wrong"] == answers["unusable"]
    assert answers["unknown"][0] == 400
    medians = {name: statistics.median(values) for name, values in timings.items()}
    assert max(medians.values()) / min(medians.values()) < 1.2, medians


def test_a2_sign_up_with_a_taken_address_looks_the_same_and_mails_the_owner(
    alice, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    answers = []
    for email in (alice.email, "fresh@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/account/sign-up/", {"email": email, "password": PASSWORD})
        answers.append((response.status_code, _without_csrf(response.content)))
    assert answers[0] == answers[1]
    assert b"already" not in answers[0][1]
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "already have an account" in subjects[alice.email]
    assert "confirm" in subjects["fresh@example.org"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("mailer_works", [True, False])
def test_a2_password_reset_answers_the_same_even_when_mail_fails(
    alice, client, settings, django_capture_on_commit_callbacks, mailer_works
):
    if not mailer_works:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
        settings.EMAIL_TIMEOUT = 2
    answers = []
    for email in (alice.email, "nobody@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/account/reset/", {"email": email})
        answers.append((response.status_code, _without_csrf(response.content)))
    assert answers[0] == answers[1] and answers[0][0] == 200


def test_a3_session_key_changes_at_sign_in(alice):
    client = Client()
    session = client.session
    session["visited"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert _login(client, alice.email, PASSWORD).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_a4_sign_out_ends_the_session_and_is_post_only(alice):
    client = signed_in(alice)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/account/sign-out/").status_code == 405
    assert client.get("/account/").status_code == 200
    assert client.post("/account/sign-out/").status_code == 302
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    page = replay.get("/account/")
    assert page.status_code == 302 and page["Location"].startswith("/account/sign-in/")
    assert replay.get("/api/me").status_code == 401


def test_a5_password_change_ends_other_sessions_only(alice):
    session_a, session_b = signed_in(alice), signed_in(alice)
    response = session_a.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert session_a.get("/account/").status_code == 200
    assert session_b.get("/account/").status_code == 302
    assert session_b.get("/api/me").status_code == 401


def test_a6_sensitive_changes_need_the_current_password(alice, django_capture_on_commit_callbacks):
    client = signed_in(alice)
    no_password = client.post("/account/password/", {"new_password": "another passphrase"})
    assert no_password.status_code == 400
    no_password = client.post("/account/email/", {"new_email": "alice@new.example"})
    assert no_password.status_code == 400
    key = token_for(alice)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    for path, body in (
        ("/api/me/email", {"new_email": "alice@new.example"}),
        ("/api/me/password", {"new_password": "another passphrase"}),
    ):
        assert api.post(path, body, content_type="application/json").status_code == 400
        wrong = {**body, "current_password": "not it"}
        assert api.post(path, wrong, content_type="application/json").status_code == 403
    for body in ({"email": "alice@new.example"}, {"password": "another passphrase"}):
        response = api.patch("/api/me", body, content_type="application/json")
        assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.email == "alice@example.org" and alice.check_password(PASSWORD)


def test_a6_email_change_confirms_the_new_address_and_notifies_the_old(
    alice, django_capture_on_commit_callbacks
):
    client = signed_in(alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/email/",
            {"new_email": "alice@new.example", "current_password": PASSWORD},
        )
    assert response.status_code == 302
    assert {m.to[0] for m in mail.outbox} == {"alice@new.example", "alice@example.org"}
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"  # not before the new address is confirmed
    link = last_link(to="alice@new.example", path="/account/verify/")
    client.post(link.split(settings.SITE_URL, 1)[1])
    alice.refresh_from_db()
    assert (alice.email, alice.username) == ("alice@new.example", "alice@new.example")


def _sign_up(client: Client, email: str, password: str):
    return client.post("/account/sign-up/", {"email": email, "password": password})


@pytest.mark.parametrize(
    "password",
    ["plumtree", "x" * 64 + "long passphrase", "é" * 200, "lowercase only words here"],
)
def test_a7_long_and_plain_passwords_are_accepted_and_verified_exactly(
    client, password, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _sign_up(client, "pw@example.org", password).status_code == 200
    user = accounts.user_find(email="pw@example.org")
    assert user is not None and user.check_password(password)
    assert not user.check_password(password[:-1])
    assert not user.check_password(password[:72]) or len(password) <= 72


@pytest.mark.real_hashing
def test_a7_a_4096_character_password_is_not_truncated(client):
    password = "p" * 4000 + "q" * 96
    assert _sign_up(client, "long@example.org", password).status_code == 200
    user = accounts.user_find(email="long@example.org")
    assert user.check_password(password)
    assert not user.check_password("p" * 4000 + "q" * 95 + "r")


@pytest.mark.parametrize("password", ["password", "password1", "qwertyuiop", "iloveyou"])
def test_a7_common_passwords_are_refused(client, password):
    response = _sign_up(client, "common@example.org", password)
    assert response.status_code == 400
    assert accounts.user_find(email="common@example.org") is None


@pytest.mark.real_hashing
def test_a7_a_one_megabyte_password_is_refused_quickly(client, alice):
    huge = "a" * 1_000_000
    for path, form in (
        ("/account/sign-up/", {"email": "big@example.org", "password": huge}),
        ("/account/sign-in/", {"email": alice.email, "password": huge}),
    ):
        started = time.perf_counter()
        response = client.post(path, form)
        assert response.status_code == 400
        assert time.perf_counter() - started < 1.0


def test_a8_tokens_come_from_secrets_with_enough_bits(alice):
    key = token_for(alice)
    random_part = key.removeprefix("tid_")
    assert len(random_part) >= 43  # 32 bytes of urlsafe base64: 256 bits
    assert len({token_for(alice) for _ in range(5)}) == 5


def test_a8_no_random_module_in_auth_code():
    """A static check: auth code draws randomness from `secrets` only."""
    folders = [REPO / "src/tidings/readers", REPO / "src/tidings/web/views"]
    files = [p for folder in folders for p in folder.rglob("*.py")]
    files.append(REPO / "src/tidings/api/readers.py")
    offenders = [
        str(path)
        for path in files
        if re.search(r"^\s*(import random\b|from random import)", path.read_text(), re.M)
    ]
    assert files and not offenders


POST_ONLY = [
    "/account/sign-out/",
    "/account/email/",
    "/account/password/",
    "/account/sessions/end/",
    "/account/tokens/",
    "/account/tokens/1/revoke/",
    "/account/delete/",
    "/account/following/1/delete/",
    "/account/follow/topic/1/",
    "/account/feedback/1/more/",
    "/account/feedback-remove/1/",
    "/account/save/1/",
    "/account/reads/clear/",
    "/account/reads/pause/",
    "/account/reads/1/delete/",
]


@pytest.mark.parametrize("path", POST_ONLY)
def test_a9_state_changing_urls_refuse_get(alice, path):
    assert signed_in(alice).get(path).status_code == 405


@pytest.mark.parametrize(
    "path", [*POST_ONLY, "/account/", "/account/sign-in/", "/account/sign-up/", "/account/reset/"]
)
def test_a9_posts_without_csrf_token_or_from_another_origin_are_refused(alice, path):
    client = signed_in(alice, enforce_csrf_checks=True)
    assert client.post(path).status_code == 403
    client.get("/account/")
    token = client.cookies["csrftoken"].value
    foreign = client.post(path, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="https://evil.example")
    assert foreign.status_code == 403


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_a9_api_with_a_session_needs_the_csrf_token(alice, method):
    client = signed_in(alice, enforce_csrf_checks=True)
    response = getattr(client, method)("/api/me", {}, content_type="application/json")
    assert response.status_code in {403, 405}
    assert client.patch("/api/me", {}, content_type="application/json").status_code == 403


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "/\\evil.com",
        "%2F%2Fevil.com",
        "https:evil.com",
        "javascript:alert(1)",
        " //evil.com",
        "https://evil.com",
        "\t//evil.com",
    ],
)
def test_a10_next_never_leaves_the_site(alice, target):
    response = Client().post(
        "/account/sign-in/", {"email": alice.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a10_a_local_next_is_followed(alice):
    response = Client().post(
        "/account/sign-in/",
        {"email": alice.email, "password": PASSWORD, "next": "/account/saved/"},
    )
    assert response["Location"] == "/account/saved/"


def test_a11_passwords_and_tokens_stay_out_of_logs(alice, caplog):
    caplog.set_level(logging.DEBUG)
    client = signed_in(alice)
    client.post("/account/password/", {"current_password": PASSWORD, "new_password": "x"})
    key = token_for(alice)
    Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/me")
    Client(HTTP_AUTHORIZATION=f"Token {key}x").get("/api/me")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert PASSWORD not in text and key not in text


def test_a11_crlf_in_a_path_does_not_forge_log_lines(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/account/nothing%0d%0aINFO forged: admin signed in/")
    assert caplog.records
    for record in caplog.records:
        assert "\n" not in record.getMessage() and "\r" not in record.getMessage()


def test_a5_password_change_over_the_api_ends_sessions(alice):
    browser = signed_in(alice)
    api = Client(HTTP_AUTHORIZATION=f"Token {token_for(alice)}")
    response = api.post(
        "/api/me/password",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        content_type="application/json",
    )
    assert response.status_code == 204
    assert browser.get("/account/").status_code == 302


def test_a8_a_token_cannot_revoke_itself_but_another_can(alice):
    from tidings.readers.models import ApiToken

    first, second = token_for(alice), token_for(alice)
    first_id = ApiToken.objects.get(prefix=first[:10]).pk
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {first}").delete(f"/api/me/tokens/{first_id}").status_code
        == 409
    )
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {second}")
        .delete(f"/api/me/tokens/{first_id}")
        .status_code
        == 204
    )
    assert Client(HTTP_AUTHORIZATION=f"Token {first}").get("/api/me").status_code == 401
