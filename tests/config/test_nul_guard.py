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


def test_binary_uploads_pass_but_a_nul_in_a_multipart_text_field_does_not(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tidings.common.middleware import NUL_MESSAGE

    def photo():
        return SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png")

    upload = client.post("/account/sign-in/", {"file": photo(), "email": "a@example.org"})
    assert NUL_MESSAGE not in upload.content.decode()
    refused = client.post("/account/sign-in/", {"email": "a\x00@example.org", "file": photo()})
    assert refused.status_code == 400 and NUL_MESSAGE in refused.content.decode()
