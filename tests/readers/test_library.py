"""Feedback in listings, My Reads, sessions and account deletion, through pages and services."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.newsroom import agency, story
from tests.readers.conftest import PASSWORD, signed_in, token_for
from tidings.readers import services
from tidings.readers.models import Feedback, Interaction, Reading

pytestmark = pytest.mark.django_db


def test_hiding_a_source_drops_its_stories_from_listings_for_that_reader_only(alice, client):
    hidden = story(headline="Wire story about the summit", source=agency("AFP"))
    kept = story(headline="Reuters story about the summit")
    for path in ("/", "/world-news/"):
        assert hidden.headline.encode() in client.get(path).content  # fills the cached fragment
    reader = signed_in(alice)
    response = reader.post(f"/account/feedback/{hidden.pk}/hide_source/", HTTP_HX_REQUEST="true")
    assert b"will not appear" in response.content
    for path in ("/", "/world-news/", "/source/afp/"):
        page = reader.get(path).content
        assert hidden.headline.encode() not in page and (
            path == "/source/afp/" or kept.headline.encode() in page
        )
        assert hidden.headline.encode() in client.get(path).content
    assert b"Hide this source" in reader.get("/account/following/").content


def test_hiding_a_topic_drops_its_stories_from_topic_pages(alice):
    tagged = story(headline="Putin meets Xi again", topics=["Vladimir Putin"])
    services.feedback_add(user=alice, kind=Feedback.Kind.HIDE_TOPIC, article_id=tagged.pk)
    assert tagged.headline.encode() not in signed_in(alice).get("/topic/vladimir-putin/").content


def test_more_and_less_are_stored_and_logged(alice):
    article = story()
    reader = signed_in(alice)
    for kind in ("more", "less"):
        assert reader.post(f"/account/feedback/{article.pk}/{kind}/").status_code == 302
    assert set(Feedback.objects.filter(user=alice).values_list("kind", flat=True)) == {
        "more",
        "less",
    }
    assert Interaction.objects.filter(reader=alice.pk, kind="feedback").count() == 2


def test_read_events_keep_the_furthest_progress_and_respect_pause(alice):
    article = story()
    api = Client(HTTP_AUTHORIZATION=f"Token {token_for(alice)}")
    for progress in (40, 20):
        response = api.post(
            "/api/me/read-events",
            {"article_id": article.pk, "seconds": 12, "progress": progress},
            content_type="application/json",
        )
        assert response.status_code == 204
    reading = Reading.objects.get(user=alice, article=article)
    assert (reading.progress, reading.seconds) == (40, 24)
    assert Interaction.objects.filter(reader=alice.pk, kind="read").count() == 2
    page = signed_in(alice).get("/account/reads/")
    assert b"Continue reading" in page.content and b"40% read" in page.content
    api.patch("/api/me", {"history_paused": True}, content_type="application/json")
    api.post("/api/me/read-events", {"article_id": story().pk}, content_type="application/json")
    assert Reading.objects.filter(user=alice).count() == 1
    assert api.delete("/api/me/history").status_code == 204
    assert not Reading.objects.filter(user=alice).exists()


def test_sign_out_everywhere_ends_other_sessions(alice):
    here, elsewhere = signed_in(alice), signed_in(alice)
    assert here.post("/account/sessions/end/").status_code == 302
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302


def test_deleting_an_account_signs_out_then_purges_after_the_grace_period(alice, settings):
    key = token_for(alice)
    other_device = signed_in(alice)
    reader = signed_in(alice)
    response = reader.post("/account/delete/", {"current_password": PASSWORD})
    assert b"will be deleted" in response.content
    assert other_device.get("/account/").status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/me").status_code == 401
    call_command("readers_purge_deleted")
    assert get_user_model().objects.filter(pk=alice.pk).exists()
    later = timezone.now() + timedelta(days=settings.READER_DELETION_GRACE_DAYS + 1)
    with time_machine.travel(later, tick=False):
        call_command("readers_purge_deleted")
    assert not get_user_model().objects.filter(pk=alice.pk).exists()


def test_signing_in_during_the_grace_period_cancels_deletion(alice):
    signed_in(alice).post("/account/delete/", {"current_password": PASSWORD})
    signed_in(alice)
    alice.profile.refresh_from_db()
    assert alice.profile.deletion_requested_at is None


def test_following_an_author_over_the_api(alice):
    from tidings.articles.models import Byline

    byline = Byline.objects.create(name="Asha Menon", slug="asha-menon")
    api = Client(HTTP_AUTHORIZATION=f"Token {token_for(alice)}")
    response = api.post(
        "/api/me/follows",
        {"kind": "author", "target_id": byline.pk},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["name"] == "Asha Menon"
    assert api.get("/api/me/follows?kind=author").json()["total"] == 1
    assert b"Asha Menon" in signed_in(alice).get("/account/following/").content


def test_a_topic_waiting_for_an_editor_cannot_be_followed(alice):
    from tidings.articles.models import Topic

    proposed = Topic.objects.create(name="Zorblax", slug="zorblax", status=Topic.Status.PROPOSED)
    api = Client(HTTP_AUTHORIZATION=f"Token {token_for(alice)}")
    follow = {"kind": "topic", "target_id": proposed.pk}
    assert api.post("/api/me/follows", follow, content_type="application/json").status_code == 404
    Topic.objects.filter(pk=proposed.pk).update(status=Topic.Status.APPROVED)
    assert api.post("/api/me/follows", follow, content_type="application/json").status_code == 201
