"""Enrichment writes: basics, topics, fingerprints, vectors and story clusters of articles.

The pure stages in `tidings.enrichment` decide; this module reads their inputs from the
newsroom's records and stores what they decided. One article costs a few milliseconds: the
tagger and the vectoriser are only applied here, never refitted (see `tagger_retrain` and
`vectoriser_refit`, which the `tidings enrich --retrain` command runs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tidings.articles.models import Article, ArticleTopic, NameSighting, Topic, TopicAlias
from tidings.articles.services import content_changed
from tidings.articles.stories import stories_assign, stories_assign_soon
from tidings.enrichment import basics
from tidings.enrichment.aliases import (
    NAMED_KINDS,
    AliasIndex,
    build_alias_index,
    gazetteer_catalogue,
    normalise_alias,
    proposals_from_sightings,
    slugify,
    topics_for_story,
)
from tidings.enrichment.entities import find_entities
from tidings.enrichment.near_duplicates import signature
from tidings.enrichment.types import (
    CatalogueTopic,
    Entity,
    NameSeen,
    TopicCatalogue,
    TopicLink,
    TopicProposal,
)
from tidings.enrichment.vectors import word_embeddings
from tidings.search import state
from tidings.search.models import ArticleVector, EnrichmentModel

ENRICHMENT_VERSION = 2  # bump when a stage changes what it stores: everything is redone
BATCH = 500

Progress = Callable[[int], None]


@dataclass(slots=True)
class EnrichReport:
    articles: int = 0
    topics_linked: int = 0
    topics_created: int = 0
    stories_created: int = 0
    stories_merged: int = 0
    proposed: list[str] = field(default_factory=list)


def article_enrich(*, article_id: int) -> EnrichReport:
    """Enrich one stored article now (the job run after every save).

    Its story is assigned by the next story job, which takes every article waiting for a
    story at once: saving the clusterer's state is paid once per round, not per article.
    """
    report = articles_enrich(article_ids=[article_id], assign_stories=False)
    transaction.on_commit(stories_assign_soon)
    return report


def articles_enrich(
    *, article_ids: Sequence[int], progress: Progress | None = None, assign_stories: bool = True
) -> EnrichReport:
    """Enrich articles in publication order, a batch per transaction; returns a summary."""
    report = EnrichReport()
    ordered = list(
        Article.objects.filter(pk__in=article_ids)
        .order_by(F("published_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        _enrich_batch(batch, report, assign_stories=assign_stories)
        if progress:
            progress(len(batch))
    if ordered:
        transaction.on_commit(content_changed)
    return report


def article_ids_pending() -> list[int]:
    """Articles never enriched, changed since, or enriched by an older stage or vectoriser."""
    vectoriser = state.model_version(name=EnrichmentModel.Name.VECTORISER)
    stale = (
        Q(enrichment__isnull=True)
        | Q(enrichment__enrichment_version__lt=ENRICHMENT_VERSION)
        | ~Q(enrichment__content_hash=F("content_hash"))
    )
    if vectoriser:
        stale |= ~Q(enrichment__vectoriser_version=vectoriser)
    return list(Article.objects.filter(stale).values_list("pk", flat=True))


def article_mark_source_tagged(*, article_id: int) -> None:
    """The source gave this story a topic list (maybe empty): it teaches the tagger."""
    Article.objects.filter(pk=article_id, topics_from_source=False).update(topics_from_source=True)


# --- one batch ------------------------------------------------------------------------------


def _enrich_batch(article_ids: list[int], report: EnrichReport, *, assign_stories: bool) -> None:
    articles = list(
        Article.objects.filter(pk__in=article_ids)
        .order_by(F("published_at").asc(nulls_first=True), "pk")
        .prefetch_related("article_topics__topic")
    )
    index = alias_index()
    tagger = state.model_load(name=EnrichmentModel.Name.TAGGER, decode=state.decode_tagger)
    vectoriser = state.model_load(
        name=EnrichmentModel.Name.VECTORISER, decode=state.decode_vectoriser
    )
    texts = [story_text(article) for article in articles]
    predictions = (
        tagger.predict_many(texts=texts, headlines=[a.headline for a in articles])
        if tagger and articles
        else [[] for _ in articles]
    )
    vectors = (
        vectoriser.transform([f"{a.headline}\n{t}" for a, t in zip(articles, texts, strict=True)])
        if vectoriser and articles
        else None
    )
    vector_version = state.model_version(name=EnrichmentModel.Name.VECTORISER)
    meanings = word_embeddings().transform(
        [f"{a.headline}\n{t}" for a, t in zip(articles, texts, strict=True)]
    )
    work = _Work(report=report)
    with transaction.atomic():
        for position, article in enumerate(articles):
            _basics_fill(article, texts[position])
            _topics_predict(article, texts[position], index, predictions[position], work)
            work.vectors.append(
                ArticleVector(
                    article=article,
                    signature=signature(text=texts[position]),
                    vector=b"" if vectors is None else state.vector_bytes(vectors[position]),
                    vectoriser_version=vector_version if vectors is not None else 0,
                    meaning=state.vector_bytes(meanings[position]),
                    enrichment_version=ENRICHMENT_VERSION,
                    content_hash=article.content_hash,
                    enriched_at=timezone.now(),
                )
            )
        work.store()
        _sightings_store(work.sightings, article_ids=[article.pk for article in articles])
        _topics_propose(keys={sighting.key for sighting in work.sightings}, report=report)
    report.articles += len(articles)
    if not assign_stories:
        return
    published = [a for a in articles if a.status == Article.Status.PUBLISHED]
    created, merged = stories_assign(articles=published, texts=_texts_by_id(articles, texts))
    report.stories_created += created
    report.stories_merged += merged


@dataclass(slots=True)
class _Work:
    """What one batch writes at once, and the topics it already looked up."""

    report: EnrichReport
    topics: dict[str, Topic | None] = field(default_factory=dict)
    unseen: set[str] = field(default_factory=set)  # new names that are no topic yet (slugs)
    tags: list[ArticleTopic] = field(default_factory=list)
    sightings: list[NameSighting] = field(default_factory=list)
    vectors: list[ArticleVector] = field(default_factory=list)

    def store(self) -> None:
        ArticleTopic.objects.bulk_create(self.tags, ignore_conflicts=True)
        # An upsert, so two workers enriching one article at once do not collide.
        ArticleVector.objects.bulk_create(
            self.vectors,
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=[
                "signature",
                "vector",
                "vectoriser_version",
                "meaning",
                "enrichment_version",
                "content_hash",
                "enriched_at",
            ],
        )
        self.report.topics_linked += len(self.tags)


def _texts_by_id(articles: list[Article], texts: list[str]) -> dict[int, str]:
    return {article.pk: text for article, text in zip(articles, texts, strict=True)}


def story_text(article: Article) -> str:
    return article.body_text or article.standfirst or article.headline


def _basics_fill(article: Article, text: str) -> None:
    """Language when the source gave none, reading time, a standfirst when empty."""
    changes: dict[str, object] = {}
    if not article.language:
        language = basics.detect_language(text=f"{article.headline}\n{text}")
        if language:
            changes["language"] = language[:16]
    minutes = basics.reading_minutes(text=text)
    if minutes != article.reading_minutes:
        changes["reading_minutes"] = minutes
    if not article.standfirst.strip() and article.body_text:
        summary = basics.summary_line(text=article.body_text)
        if summary:
            changes["standfirst"] = summary
    if changes:
        # update(), not save(): the content fingerprint stays the source's, so the same
        # item ingested again is still "unchanged".
        Article.objects.filter(pk=article.pk).update(**changes)
        for name, value in changes.items():
            setattr(article, name, value)


# --- topics ---------------------------------------------------------------------------------

_RANK = {ArticleTopic.Origin.EDITOR: 3, ArticleTopic.Origin.SOURCE: 2}


@dataclass(frozen=True, slots=True)
class _Found:
    """An entity backend that hands back entities already found (found once per story)."""

    entities: list[Entity]

    def find(self, *, text: str, headline: str) -> list[Entity]:
        return self.entities


def _topics_predict(
    article: Article,
    text: str,
    index: AliasIndex,
    tagged: list[tuple[str, float]],
    work: _Work,
) -> None:
    entities = find_entities(text=text, headline=article.headline)
    links = topics_for_story(
        headline=article.headline,
        text=text,
        index=index,
        tagger_topics=tagged,
        backend=_Found(entities),
    )
    _predicted_topics_set(article, links, work)
    _given_topics_tidy(article, entities)


def _given_topics_tidy(article: Article, entities: list[Entity]) -> None:
    """A source's bare tag ("xi jinping", a theme) takes the story's spelling and kind."""
    found = {normalise_alias(entity.name): entity for entity in entities}
    for tag in article.article_topics.all():
        topic = tag.topic
        entity = found.get(normalise_alias(topic.name))
        if entity is None or tag.origin == ArticleTopic.Origin.PREDICTED:
            continue
        changes: dict[str, str] = {}
        if topic.name == topic.name.lower() and entity.name != entity.name.lower():
            changes["name"] = entity.name[:200]
        if topic.kind == Topic.Kind.THEME and entity.kind in NAMED_KINDS:
            changes["kind"] = entity.kind
        if changes:
            Topic.objects.filter(pk=topic.pk).update(**changes)


def _predicted_topics_set(article: Article, links: list[TopicLink], work: _Work) -> None:
    """Store the links as predicted tags; an editor's or a source's tag is never touched."""
    existing = {tag.topic_id: tag for tag in article.article_topics.all()}
    kept: set[int] = set()
    for link in links:
        if link.slug not in work.topics:
            work.topics[link.slug] = _topic_for_link(link, work)
        topic = work.topics[link.slug]
        if topic is None:
            if link.slug in work.unseen:
                work.sightings.append(_sighting(article, link))
            continue
        kept.add(topic.pk)
        tag = existing.get(topic.pk)
        confidence = round(float(link.confidence), 4)
        if tag is None:
            work.tags.append(
                ArticleTopic(
                    article=article,
                    topic=topic,
                    origin=ArticleTopic.Origin.PREDICTED,
                    confidence=confidence,
                )
            )
        elif tag.origin == ArticleTopic.Origin.PREDICTED and tag.confidence != confidence:
            tag.confidence = confidence
            tag.save(update_fields=["confidence"])
    stale = [
        tag.pk
        for tag in existing.values()
        if tag.origin == ArticleTopic.Origin.PREDICTED and tag.topic_id not in kept
    ]
    if stale:
        ArticleTopic.objects.filter(pk__in=stale).delete()


def _topic_for_link(link: TopicLink, work: _Work) -> Topic | None:
    """The link's topic (following merges); None when blocked or when it is no topic yet.

    A new name the shipped gazetteer knows (a country, a central bank) becomes an approved
    topic at first sight. Any other new name is only sighted: it becomes a topic when
    several sources carry it (`_topics_propose`).
    """
    topic = Topic.objects.filter(slug=link.slug).first()
    if topic is None and link.new:
        if link.name not in gazetteer_names():
            work.unseen.add(link.slug)
            return None
        topic = Topic.objects.create(
            name=link.name[:200], slug=link.slug[:200], kind=link.kind, status=Topic.Status.APPROVED
        )
        work.report.topics_created += 1
    return _topic_followed(topic)


def _topic_followed(topic: Topic | None) -> Topic | None:
    """The topic after merges; None when there is none or editors blocked it."""
    hops = 0
    while topic is not None and topic.merged_into_id and hops < 10:
        topic = Topic.objects.filter(pk=topic.merged_into_id).first()
        hops += 1
    if topic is None or topic.status == Topic.Status.BLOCKED:
        return None
    return topic


# --- new names: sighted first, proposed once several sources carry them ---------------------


def _sighting(article: Article, link: TopicLink) -> NameSighting:
    now = timezone.now()
    ran = article.published_at if article.published_at and article.published_at < now else now
    return NameSighting(
        key=normalise_alias(link.name)[:200],
        name=link.name[:200],
        kind=link.kind,
        article=article,
        source_id=article.source_id,
        confidence=round(float(link.confidence), 4),
        seen_at=ran,
    )


def _sightings_store(sightings: list[NameSighting], *, article_ids: list[int]) -> None:
    """Each story's sightings as this enrichment saw them: new ones added, gone ones dropped."""
    current = {(sighting.article_id, sighting.key) for sighting in sightings}
    stored = NameSighting.objects.filter(article_id__in=article_ids)
    gone = [
        pk
        for pk, article_id, key in stored.values_list("pk", "article_id", "key")
        if (article_id, key) not in current
    ]
    if gone:
        NameSighting.objects.filter(pk__in=gone).delete()
    NameSighting.objects.bulk_create(sightings, ignore_conflicts=True)


def _topics_propose(*, keys: set[str], report: EnrichReport) -> None:
    """Names that stories from enough sources carried become topics proposed to editors.

    The rule is `proposals_from_sightings`; the stories that carried the name are tagged
    (predicted, each with its confidence), and the spent sightings are dropped: the next
    story with the name links to the topic directly. Sightings older than the window go.
    """
    window = timedelta(days=settings.TOPIC_PROPOSAL_WINDOW_DAYS)
    NameSighting.objects.filter(recorded_at__lt=timezone.now() - window).delete()
    ordered = sorted(keys)
    for start in range(0, len(ordered), BATCH):
        rows = NameSighting.objects.filter(key__in=ordered[start : start + BATCH])
        proposals = proposals_from_sightings(
            sightings=[
                NameSeen(name, kind, str(source_id), seen_at=seen_at)
                for name, kind, source_id, seen_at in rows.values_list(
                    "name", "kind", "source_id", "seen_at"
                )
            ],
            min_sources=settings.TOPIC_PROPOSAL_MIN_SOURCES,
            window=window,
        )
        for proposal in proposals:
            _topic_propose(proposal, report)


def _topic_propose(proposal: TopicProposal, report: EnrichReport) -> None:
    topic, created = Topic.objects.get_or_create(
        slug=slugify(proposal.name),
        defaults={
            "name": proposal.name[:200],
            "kind": proposal.kind,
            "status": Topic.Status.PROPOSED,
        },
    )
    if created:
        report.topics_created += 1
        report.proposed.append(topic.name)
    target = _topic_followed(topic)  # made meanwhile by an editor or a source: theirs stands
    sightings = NameSighting.objects.filter(key=normalise_alias(proposal.name)[:200])
    if target is not None:
        tags = [
            ArticleTopic(
                article_id=article_id,
                topic=target,
                origin=ArticleTopic.Origin.PREDICTED,
                confidence=confidence,
            )
            for article_id, confidence in sightings.values_list("article_id", "confidence")
        ]
        ArticleTopic.objects.bulk_create(tags, ignore_conflicts=True)
        report.topics_linked += len(tags)
    sightings.delete()


@cache
def gazetteer_names() -> frozenset[str]:
    """Places and organisations the shipped gazetteer knows: new topics, but not doubtful."""
    return frozenset(topic.name for topic in gazetteer_catalogue().topics)


def topic_catalogue() -> TopicCatalogue:
    """The catalogue as the pure stages want it, from Topic and TopicAlias rows."""
    aliases: dict[int, list[str]] = {}
    for topic_id, name in TopicAlias.objects.values_list("topic_id", "name"):
        aliases.setdefault(topic_id, []).append(name)
    slugs = dict(Topic.objects.values_list("pk", "slug"))
    return TopicCatalogue(
        topics=tuple(
            CatalogueTopic(
                slug=slug,
                name=name,
                kind=kind,
                aliases=tuple(aliases.get(pk, ())),
                status=status,
                merged_into=slugs.get(merged_into_id, "") if merged_into_id else "",
            )
            for pk, slug, name, kind, status, merged_into_id in Topic.objects.values_list(
                "pk", "slug", "name", "kind", "status", "merged_into_id"
            )
        )
    )


_index_cache: dict[str, tuple[tuple[object, ...], AliasIndex]] = {}


def alias_index() -> AliasIndex:
    """The alias index, rebuilt only when a topic or alias changed (names, status, merges)."""
    key = _catalogue_key()
    cached = _index_cache.get("index")
    if cached and cached[0] == key:
        return cached[1]
    index = build_alias_index(catalogue=topic_catalogue())
    _index_cache["index"] = (key, index)
    return index


def _catalogue_key() -> tuple[object, ...]:
    topics = tuple(
        hash(row) for row in Topic.objects.values_list("pk", "name", "status", "merged_into_id")
    )
    aliases = tuple(TopicAlias.objects.values_list("pk", "topic_id").order_by("pk"))
    return (hash(topics), hash(aliases))


def tagged_topic_slugs(*, article_ids: Iterable[int]) -> dict[int, list[str]]:
    """Topics that sources and editors gave, by article (the tagger's teaching)."""
    given: dict[int, list[str]] = {}
    for article_id, slug in ArticleTopic.objects.filter(
        article_id__in=list(article_ids),
        origin__in=[ArticleTopic.Origin.SOURCE, ArticleTopic.Origin.EDITOR],
    ).values_list("article_id", "topic__slug"):
        given.setdefault(article_id, []).append(slug)
    return given
