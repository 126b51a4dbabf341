"""SECURITY.md group V (V2–V6): the reader API's input limits and response types."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from tests.newsroom import story
from tests.readers.conftest import token_for
from tidings.readers import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(alice) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token_for(alice)}")


@pytest.mark.parametrize("limit", ["1000000", "-1", "0", "abc", "1e3", ""])
@pytest.mark.parametrize("path", ["/api/me/saved", "/api/me/history", "/api/me/follows"])
def test_v2_limits_outside_1_to_100_are_refused(api, path, limit):
    assert api.get(f"{path}?limit={limit}").status_code == 400


def test_v2_a_page_never_holds_more_than_100(api, alice, django_assert_max_num_queries):
    for number in range(105):
        services.saved_add(user=alice, article_id=story(headline=f"Story {number}").pk)
    with django_assert_max_num_queries(8):
        body = api.get("/api/me/saved?limit=100").json()
    assert len(body["items"]) == 100 and body["total"] == 105


@pytest.mark.parametrize(
    "query",
    [
        "order=title;DROP TABLE x",
        "order=password",
        "order=-created_at",
        "direction=sideways",
        "password=x",
        "email=alice@example.org",
        "token=abc",
        "user__password__startswith=a",
    ],
)
@pytest.mark.parametrize("path", ["/api/me/saved", "/api/me/history"])
def test_v3_sort_and_filter_allow_lists(api, path, query):
    assert api.get(f"{path}?{query}").status_code == 400


def test_v3_allowed_sorts_work(api):
    for order in ("saved", "oldest", "published"):
        assert api.get(f"/api/me/saved?order={order}").status_code == 200


def test_v4_a_body_over_the_upload_limit_is_refused(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"name": "' + "x" * 20_000 + '"}'
    response = api.post("/api/me/tokens", body, content_type="application/json")
    assert response.status_code in {400, 413}


def test_v4_more_than_1000_form_fields_are_refused(client):
    fields = {f"f{number}": "x" for number in range(1001)}
    response = client.post("/account/sign-in/", {"email": "a@b.c", "password": "x", **fields})
    assert response.status_code == 400


def test_v4_deeply_nested_json_is_refused_quickly(api):
    body = "[" * 10_000 + "]" * 10_000
    started = time.perf_counter()
    response = api.post("/api/me/feedback", body, content_type="application/json")
    assert response.status_code == 400
    assert time.perf_counter() - started < 0.5


def test_v4_nesting_inside_strings_does_not_count(api):
    article = story()
    body = json.dumps({"article_id": article.pk, "kind": "more"})
    assert api.post("/api/me/feedback", body, content_type="application/json").status_code == 201
    name = '{"name": "' + "[{" * 30 + '\\"}"}'
    assert api.post("/api/me/tokens", name, content_type="application/json").status_code == 201


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
    ],
)
def test_v4_wrong_content_type_is_415(api, content_type):
    response = api.generic(
        "POST", "/api/me/tokens", b'{"name": "script"}', content_type=content_type
    )
    assert response.status_code == 415


def test_v4_repeated_query_parameters_are_refused(api):
    assert api.get("/api/me/saved?limit=1&limit=2").status_code == 400


def test_v4_unknown_body_fields_are_refused(api):
    article = story()
    response = api.post(
        "/api/me/saved", {"article_id": article.pk, "user_id": 1}, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/me", None),
        ("get", "/api/me/saved?order=nope", None),
        ("get", "/api/me/saved/999999", None),
        ("delete", "/api/me/saved/999999", None),
        ("post", "/api/me/tokens", {"name": ""}),
        ("patch", "/api/me", {"is_staff": True}),
    ],
)
def test_v6_json_answers_say_json_and_nosniff(api, method, path, body):
    kwargs = {"content_type": "application/json"} if body is not None else {}
    response = (
        getattr(api, method)(path, body, **kwargs)
        if body is not None
        else getattr(api, method)(path)
    )
    if response.status_code == 204:
        return
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_v6_unauthenticated_answers_are_json_too(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_v6_error_pages_do_not_echo_markup(client, alice):
    probe = "<script>alert(1)</script>"
    page = client.get(f"/account/{probe}/")
    assert page.status_code == 404 and probe.encode() not in page.content
    refused = client.post("/account/sign-in/", {"email": probe, "password": "x"})
    assert probe.encode() not in refused.content
    signup = client.post("/account/sign-up/", {"email": probe, "password": "x"})
    assert probe.encode() not in signup.content
