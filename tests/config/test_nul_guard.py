"""NUL characters are refused with 400 everywhere (PostgreSQL cannot store them)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["?q=a%00b", "?page=%00"])
def test_a_nul_in_the_query_is_a_400(client, query):
    response = client.get("/api/stories" + query)
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    assert client.get("/world-news/" + query).status_code == 400


def test_a_nul_in_a_json_body_is_a_400(client):
    response = client.post(
        "/api/me/feedback", '{"kind": "more\\u0000"}', content_type="application/json"
    )
    assert response.status_code == 400


def test_a_nul_in_a_form_is_a_400(client):
    response = client.post("/account/sign-in/", {"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400


def test_ordinary_requests_pass(client):
    assert client.get("/api/stories?limit=5").status_code == 200
