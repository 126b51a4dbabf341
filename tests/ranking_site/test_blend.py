"""The For-you blend: what the feed showed is logged with its features, the nightly retrain
learns from which of those stories readers opened, and a site without data ranks as before."""

from __future__ import annotations

import json
import math
import random
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.newsroom import agency, story
from tidings.articles.models import Article, Topic
from tidings.ranking.blend import BLEND_FEATURES, DEFAULT_BLEND, Blend
from tidings.ranking.models import FeedImpression
from tidings.ranking.selectors import live_blend, live_state_forget
from tidings.ranking.services import blend_retrain
from tidings.ranking.snapshots import blend_path
from tidings.ranking.tasks import scorer_retrain_task
from tidings.readers import services as reader_services
from tidings.readers.models import Interaction, Profile

pytestmark = pytest.mark.django_db
FOLLOW = BLEND_FEATURES.index("follow")
FRESHNESS = BLEND_FEATURES.index("freshness")


def _ids(client: Client, path: str = "/api/me/for-you?limit=20") -> list[int]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _follow_markets(user) -> None:  # type: ignore[no-untyped-def]
    topic = Topic.objects.get(name="Markets")
    reader_services.follow_add(user=user, kind="topic", target_id=topic.pk)


def _followed_and_fresh() -> tuple[list[Article], list[Article]]:
    """Followed Markets stories from yesterday; fresh Weather stories nobody follows. By the
    default weights the followed ones come first (1 + 0.5·e^-1.25 against 0.5·e^-0)."""
    now = timezone.now()
    markets = [
        story(
            topics=["Markets"],
            section="Business",
            source=agency("AP"),
            published=now - timedelta(hours=30, minutes=i),
        )
        for i in range(10)
    ]
    weather = [
        story(
            topics=["Monsoon"],
            section="Weather",
            source=agency("Reuters"),
            published=now - timedelta(minutes=5 + i),
        )
        for i in range(10)
    ]
    return markets, weather


def _readers(count: int) -> list[Client]:
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"reader-{n}", email=f"reader-{n}@example.org")
        for n in range(count)
    )
    clients = []
    for user in users:
        _follow_markets(user)
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_the_default_blend_is_the_old_hand_set_sum_bit_for_bit():
    """Before anything is learned, scores are exactly those For-you computed before."""
    rng = random.Random(5)
    for _ in range(2_000):
        learned, popularity, age = rng.random(), rng.random(), rng.uniform(0, 72)
        follow, similar, more, less, less_source = (rng.random() < 0.5 for _ in range(5))
        old = (
            learned
            + (1.0 if follow else 0.0)
            + (0.6 if similar else 0.0)
            + 0.4 * popularity
            + 0.5 * math.exp(-age / 24)
            + 0.3 * more
            - 0.8 * less
            - 0.4 * less_source
        )
        features = (learned, float(follow), float(similar), popularity, math.exp(-age / 24))
        features += (float(more), float(less), float(less_source), float(rng.random() < 0.5))
        assert Blend().score(features) == old


def test_a_signed_in_reader_s_pages_are_logged_with_their_features(reader, reader_client):
    markets, weather = _followed_and_fresh()
    _follow_markets(reader)

    html = reader_client.get("/for-you/").content.decode()
    logged = list(FeedImpression.objects.order_by("position"))
    assert len(logged) == 10 and html.count('class="for-you__item"') == 10
    assert [row.position for row in logged] == list(range(10))
    assert {row.reader_id for row in logged} == {reader.pk}
    assert all(len(row.features) == len(BLEND_FEATURES) for row in logged)
    follows = {row.article_id: row.features[FOLLOW] for row in logged}
    assert all(follows[a.pk] == 1 for a in markets if a.pk in follows)
    assert all(follows[a.pk] == 0 for a in weather if a.pk in follows)

    page = reader_client.get("/api/me/for-you?limit=5&cursor=10").json()
    newest = FeedImpression.objects.filter(position__gte=10).order_by("position")
    assert [row.article_id for row in newest] == [item["id"] for item in page["items"]]
    assert [row.position for row in newest] == list(range(10, 15))


def test_an_anonymous_session_is_logged_and_its_opens_label_the_impressions():
    """The rail beside an article is not logged; the For-you page is, under the session; a
    story opened from it within the day counts as opened at the next retrain."""
    first = story(topics=["Xi Jinping"])
    for _ in range(6):
        story(topics=["Xi Jinping"])
    client = Client()
    assert client.post(f"/a/{first.pk}/opened/").status_code == 200
    assert not FeedImpression.objects.exists()

    shown = _card_ids(client.get("/for-you/").content.decode())
    logged = list(FeedImpression.objects.all())
    assert len(logged) == len(shown) > 0
    assert {(row.reader_id, row.session) for row in logged} == {(None, client.session.session_key)}
    client.post(f"/a/{shown[0]}/opened/")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        result = blend_retrain()
    assert (result.impressions, result.opened, result.learned) == (len(shown), 1, False)


def _card_ids(html: str) -> list[int]:
    headlines = re.findall(r'card__headline"><a [^>]*>([^<]+)<', html)
    ids = dict(Article.objects.filter(headline__in=headlines).values_list("headline", "pk"))
    return [ids[headline] for headline in headlines]


def test_nothing_is_logged_for_a_prefetch_or_a_reader_who_paused_history(reader, reader_client):
    _followed_and_fresh()
    _follow_markets(reader)
    assert reader_client.get("/api/me/for-you", headers={"Sec-Purpose": "prefetch"}).json()
    assert not FeedImpression.objects.exists()
    Profile.objects.update_or_create(user=reader, defaults={"history_paused": True})
    assert _ids(reader_client)
    assert not FeedImpression.objects.exists()


def test_readers_who_open_fresh_stories_and_ignore_followed_ones_teach_the_blend(capsys):
    """Thirty readers follow Markets and are shown yesterday's Markets stories above today's
    Weather; they open the Weather and never the Markets. After the nightly retrain the
    blend weighs follows less and freshness more, and fresh Weather comes first."""
    markets, weather = _followed_and_fresh()
    clients = _readers(30)
    assert _ids(clients[0])[0] in {a.pk for a in markets}
    for client in clients[1:]:
        _ids(client)
    shown = list(FeedImpression.objects.values_list("reader_id", "article_id", "shown_at"))
    fresh = {a.pk for a in weather}
    Interaction.objects.bulk_create(
        Interaction(
            reader=reader_id,
            article_id=article_id,
            kind=Interaction.Kind.OPEN,
            occurred_at=shown_at + timedelta(minutes=10),
        )
        for reader_id, article_id, shown_at in shown
        if article_id in fresh
    )

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        call_command("interactions", "retrain")
    out = capsys.readouterr().out
    assert "For-you blend learned: 600 impressions, 300 opened" in out
    assert "follow" in out and "freshness" in out  # the weights, for the editors

    live_state_forget()
    learned = live_blend()
    assert learned.name == "learned"
    assert learned.weights[FOLLOW] < DEFAULT_BLEND["follow"]
    assert learned.weights[FRESHNESS] > DEFAULT_BLEND["freshness"]
    # What the log said nothing about keeps its default.
    less = BLEND_FEATURES.index("less_like_this_topic")
    assert learned.weights[less] == pytest.approx(DEFAULT_BLEND["less_like_this_topic"])
    assert _ids(clients[0])[0] in fresh


def test_with_too_few_impressions_the_default_is_kept(capsys):
    _followed_and_fresh()
    for client in _readers(3):
        _ids(client)
    Interaction.objects.bulk_create(
        Interaction(reader=reader_id, article_id=article_id, kind="open", occurred_at=shown_at)
        for reader_id, article_id, shown_at in FeedImpression.objects.values_list(
            "reader_id", "article_id", "shown_at"
        )[:20]
    )
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        call_command("interactions", "retrain")
    out = capsys.readouterr().out
    assert "For-you blend kept (too few opened or ignored): 60 impressions, 20 opened" in out
    assert "blend default: behaviour +1.000, follow +1.000" in out
    assert not blend_path().exists()
    live_state_forget()
    assert live_blend() == Blend()


@pytest.mark.parametrize(
    "stored",
    [
        "not json at all",
        "[1, 2, 3]",
        '{"version": 1, "features": ["follow"], "weights": {"follow": 9}}',
        json.dumps({"version": 1, "features": BLEND_FEATURES, "weights": {}}),
        json.dumps(
            {
                "version": 1,
                "features": BLEND_FEATURES,
                "weights": dict.fromkeys(BLEND_FEATURES, math.nan),
                "position_weight": 0,
                "intercept": 0,
                "opened": 1,
                "ignored": 1,
                "trained_at": "",
            }
        ),
        b"\xff\xfe\x00garbage",
    ],
)
def test_a_broken_blend_file_means_the_default_and_no_crash(reader, reader_client, stored):
    markets, _ = _followed_and_fresh()
    _follow_markets(reader)
    before = _ids(reader_client)
    assert before[0] in {a.pk for a in markets}
    if isinstance(stored, bytes):
        blend_path().write_bytes(stored)
    else:
        blend_path().write_text(stored)
    live_state_forget()
    assert live_blend() == Blend()
    assert _ids(reader_client) == before


def test_the_nightly_job_prunes_impressions_older_than_thirty_days(reader, reader_client):
    _followed_and_fresh()
    _follow_markets(reader)
    _ids(reader_client)
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        assert blend_retrain().pruned == 0
    assert FeedImpression.objects.count() == 20
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        scorer_retrain_task.call_local()  # the nightly job
    assert not FeedImpression.objects.exists()


def test_the_blend_command_prints_the_weights_in_use(capsys):
    call_command("interactions", "blend")
    assert capsys.readouterr().out.startswith("blend default: behaviour +1.000, follow +1.000")
