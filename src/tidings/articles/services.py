"""Every write to the newsroom's records goes through here."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import markdown as markdown_lib
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from tidings.articles.models import (
    Article,
    ArticleTopic,
    Byline,
    Media,
    Revision,
    Section,
    Topic,
    TopicAlias,
)
from tidings.articles.selectors import CONTENT_VERSION_KEY
from tidings.common.errors import InvalidInput
from tidings.common.sanitise import html_to_text, sanitise_html
from tidings.common.text import content_hash, headline_slug, normalise_name
from tidings.enrichment.basics import reading_minutes
from tidings.ingestion.types import ExtractedArticle
from tidings.sources.models import Source

UpsertStatus = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class UpsertResult:
    article: Article
    status: UpsertStatus


def render_markdown(text: str) -> str:
    """Editor Markdown → sanitised HTML (raw HTML in the Markdown is sanitised too)."""
    rendered = markdown_lib.markdown(
        text or "", extensions=["extra", "sane_lists"], output_format="html"
    )
    return sanitise_html(rendered)


def _fingerprint(article: Article) -> str:
    return content_hash(article.headline, article.standfirst, article.body_html)


def _snapshot(article: Article, *, editor: Any, correction_note: str) -> Revision:
    return Revision.objects.create(
        article=article,
        headline=article.headline,
        standfirst=article.standfirst,
        body_html=article.body_html,
        editor=editor if getattr(editor, "pk", None) else None,
        correction_note=correction_note.strip(),
    )


def article_prepare(*, article: Article) -> None:
    """Fill the derived fields: sanitised body, plain text, slug, reading time, fingerprint."""
    if article.body_markdown:
        article.body_html = render_markdown(article.body_markdown)
    else:
        article.body_html = sanitise_html(article.body_html)
    article.headline = " ".join(article.headline.split())
    article.body_text = html_to_text(article.body_html)
    article.slug = headline_slug(article.headline)
    article.reading_minutes = reading_minutes(text=article.body_text)
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    if article.status == Article.Status.SCHEDULED and article.published_at is None:
        raise InvalidInput("A scheduled article needs a publication time.")


@transaction.atomic
def article_save_from_desk(
    *, article: Article, editor: Any = None, correction_note: str = ""
) -> Article:
    """Save an editor's changes; a change to a published story keeps the old version."""
    previous = (
        Article.objects.select_for_update().filter(pk=article.pk).first() if article.pk else None
    )
    article_prepare(article=article)
    if article.source_id is None:
        article.source = own_desk()
    changed = previous is not None and _fingerprint(previous) != content_hash(
        article.headline, article.standfirst, article.body_html
    )
    was_live = previous is not None and previous.status in {
        Article.Status.PUBLISHED,
        Article.Status.RETRACTED,
    }
    if previous is not None and was_live and (changed or correction_note.strip()):
        _snapshot(previous, editor=editor, correction_note=correction_note)
        article.updated_at = timezone.now()
    article.content_hash = _fingerprint(article)
    article.save()
    enrich_later(article_id=article.pk)
    return article


def enrich_later(*, article_id: int) -> None:
    """Enrich the article once this transaction has committed (a job; see articles.enrich)."""
    from tidings.articles.tasks import article_enrich_task  # the jobs module imports services

    transaction.on_commit(lambda: article_enrich_task(article_id))


@transaction.atomic
def article_retract(*, article: Article, note: str, editor: Any = None) -> Article:
    if not note.strip():
        raise InvalidInput("A retraction needs a note telling readers why.")
    _snapshot(article, editor=editor, correction_note=f"Retracted: {note.strip()}")
    article.status = Article.Status.RETRACTED
    article.retraction_note = note.strip()
    article.updated_at = timezone.now()
    article.save(update_fields=["status", "retraction_note", "updated_at", "modified_at"])
    return article


def article_publish_due(*, now: datetime | None = None) -> int:
    """Publish every scheduled article whose time has come."""
    moment = now or timezone.now()
    published = Article.objects.filter(
        status=Article.Status.SCHEDULED, published_at__lte=moment
    ).update(status=Article.Status.PUBLISHED, modified_at=moment)
    if published:
        content_changed()
    return published


def content_changed() -> None:
    """Invalidate every cached page fragment (they are keyed on the content version)."""
    shared = caches["default"]
    shared.add(CONTENT_VERSION_KEY, 1, timeout=None)
    try:
        shared.incr(CONTENT_VERSION_KEY)
    except ValueError:  # evicted between the two calls
        shared.set(CONTENT_VERSION_KEY, 2, timeout=None)


def own_desk() -> Source:
    source, _ = Source.objects.get_or_create(
        slug="desk", defaults={"name": "Our newsroom", "kind": Source.Kind.DESK}
    )
    return source


# --- Sections, bylines, topics -------------------------------------------------------------


def section_for_path(*, names: list[str]) -> Section | None:
    """The section at a breadcrumb path (Home / World News / Asia), created when new."""
    parent: Section | None = None
    for name in names:
        clean = " ".join(name.split())
        if not clean or (clean.lower() in {"home", "homepage", "news"} and parent is None):
            continue
        slug = slugify(clean)[:120] or "section"
        section = Section.objects.filter(slug=slug).first()
        if section is None:
            section = Section.objects.create(name=clean[:120], slug=slug, parent=parent)
        parent = section
    return parent


def byline_for_name(*, name: str) -> Byline:
    clean = " ".join(name.split())[:200]
    slug = slugify(clean)[:200] or "staff"
    byline, _ = Byline.objects.get_or_create(slug=slug, defaults={"name": clean})
    return byline


def topic_for_name(*, name: str, kind: str = Topic.Kind.THEME) -> Topic | None:
    """The topic a name or alias points to (following merges), created when new."""
    normalised = normalise_name(name)
    if not normalised:
        return None
    alias = TopicAlias.objects.select_related("topic").filter(normalised=normalised).first()
    topic = alias.topic if alias else Topic.objects.filter(slug=slugify(normalised)[:200]).first()
    if topic is None:
        topic = Topic.objects.create(
            name=" ".join(name.split())[:200], slug=slugify(normalised)[:200], kind=kind
        )
    hops = 0
    while topic.merged_into_id and hops < 10:
        topic = Topic.objects.get(pk=topic.merged_into_id)
        hops += 1
    return topic


def topic_alias_add(*, topic: Topic, name: str) -> TopicAlias:
    normalised = normalise_name(name)
    if not normalised:
        raise InvalidInput("An alias needs letters or digits.")
    existing = TopicAlias.objects.filter(normalised=normalised).first()
    if existing and existing.topic_id != topic.pk:
        raise InvalidInput(f"{name!r} already names the topic {existing.topic}.")
    alias, _ = TopicAlias.objects.get_or_create(
        normalised=normalised, defaults={"topic": topic, "name": name.strip()}
    )
    return alias


@transaction.atomic
def topic_merge(*, merged: Topic, into: Topic) -> Topic:
    """Fold one topic into another: its tags, aliases and followers move; old links redirect."""
    if merged.pk == into.pk:
        raise InvalidInput("A topic cannot be merged into itself.")
    if into.merged_into_id == merged.pk:
        raise InvalidInput(f"{into} was itself merged into {merged}.")
    for tag in ArticleTopic.objects.filter(topic=merged):
        if ArticleTopic.objects.filter(article_id=tag.article_id, topic=into).exists():
            tag.delete()
        else:
            tag.topic = into
            tag.save(update_fields=["topic"])
    TopicAlias.objects.filter(topic=merged).update(topic=into)
    TopicAlias.objects.get_or_create(
        normalised=normalise_name(merged.name), defaults={"topic": into, "name": merged.name}
    )
    Topic.objects.filter(merged_into=merged).update(merged_into=into)
    merged.merged_into = into
    merged.save(update_fields=["merged_into"])
    return into


def article_topics_set(
    *, article: Article, names: list[str], origin: str, confidence: float = 1.0
) -> None:
    """Tag an article; an editor's tag is never downgraded by a source or a prediction."""
    rank: dict[str, int] = {"editor": 3, "source": 2, "predicted": 1}
    for name in names:
        topic = topic_for_name(name=name)
        if topic is None or topic.status == Topic.Status.BLOCKED:
            continue
        tag = ArticleTopic.objects.filter(article=article, topic=topic).first()
        if tag is None:
            ArticleTopic.objects.create(
                article=article, topic=topic, origin=origin, confidence=confidence
            )
        elif rank[origin] > rank[tag.origin]:
            tag.origin, tag.confidence = origin, confidence
            tag.save(update_fields=["origin", "confidence"])


# --- Ingestion ---------------------------------------------------------------------------------


def _find_existing(
    *, source: Source, external_id: str, url: str, dedupe_key: str = ""
) -> Article | None:
    """The stored copy of an item: by its id, else its address, else its second identity."""
    stored = Article.objects.select_for_update().filter(source=source)
    for field, value in (
        ("external_id", external_id),
        ("canonical_url", url),
        ("dedupe_key", dedupe_key),
    ):
        if value:
            found = stored.filter(**{field: value}).first()
            if found is not None:
                return found
    return None


def _resolve_related(links: list[dict[str, str | int | None]]) -> list[dict[str, str | int | None]]:
    """Point each "Read more" link at our own copy of the story when we have one."""
    urls = [str(link["url"]) for link in links if link.get("url")]
    known = dict(Article.objects.filter(canonical_url__in=urls).values_list("canonical_url", "pk"))
    resolved = []
    for link in links:
        url = str(link.get("url") or "")
        own = _OWN_STORY_PATH.search(url) if url.startswith("/") else None
        article_id = known.get(url) or (int(own.group(1)) if own else None)
        resolved.append({**link, "article_id": article_id})
    return resolved


_OWN_STORY_PATH = re.compile(r"^/(?:[-\w]+/[-\w]*-|a/)(\d+)/?$")


def related_links_parse(*, text: str) -> list[dict[str, str | int | None]]:
    """The desk's "Read more" lines ("https://… Title" or "/section/slug-12/ Title")."""
    links: list[dict[str, str | int | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        url, _, title = line.strip().partition(" ")
        if not (url.startswith(("http://", "https://")) or _OWN_STORY_PATH.match(url)):
            raise InvalidInput(
                f"Line {number}: {url!r} is neither an http(s) address nor one of our stories."
            )
        links.append({"url": url[:2000], "title": title.strip()[:300] or None})
    return _resolve_related(links)


def related_links_text(*, links: list[dict[str, Any]]) -> str:
    return "\n".join(f"{link.get('url', '')} {link.get('title') or ''}".strip() for link in links)


def _apply_extracted(article: Article, extracted: ExtractedArticle) -> None:
    article.headline = (extracted.headline or "Untitled")[:300]
    article.standfirst = extracted.standfirst or ""
    article.body_markdown = ""
    article.body_html = extracted.body_html or "".join(
        f"<p>{line}</p>" for line in _escape_lines(extracted.body_text)
    )
    article.language = (extracted.language or "")[:16]
    article.agency = (extracted.agency or "")[:120]
    article.related_links = _resolve_related(
        [{"url": link.url, "title": link.title} for link in extracted.related_links]
    )
    article.published_at = extracted.published or article.published_at or timezone.now()
    if extracted.updated:
        article.updated_at = extracted.updated
    names = extracted.breadcrumb or ([extracted.section] if extracted.section else [])
    if names and " ".join(names[-1].split()) == article.headline:
        names = names[:-1]  # the page's own title ends many breadcrumbs; it is not a section
    section = section_for_path(names=names) if names else None
    if section is not None:
        article.section = section


def _escape_lines(text: str) -> list[str]:
    from django.utils.html import escape

    return [escape(line) for line in text.splitlines() if line.strip()]


def _attach_extras(article: Article, extracted: ExtractedArticle) -> None:
    article.bylines.set([byline_for_name(name=name) for name in extracted.bylines if name.strip()])
    if extracted.image and extracted.image.url:
        media = article.lead_media or Media()
        media.url = extracted.image.url[:2000]
        media.caption = extracted.image.caption or ""
        media.credit = (extracted.image.credit or "")[:200]
        media.save()
        if article.lead_media_id != media.pk:
            article.lead_media = media
            article.save(update_fields=["lead_media"])
    article_topics_set(article=article, names=extracted.topics, origin=ArticleTopic.Origin.SOURCE)


@transaction.atomic
def article_upsert(
    *,
    source: Source,
    extracted: ExtractedArticle,
    external_id: str = "",
    retracted: bool = False,
    access: str = Article.Access.FREE,
    dedupe_key: str = "",
) -> UpsertResult:
    """Store an ingested story once: the same item again changes nothing, new content revises it.

    ``dedupe_key`` (a feed entry's content key) finds the story again when a source gives
    the same item a new id on every fetch; the story keeps its first id.
    """
    url = (extracted.canonical_url or extracted.url or "")[:2000]
    external_id = (external_id or url)[:500]
    if not external_id:
        raise InvalidInput("An ingested article needs an external id or a URL.")
    article = _find_existing(
        source=source, external_id=external_id, url=url, dedupe_key=dedupe_key[:64]
    )
    if article is not None and retracted:
        if article.status == Article.Status.RETRACTED:
            return UpsertResult(article, "unchanged")
        article_retract(article=article, note="The source withdrew this story.")
        return UpsertResult(article, "updated")
    created = article is None
    previous_hash = "" if article is None else article.content_hash
    article = article or Article(
        source=source, external_id=external_id, canonical_url=url, dedupe_key=dedupe_key[:64]
    )
    # The stored state before this change (already loaded: no second query per item).
    snapshot = None if created else copy.copy(article)
    _apply_extracted(article, extracted)
    article.status = Article.Status.RETRACTED if retracted else article.status
    if created and not retracted:
        article.status = Article.Status.PUBLISHED
        article.access = access
    article_prepare(article=article)
    article.content_hash = _fingerprint(article)
    if not created and article.content_hash == previous_hash:
        return UpsertResult(article, "unchanged")
    if snapshot is not None:
        _snapshot(snapshot, editor=None, correction_note="")
        article.updated_at = extracted.updated or timezone.now()
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        raise InvalidInput(f"Another story from {source} already has this id or URL.") from None
    _attach_extras(article, extracted)
    enrich_later(article_id=article.pk)
    return UpsertResult(article, "created" if created else "updated")


# --- Editor desk ---------------------------------------------------------------------------
# The admin's writes: each keeps an invariant the plain ModelAdmin save would skip.

DESK_ROLES: dict[str, str] = {"editor": "Editor", "desk-chief": "Desk chief", "admin": "Admin"}


def article_bylines_set(*, article: Article, bylines: list[Byline]) -> None:
    article.bylines.set(bylines)


def article_topic_tag(
    *,
    article: Article,
    topic: Topic,
    origin: str = ArticleTopic.Origin.EDITOR,
    confidence: float = 1.0,
) -> ArticleTopic | None:
    """Tag an article with a chosen topic, following merges; a blocked topic is refused."""
    hops = 0
    while topic.merged_into_id and hops < 10:
        topic = Topic.objects.get(pk=topic.merged_into_id)
        hops += 1
    if topic.status == Topic.Status.BLOCKED:
        raise InvalidInput(f"The topic {topic} is blocked and cannot tag stories.")
    tag, _ = ArticleTopic.objects.update_or_create(
        article=article, topic=topic, defaults={"origin": origin, "confidence": confidence}
    )
    return tag


def article_topic_untag(*, article: Article, topic_id: int) -> None:
    ArticleTopic.objects.filter(article=article, topic_id=topic_id).delete()


@transaction.atomic
def section_save(*, section: Section) -> Section:
    """Save a section; a parent that is the section itself or one of its children is refused."""
    node = section.parent
    while node is not None:
        if section.pk is not None and node.pk == section.pk:
            raise InvalidInput("A section cannot sit inside itself or one of its own subsections.")
        node = node.parent
    section.name = " ".join(section.name.split())
    section.save()
    return section


@transaction.atomic
def section_delete(*, section: Section) -> None:
    if section.children.exists():
        raise InvalidInput(f"{section} still has subsections: move or delete them first.")
    section.delete()


@transaction.atomic
def topic_save_from_desk(*, topic: Topic) -> Topic:
    """Save a topic; a renamed topic keeps its old name as an alias, so old tags still find it."""
    topic.name = " ".join(topic.name.split())
    previous = Topic.objects.filter(pk=topic.pk).first() if topic.pk else None
    topic.save()
    if previous is not None and normalise_name(previous.name) != normalise_name(topic.name):
        existing = TopicAlias.objects.filter(normalised=normalise_name(previous.name)).first()
        if existing is None:
            topic_alias_add(topic=topic, name=previous.name)
    return topic


def topic_alias_remove(*, alias: TopicAlias) -> None:
    alias.delete()


def topic_status_set(*, topic_ids: list[int], status: str) -> int:
    """Approve or block topics; a blocked topic disappears from pages and from tagging."""
    if status not in Topic.Status.values:
        raise InvalidInput(f"{status!r} is not a topic status.")
    return Topic.objects.filter(pk__in=topic_ids).update(status=status)


@transaction.atomic
def editor_create(*, username: str, email: str, password: str, role: str) -> object:
    """A staff account in the group of its desk role; an admin is also a superuser."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    if role not in DESK_ROLES:
        raise InvalidInput(f"Unknown role {role!r}: choose one of {', '.join(DESK_ROLES)}.")
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise InvalidInput(f"The username {username!r} is taken; choose another.")
    group = Group.objects.filter(name=DESK_ROLES[role]).first()
    if group is None:
        raise InvalidInput("The desk roles are missing: run `tidings manage migrate` first.")
    user = user_model.objects.create_user(username=username, email=email, password=password)
    user.is_staff = True
    user.is_superuser = role == "admin"
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.add(group)
    return user
