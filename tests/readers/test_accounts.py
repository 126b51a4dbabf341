"""Sign-up, confirmation, sign-in, onboarding and profile pages through HTTP."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.newsroom import story
from tests.readers.conftest import PASSWORD, last_link, signed_in
from tidings.readers.models import Follow, Profile

pytestmark = pytest.mark.django_db


def test_sign_up_sends_a_link_that_confirms_signs_in_and_offers_topics(
    client, django_capture_on_commit_callbacks
):
    """A new reader gets a confirmation mail; opening it signs them in and onboarding follows."""
    story(topics=["Xi Jinping", "Ukraine"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/sign-up/", {"email": "Nia@Example.org", "password": PASSWORD}
        )
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    link = last_link(to="Nia@example.org", path="/account/verify/")
    path = link.split("127.0.0.1:8000", 1)[1] if "127.0.0.1:8000" in link else link
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/account/welcome/"
    page = client.get("/account/welcome/")
    assert b"Xi Jinping" in page.content
    topic_id = page.context["trending"][0].pk
    assert client.post("/account/welcome/", {"topic": [topic_id]}).status_code == 302
    user = get_user_model().objects.get(username="nia@example.org")
    assert Follow.objects.filter(user=user, topic_id=topic_id).exists()
    assert Profile.objects.get(user=user).onboarded_at is not None


def test_unverified_reader_cannot_sign_in_and_gets_a_new_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/sign-up/", {"email": "new@example.org", "password": PASSWORD})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/sign-in/", {"email": "new@example.org", "password": PASSWORD}
        )
    assert b"Confirm your e-mail address first" in response.content
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1


def test_anonymous_follows_are_kept_in_a_cookie_and_merged_on_sign_in(client, alice):
    article = story(topics=["Ukraine"])
    topic = article.topics.get()
    response = client.post(f"/account/follow/topic/{topic.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Create free account and unlock" in response.content
    assert b"is-following" in response.content
    assert not Follow.objects.exists()
    client.post("/account/sign-in/", {"email": alice.email, "password": PASSWORD})
    assert Follow.objects.filter(user=alice, topic=topic).exists()


def test_follow_button_toggles_without_reload(alice):
    client = signed_in(alice)
    article = story(topics=["Ukraine"])
    topic = article.topics.get()
    page = client.get(article.get_absolute_url())
    assert f'hx-post="/account/follow/topic/{topic.pk}/"'.encode() in page.content
    on = client.post(f"/account/follow/topic/{topic.pk}/", HTTP_HX_REQUEST="true")
    assert b"is-following" in on.content and b"You are following" in on.content
    off = client.post(f"/account/follow/topic/{topic.pk}/", HTTP_HX_REQUEST="true")
    assert b"is-following" not in off.content
    assert not Follow.objects.filter(user=alice).exists()


def test_save_shows_story_saved_toast_with_undo_and_the_saved_page_searches(alice):
    client = signed_in(alice)
    kept = story(headline="Monsoon arrives early in Kerala")
    story(headline="Markets rally on rate hopes")
    response = client.post(f"/account/save/{kept.pk}/", HTTP_HX_REQUEST="true")
    assert b"Story Saved" in response.content and b"Undo" in response.content
    page = client.get("/account/saved/?q=monsoon")
    assert b"Monsoon arrives early" in page.content
    assert b"No saved stories match" in client.get("/account/saved/?q=markets").content
    client.post(f"/account/save/{kept.pk}/", {"action": "unsave"}, HTTP_HX_REQUEST="true")
    assert b"Nothing saved yet" in client.get("/account/saved/").content


def test_anonymous_save_gets_the_unlock_prompt(client):
    article = story()
    response = client.post(f"/account/save/{article.pk}/", HTTP_HX_REQUEST="true")
    assert b"Create free account and unlock" in response.content
    assert response["HX-Reswap"] == "none"


def test_profile_page_and_data_export(alice):
    client = signed_in(alice)
    page = client.get("/account/")
    assert page.status_code == 200 and b"Edit Profile" in page.content
    saved = client.post(
        "/account/",
        {
            "display_name": "Alice A.",
            "time_zone": "Asia/Kolkata",
            "language": "en",
            "home_location": "Mumbai",
            "newsletter_daily": "on",
        },
    )
    assert saved.status_code == 302
    profile = Profile.objects.get(user=alice)
    assert (profile.time_zone, profile.home_location) == ("Asia/Kolkata", "Mumbai")
    assert profile.newsletter_preferences == {"daily": True, "weekly": False}
    export = client.get("/account/my-data.json")
    assert export["Content-Type"] == "application/json"
    assert json.loads(export.content)["profile"]["display_name"] == "Alice A."


def test_api_token_is_shown_once_and_only_its_hash_is_kept(alice):
    client = signed_in(alice)
    client.post("/account/tokens/", {"name": "My script"})
    first = client.get("/account/")
    key = first.context["new_token"]
    assert key and key.encode() in first.content
    assert key.encode() not in client.get("/account/").content
    from tidings.readers.models import ApiToken

    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
