"""The editor desk, through HTTP as an editor's browser uses it, and the createeditor command."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from tests.newsroom import section, story
from tidings.articles.models import (
    Article,
    ArticleTopic,
    Byline,
    Media,
    Revision,
    Section,
    StoryCluster,
    Topic,
    TopicAlias,
)
from tidings.articles.services import article_publish_due, editor_create
from tidings.sources.models import Source
from tidings.sources.services import source_add

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Plover-quarry-rainfall-42"


# --- Helpers: fill in the desk's forms as a browser would -------------------------------------


def form_fields(client, url: str, form_id: str) -> dict[str, list[str]]:
    """Every value the page's form would submit untouched (hidden fields, management forms…)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    document = lxml.html.fromstring(response.content)
    form = document.get_element_by_id(form_id)
    values: dict[str, list[str]] = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    return values


def submit(client, page: str, form_id: str, **changes: object):
    data = form_fields(client, page, form_id)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [str(value)]
    return client.post(page, data)


def split_datetime(moment) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


def add_article(client, **changes: object):
    return submit(client, reverse("admin:articles_article_add"), "article_form", **changes)


def change_article(client, article: Article, **changes: object):
    url = reverse("admin:articles_article_change", args=[article.pk])
    return submit(client, url, "article_form", **changes)


def staff_in(role: str, username: str):
    return editor_create(
        username=username, email=f"{username}@desk.example", password=STRONG_PASSWORD, role=role
    )


@pytest.fixture
def editor_client(client):
    client.force_login(staff_in("editor", "eddie"))
    return client


@pytest.fixture
def chief_client(client):
    client.force_login(staff_in("desk-chief", "cheryl"))
    return client


# --- Writing, publishing, correcting -----------------------------------------------------------


def test_a_story_written_on_the_desk_is_sanitised_and_published(admin_client, client):
    world = section("World News")
    topic = Topic.objects.create(name="Ukraine", slug="ukraine")
    byline = Byline.objects.create(name="Ann Reporter", slug="ann-reporter")
    response = add_article(
        admin_client,
        headline="Ceasefire talks resume in Geneva",
        standfirst="Negotiators return after a month.",
        body_markdown=(
            "Talks **resumed** today.\n\n<script>alert('desk')</script>\n\nMore to follow."
        ),
        section=world.pk,
        bylines=[str(byline.pk)],
        dateline="GENEVA",
        status="published",
        **{"article_topics-0-topic": topic.pk},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(headline="Ceasefire talks resume in Geneva")
    assert "<script" not in article.body_html and "alert(" not in article.body_html
    assert "<strong>resumed</strong>" in article.body_html
    assert article.source.kind == Source.Kind.DESK and article.published_at is not None
    tag = ArticleTopic.objects.get(article=article)
    assert (tag.topic, tag.origin) == (topic, ArticleTopic.Origin.EDITOR)
    assert list(article.bylines.all()) == [byline]

    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "alert('desk')" not in text and "Ann Reporter" in text and "GENEVA" in text
    assert ">Ukraine</a>" in text
    assert article.headline in client.get("/").content.decode()
    assert article.headline in client.get("/world-news/rss/").content.decode()


def test_scheduling_needs_a_future_time(admin_client):
    past = timezone.now() - timedelta(hours=1)
    response = add_article(
        admin_client, headline="Too late", status="scheduled", **split_datetime(past)
    )
    assert response.status_code == 200
    assert "This time has passed" in response.content.decode()
    response = add_article(admin_client, headline="No time", status="scheduled")
    assert "Choose when this story should go live." in response.content.decode()
    assert not Article.objects.exists()


def test_a_scheduled_story_appears_only_once_its_time_has_come(admin_client, client):
    section("World News")
    story(headline="Something already on the front page")
    go_live = timezone.now() + timedelta(hours=3)
    response = add_article(
        admin_client,
        headline="Budget to be unveiled at noon",
        section=Section.objects.get(slug="world-news").pk,
        status="scheduled",
        **split_datetime(go_live),
    )
    assert response.status_code == 302
    article = Article.objects.get(headline="Budget to be unveiled at noon")
    assert article.status == Article.Status.SCHEDULED
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.headline not in client.get("/").content.decode()
    assert article_publish_due() == 0

    with time_machine.travel(go_live + timedelta(minutes=1), tick=False):
        assert article_publish_due() == 1
        assert client.get(article.get_absolute_url()).status_code == 200
        assert article.headline in client.get("/").content.decode()
        assert article.headline in client.get("/world-news/rss/").content.decode()


def test_a_correction_is_kept_as_a_revision_and_shown_to_readers(admin_client, client):
    article = story(headline="Minister resigns over expenses")
    note = "An earlier version of this story misstated the minister's department."
    response = change_article(
        admin_client,
        article,
        headline="Minister resigns over expenses claims",
        correction_note=note,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    revision = Revision.objects.get(article=article)
    assert revision.correction_note == note
    assert revision.headline == "Minister resigns over expenses"
    assert revision.editor is not None and revision.editor.username == "admin"
    article.refresh_from_db()
    assert article.updated_at is not None
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Corrections and updates" in page and "misstated the minister" in page
    change_page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "misstated the minister" in change_page.content.decode()


def test_a_correction_note_on_an_unpublished_draft_is_not_kept(admin_client):
    response = add_article(admin_client, headline="Draft", correction_note="Fixed a name.")
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "The correction note was not kept" in page and not Revision.objects.exists()


def test_the_live_preview_renders_markdown_as_it_will_be_stored(admin_client, client):
    url = reverse("admin:articles_article_render_markdown")
    response = admin_client.post(url, {"body": "## Heading\n\n<script>x()</script>*fine*"})
    html = response.content.decode()
    assert response.status_code == 200 and "<h2>Heading</h2>" in html and "<em>fine</em>" in html
    assert "<script" not in html and "x()" not in html
    assert admin_client.get(url).status_code == 405
    assert client.post(url, {"body": "x"}).status_code == 302


# --- Preview, retraction ------------------------------------------------------------------------


def test_preview_shows_a_draft_to_staff_only(admin_client, client, django_user_model):
    response = add_article(admin_client, headline="Draft about the harbour", status="draft")
    assert response.status_code == 302
    article = Article.objects.get(headline="Draft about the harbour")
    preview_url = reverse("admin:articles_article_preview", args=[article.pk])
    assert preview_url == f"/desk/articles/article/{article.pk}/preview/"

    preview = admin_client.get(preview_url)
    page = preview.content.decode()
    assert preview.status_code == 200 and '<h1 class="story__headline">' in page
    assert "Draft about the harbour" in page and "Preview of a draft story" in page
    assert "no-store" in preview["Cache-Control"] and preview["X-Robots-Tag"].startswith("noindex")
    assert client.get(article.get_absolute_url()).status_code == 404

    anonymous = client.get(preview_url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/desk/login/")
    nobody = django_user_model.objects.create_user("visitor", password=STRONG_PASSWORD)
    nobody.is_staff = True
    nobody.save()
    client.force_login(nobody)
    assert client.get(preview_url).status_code == 403
    assert admin_client.get("/desk/articles/article/999999/preview/").status_code == 404


def test_retract_action_asks_for_a_note_and_marks_the_story(admin_client, client):
    article = story(headline="Celebrity spotted on the moon")
    changelist = reverse("admin:articles_article_changelist")
    chosen = {"action": "retract_articles", "_selected_action": [article.pk]}
    ask = admin_client.post(changelist, chosen)
    assert ask.status_code == 200 and "Note to readers" in ask.content.decode()
    empty = admin_client.post(changelist, {**chosen, "post": "yes", "note": " "})
    assert empty.status_code == 200 and Article.objects.get(pk=article.pk).status == "published"

    note = "The photograph was a hoax."
    done = admin_client.post(changelist, {**chosen, "post": "yes", "note": note})
    assert done.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.RETRACTED and article.retraction_note == note
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<strong>Retracted.</strong>" in page and note in page


def test_editors_cannot_retract_and_desk_chiefs_can(editor_client):
    article = story()
    changelist = reverse("admin:articles_article_changelist")
    assert "retract_articles" not in editor_client.get(changelist).content.decode()
    editor_client.post(
        changelist,
        {
            "action": "retract_articles",
            "_selected_action": [article.pk],
            "post": "yes",
            "note": "n",
        },
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    editor_client.force_login(staff_in("desk-chief", "chief"))
    assert "retract_articles" in editor_client.get(changelist).content.decode()


# --- Topics, sections -----------------------------------------------------------------------------


def test_merging_topics_moves_tags_and_redirects_the_old_page(admin_client, client):
    first = story(topics=["Xi", "Beijing"])
    second = story(topics=["Xi Jinping"])
    old = Topic.objects.get(slug="xi")
    kept = Topic.objects.get(slug="xi-jinping")
    changelist = reverse("admin:articles_topic_changelist")
    chosen = {"action": "merge_topics", "_selected_action": [old.pk, kept.pk]}
    ask = admin_client.post(changelist, chosen)
    assert ask.status_code == 200 and "Keep this topic" in ask.content.decode()

    done = admin_client.post(changelist, {**chosen, "post": "yes", "into": kept.pk})
    assert done.status_code == 302
    assert set(ArticleTopic.objects.filter(topic=kept).values_list("article", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert not ArticleTopic.objects.filter(topic=old).exists()
    redirect = client.get("/topic/xi/")
    assert redirect.status_code == 301 and redirect["Location"] == "/topic/xi-jinping/"
    listing = admin_client.get(changelist).content.decode()
    assert "→" in listing and f'href="/desk/articles/topic/{kept.pk}/change/"' in listing


def test_block_and_approve_actions_and_alias_inline(admin_client, client):
    story(topics=["Ukraine"])
    topic = Topic.objects.get(slug="ukraine")
    changelist = reverse("admin:articles_topic_changelist")
    admin_client.post(changelist, {"action": "block_topics", "_selected_action": [topic.pk]})
    assert client.get("/topic/ukraine/").status_code == 404
    admin_client.post(changelist, {"action": "approve_topics", "_selected_action": [topic.pk]})
    assert client.get("/topic/ukraine/").status_code == 200

    url = reverse("admin:articles_topic_change", args=[topic.pk])
    response = submit(admin_client, url, "topic_form", **{"aliases-0-name": "Ukrainian war"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TopicAlias.objects.get(topic=topic).normalised == "ukrainian war"
    other = Topic.objects.create(name="Kyiv", slug="kyiv")
    clash = submit(
        admin_client,
        reverse("admin:articles_topic_change", args=[other.pk]),
        "topic_form",
        **{"aliases-0-name": "Ukrainian  War"},
    )
    assert clash.status_code == 200 and "already names the topic" in clash.content.decode()


def test_a_section_cannot_take_a_reserved_address(admin_client):
    response = submit(
        admin_client,
        reverse("admin:articles_section_add"),
        "section_form",
        name="Topics",
        slug="topic",
    )
    assert response.status_code == 200
    assert "is used by the site&#x27;s own addresses" in response.content.decode()
    assert not Section.objects.filter(slug="topic").exists()
    add_url = reverse("admin:articles_section_add")
    ok = submit(admin_client, add_url, "section_form", name="Asia", slug="asia")
    assert ok.status_code == 302 and Section.objects.filter(slug="asia").exists()


def test_sections_are_listed_as_a_tree(admin_client):
    world = section("World News")
    Section.objects.create(name="Asia", slug="asia", parent=world)
    page = admin_client.get(reverse("admin:articles_section_changelist")).content.decode()
    assert "World News / Asia" in page


def test_an_editor_cannot_delete_sections_and_a_desk_chief_can(editor_client):
    doomed = Section.objects.create(name="Weather", slug="weather")
    delete_url = reverse("admin:articles_section_delete", args=[doomed.pk])
    assert editor_client.get(delete_url).status_code == 403
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Section.objects.filter(pk=doomed.pk).exists()
    assert editor_client.get(reverse("admin:articles_article_add")).status_code == 200

    editor_client.force_login(staff_in("desk-chief", "chief"))
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Section.objects.filter(pk=doomed.pk).exists()


# --- Sources -------------------------------------------------------------------------------------


def test_starter_sources_are_added_once_and_only_when_chosen(admin_client):
    changelist = admin_client.get(reverse("admin:sources_source_changelist")).content.decode()
    starter_url = reverse("admin:sources_source_starter")
    assert starter_url in changelist
    page = admin_client.get(starter_url).content.decode()
    assert "BBC News — World" in page and not Source.objects.exists()

    assert admin_client.post(starter_url, {"starter": ["0", "1"]}).status_code == 302
    assert Source.objects.count() == 2
    admin_client.post(starter_url, {"starter": ["0", "1", "99", "x"]})
    assert Source.objects.count() == 2
    assert "(added)" in admin_client.get(starter_url).content.decode()


def test_source_add_refuses_addresses_that_are_not_web_addresses():
    for bad in ("file:///etc/passwd", "ftp://feeds.example/rss", "javascript:alert(1)", "http://"):
        with pytest.raises(Exception, match="not an http"):
            source_add(name="Bad", url=bad, kind=Source.Kind.FEED)
    first, created = source_add(name="Feed", url="https://feeds.example/rss", kind="feed")
    again, created_again = source_add(name="Feed 2", url="https://feeds.example/rss", kind="feed")
    assert created and not created_again and first.pk == again.pk
    other, _ = source_add(name="Feed", url="https://feeds.example/other", kind="feed")
    assert other.slug == "feed-2"


# --- Accounts ---------------------------------------------------------------------------------


def test_createeditor_makes_a_staff_account_in_its_role(monkeypatch, capsys):
    monkeypatch.setenv("TIDINGS_EDITOR_PASSWORD", STRONG_PASSWORD)
    call_command("createeditor", "--no-input", "--username", "nina", "--role", "desk-chief")
    from django.contrib.auth import get_user_model

    nina = get_user_model().objects.get(username="nina")
    assert nina.is_staff and not nina.is_superuser and nina.check_password(STRONG_PASSWORD)
    assert list(nina.groups.values_list("name", flat=True)) == ["Desk chief"]
    assert nina.has_perm("articles.retract_article") and nina.has_perm("articles.delete_section")
    assert "Created Desk chief account 'nina'" in capsys.readouterr().out

    call_command("createeditor", "--no-input", "--username", "otto")
    otto = get_user_model().objects.get(username="otto")
    assert list(otto.groups.values_list("name", flat=True)) == ["Editor"]
    assert otto.has_perm("articles.add_article") and not otto.has_perm("articles.delete_section")
    assert not otto.has_perm("articles.retract_article")
    call_command("createeditor", "--no-input", "--username", "root", "--role", "admin")
    assert get_user_model().objects.get(username="root").is_superuser


def test_createeditor_refuses_weak_passwords_and_taken_names(monkeypatch):
    monkeypatch.setenv("TIDINGS_EDITOR_PASSWORD", "password")
    with pytest.raises(CommandError, match=r"Password refused: .*too common"):
        call_command("createeditor", "--no-input", "--username", "weak")
    monkeypatch.setenv("TIDINGS_EDITOR_PASSWORD", "weak-kid")
    with pytest.raises(CommandError, match=r"Password refused: .*too similar"):
        call_command("createeditor", "--no-input", "--username", "weak-kid")
    monkeypatch.delenv("TIDINGS_EDITOR_PASSWORD")
    with pytest.raises(CommandError, match="TIDINGS_EDITOR_PASSWORD"):
        call_command("createeditor", "--no-input", "--username", "nopass")
    monkeypatch.setenv("TIDINGS_EDITOR_PASSWORD", STRONG_PASSWORD)
    call_command("createeditor", "--no-input", "--username", "taken")
    with pytest.raises(CommandError, match="'Taken' is taken"):
        call_command("createeditor", "--no-input", "--username", "Taken")
    from django.contrib.auth import get_user_model

    assert set(get_user_model().objects.values_list("username", flat=True)) == {"taken"}


def test_desk_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Editor", "Desk chief", "Admin"}


# --- Every list page --------------------------------------------------------------------------


DESK_LISTS = [
    "admin:index",
    "admin:articles_article_changelist",
    "admin:articles_section_changelist",
    "admin:articles_topic_changelist",
    "admin:articles_byline_changelist",
    "admin:articles_media_changelist",
    "admin:articles_storycluster_changelist",
    "admin:sources_source_changelist",
    "admin:auth_user_changelist",
    "admin:auth_group_changelist",
]


def a_busy_newsroom() -> None:
    world = section("World News")
    Section.objects.create(name="Asia", slug="asia", parent=world)
    cluster = StoryCluster.objects.create(title="Ukraine talks", article_count=3)
    for number in range(4):
        article = story(headline=f"Story {number}", topics=["Ukraine", f"Topic {number}"])
        article.story_cluster = cluster
        article.lead_media = Media.objects.create(
            url=f"https://img.example/{number}.jpg", caption=f"Photo {number}", credit="AFP"
        )
        article.save()
        article.bylines.add(Byline.objects.create(name=f"Writer {number}", slug=f"w{number}"))
    story(headline="Markets rally", section="Business")
    Source.objects.filter(slug="reuters").update(error_count=2, last_error="HTTP 503")
    Topic.objects.filter(slug="topic-0").update(merged_into=Topic.objects.get(slug="ukraine"))


@pytest.mark.parametrize("name", DESK_LISTS)
def test_every_desk_list_loads_with_few_queries(admin_client, django_assert_max_num_queries, name):
    a_busy_newsroom()
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name", ["admin:articles_article_changelist", "admin:articles_topic_changelist"]
)
def test_desk_lists_do_not_grow_queries_with_rows(admin_client, django_assert_num_queries, name):
    a_busy_newsroom()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse(name))
    for number in range(10):
        story(headline=f"More {number}", topics=[f"Extra {number}"])
    with CaptureQueriesContext(connection) as many:
        admin_client.get(reverse(name))
    assert len(many) == len(few)


def test_every_change_page_loads(admin_client):
    a_busy_newsroom()
    objects = [
        Article.objects.first(),
        Section.objects.get(slug="asia"),
        Topic.objects.get(slug="ukraine"),
        Topic.objects.get(slug="topic-0"),
        Byline.objects.first(),
        Media.objects.first(),
        StoryCluster.objects.first(),
        Source.objects.first(),
    ]
    for obj in objects:
        meta = obj._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        response = admin_client.get(url)
        assert response.status_code == 200, url
    for name in ("articles_article", "articles_section", "articles_topic", "sources_source"):
        assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 200


def test_topic_tags_are_changed_and_removed_through_the_inline(admin_client):
    article = story(topics=["Ukraine", "Kyiv"])
    ukraine, kyiv = Topic.objects.get(slug="ukraine"), Topic.objects.get(slug="kyiv")
    russia = Topic.objects.create(name="Russia", slug="russia")
    blocked = Topic.objects.create(name="Spam", slug="spam", status=Topic.Status.BLOCKED)
    rows = {
        tag.topic_id: index
        for index, tag in enumerate(ArticleTopic.objects.filter(article=article).order_by("id"))
    }
    swap = {
        f"article_topics-{rows[ukraine.pk]}-topic": russia.pk,
        f"article_topics-{rows[kyiv.pk]}-DELETE": "on",
        "article_topics-2-topic": blocked.pk,
    }
    refused = change_article(admin_client, article, **swap)
    assert refused.status_code == 200 and "is blocked" in refused.content.decode()
    del swap["article_topics-2-topic"]
    response = change_article(admin_client, article, **swap)
    assert response.status_code == 302, response.content.decode()[:3000]
    tags = ArticleTopic.objects.filter(article=article)
    assert [(tag.topic.slug, tag.origin) for tag in tags] == [("russia", "editor")]


def test_createeditor_asks_again_until_the_passwords_match_and_are_strong(monkeypatch, capsys):
    answers = iter(["sam", "sam@desk.example"])
    typed = ["first-try-9x!", "different-9x!", "password", "password"]
    passwords = iter([*typed, STRONG_PASSWORD, STRONG_PASSWORD])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(passwords))
    call_command("createeditor", "--role", "editor")
    errors = capsys.readouterr().err
    assert "do not match" in errors and "too common" in errors
    from django.contrib.auth import get_user_model

    sam = get_user_model().objects.get(username="sam")
    assert sam.email == "sam@desk.example" and sam.check_password(STRONG_PASSWORD)


def test_a_source_on_the_desk_needs_a_web_address(admin_client):
    add_url = reverse("admin:sources_source_add")
    refused = submit(
        admin_client,
        add_url,
        "source_form",
        name="Old FTP",
        slug="old-ftp",
        url="ftp://x.example/f",
    )
    assert refused.status_code == 200 and "http:// or https://" in refused.content.decode()
    saved = submit(
        admin_client, add_url, "source_form", name="Wire", slug="wire", url="https://x.example/f"
    )
    assert saved.status_code == 302 and Source.objects.get(slug="wire").url == "https://x.example/f"


def test_the_roles_migration_can_run_again_without_duplicating():
    import importlib

    from django.apps import apps

    roles = importlib.import_module("tidings.articles.migrations.0002_editor_roles")
    before = {group.name: group.permissions.count() for group in Group.objects.all()}
    roles.create_roles(apps, None)
    after = {group.name: group.permissions.count() for group in Group.objects.all()}
    assert before == after and Group.objects.filter(name="Editor").count() == 1


def test_read_more_links_written_on_the_desk_show_inside_the_story(admin_client, client):
    earlier = add_article(
        admin_client,
        headline="Putin invites Xi to Moscow",
        body_markdown="First.\n\nSecond.",
        status="published",
    )
    assert earlier.status_code == 302
    target = Article.objects.get(headline="Putin invites Xi to Moscow")
    response = add_article(
        admin_client,
        headline="Xi and Putin hold a video call",
        body_markdown="One.\n\nTwo.\n\nThree.",
        read_more=(
            f"{target.get_absolute_url()} Putin invites Xi to Moscow\n"
            "https://other.example/analysis What the call means"
        ),
        status="published",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(headline="Xi and Putin hold a video call")
    assert article.related_links[0]["article_id"] == target.pk
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Read more:" in page and f'href="/a/{target.pk}/"' in page
    assert 'href="https://other.example/analysis"' in page
    refused = add_article(
        admin_client, headline="Bad link", body_markdown="x", read_more="javascript:alert(1) hi"
    )
    assert refused.status_code == 200 and "neither an http(s) address" in refused.content.decode()
