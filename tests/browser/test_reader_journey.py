"""A new reader's journey in Chromium: sign up, confirm, pick topics, follow from an article,
save it, read it, find it in My Reads, sign out — at desktop and phone widths."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.newsroom import story
from tidings.articles.models import Media
from tidings.readers.models import Follow, Reading, SavedArticle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and memorable passphrase"


def seed() -> object:
    for number in range(4):
        story(
            headline=f"Monsoon rains reach Kerala ahead of schedule, report {number}",
            section="India",
            topics=["Monsoon", "Kerala"],
        )
    article = story(
        headline="Xi tells Putin China will stay objective and impartial on Ukraine",
        topics=["Xi Jinping", "Vladimir Putin", "Ukraine"],
    )
    article.lead_media = Media.objects.create(
        url="/static/web/demo-photo.svg", caption="Xi Jinping and Vladimir Putin.", credit="AFP"
    )
    article.save()
    return article


def _verification_path(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to:
            found = re.search(r"https?://[^/\s]+(/account/verify/\S+)", message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no confirmation mail to {email}")


@pytest.mark.parametrize("width", [1280, 390])
def test_reader_journey(browser, live_server, screenshot_dir, width):
    article = seed()
    email = f"reader{width}@example.org"
    page = browser.new_page(viewport={"width": width, "height": 900})
    shot = lambda name: page.screenshot(  # noqa: E731
        path=str(screenshot_dir / f"reader-{name}-{width}.png"), full_page=True
    )

    page.goto(live_server.url + "/")
    page.click("text=Create free account")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    shot("1-sign-up")
    page.click("button:has-text('Create free account')")
    page.wait_for_selector("text=Check your inbox")

    page.goto(live_server.url + _verification_path(email))
    page.click("text=Confirm and continue")
    page.wait_for_url("**/account/welcome/")
    shot("2-pick-topics")
    page.click("label:has-text('Monsoon')")
    page.click("button:has-text('Continue')")
    page.wait_for_url(live_server.url + "/")
    assert page.locator(".account-menu").count() == 1

    with page.expect_response("**/api/me/read-events", timeout=20_000) as read:
        page.goto(live_server.url + article.get_absolute_url())
        page.mouse.wheel(0, 4000)
    assert read.value.status == 204
    page.mouse.wheel(0, -4000)
    tag = page.locator(".tag-follow", has_text="Ukraine")
    tag.locator("button").click()
    tag.locator("button.is-following").wait_for()
    page.locator(".story__actions .save-btn").click()
    page.locator("#toast", has_text="Story Saved").wait_for()
    shot("3-article-followed-saved")

    page.goto(live_server.url + "/account/reads/")
    assert page.locator(".library__headline", has_text=article.headline).count() == 1
    shot("4-my-reads")
    page.goto(live_server.url + "/account/saved/")
    assert page.locator(".library__headline", has_text=article.headline).count() == 1
    shot("5-saved")
    page.goto(live_server.url + "/account/following/")
    assert page.locator(".chip", has_text="Ukraine").count() == 1
    assert page.locator(".chip", has_text="Monsoon").count() == 1
    shot("6-following")
    page.goto(live_server.url + "/account/")
    shot("7-profile")

    page.locator(".account-menu summary").click()
    page.click(".account-menu__list button:has-text('Sign out')")
    page.wait_for_url(live_server.url + "/")
    assert page.locator(".masthead__signin").count() == 1
    shot("8-signed-out")

    assert Follow.objects.filter(user__username=email).count() == 2
    assert SavedArticle.objects.filter(user__username=email, article=article).exists()
    assert Reading.objects.filter(user__username=email, article=article).exists()
    page.close()
