"""A reader's browser opens the front page and an article page (screenshots kept as artefacts)."""

from __future__ import annotations

import pytest

from tests.newsroom import IST_PUBLISHED, story
from tidings.articles.models import Media
from tidings.ingestion.types import RelatedLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_front_page() -> object:
    earlier = story(headline="Putin invites Xi to Moscow for a state visit")
    for number, section in enumerate(["World News", "Business", "Sport", "Technology"] * 2):
        story(
            headline=f"{section} story number {number} with a headline of a realistic length",
            section=section,
        )
    article = story(
        headline="Xi tells Putin China will stay objective and impartial on Ukraine",
        published=IST_PUBLISHED,
        topics=["Xi Jinping", "Vladimir Putin", "China", "Russia", "Ukraine"],
        related=[RelatedLink(url=earlier.canonical_url, title=earlier.headline)],
    )
    article.lead_media = Media.objects.create(
        url="/static/web/demo-photo.svg",
        caption="Xi Jinping and Vladimir Putin are seen.",
        credit="AFP",
    )
    article.save()
    return article


@pytest.mark.parametrize("width", [1280, 390])
def test_front_page_and_article_page_render(browser, live_server, screenshot_dir, width):
    article = seed_front_page()
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live_server.url + "/")
    assert page.locator(".masthead__name").inner_text() == "Tidings"
    assert page.locator(".card__headline").count() >= 5
    page.screenshot(path=str(screenshot_dir / f"front-{width}.png"), full_page=True)

    page.click(f"text={article.headline}")
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert page.locator("h1").inner_text() == article.headline
    assert page.locator(".breadcrumb").inner_text().replace("\n", " ").startswith("Home")
    assert page.locator(".story__photo figcaption").inner_text().endswith("(AFP)")
    assert page.locator(".read-more a").count() == 1
    tags = page.locator(".tags a").all_inner_texts()
    assert {"Xi Jinping", "Vladimir Putin", "China", "Russia", "Ukraine"} <= set(tags)
    assert page.locator("script[type='application/ld+json']").count() == 1
    page.screenshot(path=str(screenshot_dir / f"article-{width}.png"), full_page=True)
    page.close()
