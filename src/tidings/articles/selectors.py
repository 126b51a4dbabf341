"""Reads of the newsroom's records. Every list applies its joins here, once."""

from __future__ import annotations

from django.core.cache import caches
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tidings.articles.models import Article, ArticleTopic, Section, StoryCluster, Topic
from tidings.common.errors import NotFound

CONTENT_VERSION_KEY = "articles:content-version"


def _cards(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """What a story card shows: section, source, photo and bylines, in two queries."""
    return (
        queryset.select_related("section", "source", "lead_media")
        .defer("body_html", "body_text", "body_markdown", "related_links")
        .prefetch_related("bylines")
    )


def content_version() -> int:
    """A number that changes whenever any story changes: the key of cached page fragments."""
    return int(caches["default"].get_or_set(CONTENT_VERSION_KEY, 1, timeout=None) or 1)


SECTION_TREE_CACHE_KEY = "sections:tree:v1"


def _section_tree() -> dict[int | None, list[Section]]:
    """Every section by parent id, from this process's memory (a minute stale at most)."""
    local = caches["local"]
    tree = local.get(SECTION_TREE_CACHE_KEY)
    if tree is None:
        tree = {}
        for section in Section.objects.all():
            tree.setdefault(section.parent_id, []).append(section)
        local.set(SECTION_TREE_CACHE_KEY, tree)
    return tree


def section_tree_changed() -> None:
    caches["local"].delete(SECTION_TREE_CACHE_KEY)


def section_list_for_navigation() -> list[Section]:
    return [section for section in _section_tree().get(None, []) if section.in_navigation]


def section_get_by_slug(*, slug: str) -> Section:
    try:
        return Section.objects.select_related("parent__parent").get(slug=slug)
    except Section.DoesNotExist:
        raise NotFound(f"No section {slug!r}.") from None


def section_descendant_ids(*, section: Section) -> list[int]:
    tree = _section_tree()
    ids, frontier = [section.pk], [section.pk]
    while frontier and len(ids) < 1000:
        frontier = [child.pk for parent in frontier for child in tree.get(parent, [])]
        ids.extend(frontier)
    return ids


def article_list_latest(*, limit: int = 20, offset: int = 0) -> list[Article]:
    return list(_cards(Article.objects.published())[offset : offset + limit])


def article_list_for_section(
    *, section: Section, limit: int = 20, offset: int = 0
) -> list[Article]:
    ids = section_descendant_ids(section=section)
    queryset = Article.objects.published().filter(section_id__in=ids)
    return list(_cards(queryset)[offset : offset + limit])


def article_list_for_topic(*, topic: Topic, limit: int = 20, offset: int = 0) -> list[Article]:
    queryset = Article.objects.published().filter(article_topics__topic=topic)
    return list(_cards(queryset)[offset : offset + limit])


def article_list_for_source(*, source_id: int, limit: int = 20, offset: int = 0) -> list[Article]:
    queryset = Article.objects.published().filter(source_id=source_id)
    return list(_cards(queryset)[offset : offset + limit])


def front_page(*, per_section: int = 4, latest: int = 12) -> dict[str, object]:
    """Top stories per section (newest first, none repeated) and the latest across the site."""
    latest_articles = article_list_latest(limit=latest)
    # The lead is the newest story with a photo among the latest, else simply the newest.
    with_photo = [article for article in latest_articles if article.lead_media_id]
    lead_stories = (with_photo or latest_articles)[:1]
    shown = {article.pk for article in lead_stories}
    sections = []
    for section in section_list_for_navigation():
        candidates = article_list_for_section(section=section, limit=per_section + 1)
        stories = [article for article in candidates if article.pk not in shown][:per_section]
        shown.update(article.pk for article in stories)
        if stories:
            sections.append((section, stories))
    rest = [article for article in latest_articles if article not in lead_stories]
    return {"lead_stories": lead_stories, "latest": rest, "sections": sections}


def _article_page(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """Everything the article page shows, in five queries."""
    topics = Prefetch(
        "article_topics",
        queryset=ArticleTopic.objects.select_related("topic")
        .filter(topic__status=Topic.Status.APPROVED)
        .order_by("-confidence", "topic__name"),
    )
    return queryset.select_related(
        "section__parent__parent", "source", "lead_media", "story_cluster"
    ).prefetch_related("bylines", topics, "revisions")


def article_get_visible(*, pk: int) -> Article:
    """A published or retracted article with everything its page shows."""
    try:
        return _article_page(Article.objects.visible()).get(pk=pk)
    except Article.DoesNotExist:
        raise NotFound(f"No article {pk}.") from None


def article_get_for_desk(*, pk: int) -> Article | None:
    """An article in any status, as its page would show it (the desk's preview)."""
    return _article_page(Article.objects.filter(pk=pk)).first()


def article_list_for_feed(
    *, section: Section | None = None, topic: Topic | None = None, limit: int = 50
) -> list[Article]:
    if section is not None:
        return article_list_for_section(section=section, limit=limit)
    if topic is not None:
        return article_list_for_topic(topic=topic, limit=limit)
    return article_list_latest(limit=limit)


def topic_get_by_slug(*, slug: str) -> Topic:
    """A topic readers may see, following merges so old links keep working.

    Blocked topics are hidden, and so are proposed ones until an editor approves them.
    """
    try:
        topic = Topic.objects.select_related("merged_into").get(slug=slug)
    except Topic.DoesNotExist:
        raise NotFound(f"No topic {slug!r}.") from None
    hops = 0
    while topic.merged_into_id and hops < 10:
        topic = Topic.objects.select_related("merged_into").get(pk=topic.merged_into_id)
        hops += 1
    if topic.status != Topic.Status.APPROVED:
        raise NotFound(f"Topic {slug!r} is not shown.")
    return topic


def story_get(*, pk: int) -> StoryCluster:
    try:
        return StoryCluster.objects.get(pk=pk)
    except StoryCluster.DoesNotExist:
        raise NotFound(f"No story {pk}.") from None


def story_articles(*, story: StoryCluster) -> list[Article]:
    return list(
        _cards(Article.objects.published().filter(story_cluster=story)).order_by("published_at")
    )


def has_any_content() -> bool:
    return Article.objects.filter(published_at__lte=timezone.now()).exists()


def story_list(*, limit: int, offset: int) -> tuple[list[tuple[StoryCluster, list[int]]], int]:
    """Story clusters with their published article ids, newest first, and the total count."""
    clusters = StoryCluster.objects.filter(article_count__gt=0)
    total = clusters.count()
    page = list(clusters.order_by("-last_published_at", "-id")[offset : offset + limit])
    members: dict[int, list[int]] = {cluster.pk: [] for cluster in page}
    rows = (
        Article.objects.published()
        .filter(story_cluster_id__in=list(members))
        .order_by("published_at", "id")
        .values_list("story_cluster_id", "pk")
    )
    for cluster_id, article_id in rows:
        members[cluster_id].append(article_id)
    return [(cluster, members[cluster.pk]) for cluster in page], total
