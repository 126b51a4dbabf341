"""SECURITY.md group Z: one reader can never read, change or learn of another's records."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.newsroom import story
from tests.readers.conftest import PASSWORD, signed_in, token_for
from tidings.articles.models import Article
from tidings.readers import services
from tidings.readers.models import ApiToken, Feedback, Follow, Profile, Reading, SavedArticle

pytestmark = pytest.mark.django_db


def _library(user, article, other):
    """Follows, a saved story, a read, feedback and a token: one of everything a reader keeps."""
    topic = article.topics.first()
    follow = services.follow_add(user=user, kind="topic", target_id=topic.pk)
    saved = services.saved_add(user=user, article_id=article.pk)
    reading = services.read_event_record(user=user, article_id=article.pk, seconds=30, progress=60)
    feedback = services.feedback_add(user=user, kind="hide_source", article_id=other.pk)
    token, key = services.api_token_create(user=user, name=f"{user.email} script")
    return {
        "follows": follow.pk,
        "saved": saved.pk,
        "history": reading.pk,
        "feedback": feedback.pk,
        "tokens": token.pk,
        "key": key,
    }


@pytest.fixture
def libraries(alice, bob):
    article = story(topics=["Ukraine", "Xi Jinping"])
    other = story(topics=["Monsoon"])
    return _library(alice, article, other), _library(bob, article, other)


def _api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _counts() -> tuple[int, ...]:
    models = (Follow, SavedArticle, Reading, Feedback, ApiToken)
    active_tokens = ApiToken.objects.filter(revoked_at__isnull=True).count()
    return (*(model.objects.count() for model in models), active_tokens)


@pytest.mark.parametrize("kind", ["follows", "saved", "history", "tokens"])
def test_z1_another_readers_objects_answer_404_over_the_api(libraries, kind):
    alices, bobs = libraries
    before = _counts()
    bob = _api(bobs["key"])
    for method in ("get", "patch", "delete", "post"):
        response = getattr(bob, method)(
            f"/api/me/{kind}/{alices[kind]}", {}, content_type="application/json"
        )
        assert response.status_code in {404, 405}, (method, response.status_code)
    assert bob.delete(f"/api/me/{kind}/{alices[kind]}").status_code == 404
    assert _counts() == before


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/account/following/{}/delete/", "follows"),
        ("/account/tokens/{}/revoke/", "tokens"),
        ("/account/reads/{}/delete/", "history"),
        ("/account/feedback-remove/{}/", "feedback"),
    ],
)
def test_z1_another_readers_objects_answer_404_on_pages(libraries, bob, path, kind):
    alices, _ = libraries
    before = _counts()
    assert signed_in(bob).post(path.format(alices[kind])).status_code == 404
    assert _counts() == before


@pytest.mark.parametrize("kind", ["follows", "saved", "history", "tokens"])
def test_z2_lists_hold_only_the_readers_own_records_whatever_the_filter(libraries, alice, kind):
    alices, bobs = libraries
    bob = _api(bobs["key"])
    for query in (f"?user_id={alice.pk}", f"?user={alice.pk}", f"?id={alices[kind]}"):
        assert bob.get(f"/api/me/{kind}{query}").status_code == 400
    body = bob.get(f"/api/me/{kind}").json()
    items = body if isinstance(body, list) else body["items"]
    ids = {item["id"] for item in items}
    assert bobs[kind] in ids and alices[kind] not in ids


def test_z2_me_is_always_the_caller(libraries, alice, bob):
    alices, bobs = libraries
    assert _api(bobs["key"]).get("/api/me").json()["email"] == bob.email
    assert _api(alices["key"]).get("/api/me").json()["email"] == alice.email


def test_z3_shared_rows_are_not_changed_by_one_reader(libraries, alice, bob):
    """Both follow the same topic: one reader unfollowing or renaming themself leaves the
    other's follow and profile alone."""
    alices, bobs = libraries
    _api(alices["key"]).delete(f"/api/me/follows/{alices['follows']}")
    _api(alices["key"]).patch(
        "/api/me", {"display_name": "Renamed"}, content_type="application/json"
    )
    assert Follow.objects.filter(pk=bobs["follows"], user=bob).exists()
    assert Profile.objects.get(user=bob).display_name == ""


def test_z4_anonymous_readers_see_no_reader_records(libraries, client, alice):
    for path in (
        "/api/me",
        "/api/me/follows",
        "/api/me/saved",
        "/api/me/history",
        "/api/me/tokens",
    ):
        assert client.get(path).status_code == 401
    for path in ("/account/", "/account/following/", "/account/saved/", "/account/reads/"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    front = client.get("/").content
    assert alice.email.encode() not in front and b"is-following" not in front


MASS_ASSIGNMENT = [
    "is_staff",
    "is_superuser",
    "is_admin",
    "plan",
    "trial_ends_at",
    "subscription_status",
    "email_verified",
    "user_id",
    "id",
    "username",
]


@pytest.mark.parametrize("field", MASS_ASSIGNMENT)
def test_z5_patch_me_refuses_fields_it_does_not_own(libraries, alice, field):
    alices, _ = libraries
    value = 1 if field in {"user_id", "id"} else True
    response = _api(alices["key"]).patch(
        "/api/me", {field: value, "display_name": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    alice.refresh_from_db()
    assert not alice.is_staff and not alice.is_superuser
    assert Profile.objects.get(user=alice).display_name == ""


def test_z5_sign_up_ignores_privilege_fields(client):
    client.post(
        "/account/sign-up/",
        {
            "email": "mallory@example.org",
            "password": PASSWORD,
            "is_staff": "1",
            "is_superuser": "1",
            "email_verified": "1",
        },
    )
    user = get_user_model().objects.get(username="mallory@example.org")
    assert not user.is_staff and not user.is_superuser
    assert Profile.objects.get(user=user).email_verified_at is None


def test_z6_paid_stories_stay_paid_through_saved_and_reads(alice):
    premium = story(headline="Subscriber-only analysis of the summit")
    Article.objects.filter(pk=premium.pk).update(access=Article.Access.SUBSCRIBER)
    client = signed_in(alice)
    key = token_for(alice)
    assert (
        _api(key)
        .post("/api/me/saved", {"article_id": premium.pk}, content_type="application/json")
        .status_code
        == 201
    )
    saved = _api(key).get("/api/me/saved").content
    assert b"objective and fair stance" not in saved
    assert client.get(f"/api/articles/{premium.pk}").json()["body_html"] is None
    page = client.get(premium.get_absolute_url()).content
    assert b"objective and fair stance" not in page and b"for subscribers" in page


def test_z7_readers_cannot_reach_the_desk(alice):
    """A signed-in reader gets 404 from every desk page, the login page included."""
    client = signed_in(alice)
    for path in ("/desk/", "/desk/auth/user/", "/desk/readers/apitoken/", "/desk/login/"):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"a": "b"}).status_code in {403, 404}, path
