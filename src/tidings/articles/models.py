"""The newsroom's records: sections, topics, bylines, media, articles and their revisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tidings.sources.models import Source


class Section(models.Model):
    """A part of the site, as a tree: Home / World News / Asia."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=100, help_text="Order in the navigation.")
    in_navigation = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return " / ".join(section.name for section in self.lineage())

    def get_absolute_url(self) -> str:
        return reverse("web:section", kwargs={"section": self.slug})

    def lineage(self) -> list[Section]:
        """This section and its ancestors, outermost first (for breadcrumbs)."""
        chain: list[Section] = []
        node: Section | None = self
        while node is not None and len(chain) < 10:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Topic(models.Model):
    """A person, organisation, place, theme or event that readers can follow."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"
        PLACE = "place", "Place"
        THEME = "theme", "Theme"
        EVENT = "event", "Event"

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        PROPOSED = "proposed", "Proposed"
        BLOCKED = "blocked", "Blocked"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.THEME)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    description = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_topics",
        help_text="Set when this topic was merged into another; links now point there.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:topic", kwargs={"slug": self.slug})


class TopicAlias(models.Model):
    """Another name of a topic ("Xi", "President Xi") that resolves to it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "topic aliases"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Byline(models.Model):
    """A writer credited on stories."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    bio = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Media(models.Model):
    """A photo (or video) with its caption and credit."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.IMAGE)
    file = models.FileField(upload_to="media/%Y/%m/", blank=True)
    url = models.URLField(max_length=2000, blank=True, help_text="Address of a remote image.")
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text='For example "AFP".')
    alt_text = models.CharField(max_length=300, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "media"

    def __str__(self) -> str:
        return self.caption[:60] or self.alt_text or self.src or f"Media {self.pk}"

    @property
    def src(self) -> str:
        return self.file.url if self.file else self.url


class StoryCluster(models.Model):
    """One real-world story, told by many articles across sources and days."""

    title = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_published_at = models.DateTimeField(null=True, blank=True)
    last_published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    article_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_published_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:story", kwargs={"pk": self.pk})


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def visible(self) -> ArticleQuerySet:
        """Published or retracted: pages a reader can open (a retraction stays readable)."""
        return self.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.RETRACTED],
            published_at__lte=timezone.now(),
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        RETRACTED = "retracted", "Retracted"

    class Access(models.TextChoices):
        FREE = "free", "Free"
        REGISTERED = "registered", "Registered readers"
        SUBSCRIBER = "subscriber", "Subscribers"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, allow_unicode=False)
    standfirst = models.TextField(blank=True, help_text="The summary under the headline.")
    body_html = models.TextField(blank=True, help_text="Sanitised HTML.")
    body_text = models.TextField(blank=True, editable=False)
    body_markdown = models.TextField(
        blank=True, help_text="What the editor wrote; body_html is rendered from it."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles")
    external_id = models.CharField(max_length=500, blank=True)
    canonical_url = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=16, blank=True)
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    bylines = models.ManyToManyField(Byline, blank=True, related_name="articles")
    agency = models.CharField(max_length=120, blank=True, help_text='For example "Reuters".')
    dateline = models.CharField(max_length=120, blank=True, help_text='For example "BEIJING".')
    lead_media = models.ForeignKey(
        Media, null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_of"
    )
    related_links = models.JSONField(
        default=list, blank=True, help_text='"Read more" links: [{"url", "title", "article_id"}].'
    )
    topics = models.ManyToManyField(
        Topic, through="ArticleTopic", blank=True, related_name="articles"
    )
    story_cluster = models.ForeignKey(
        StoryCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.FREE)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Shown as 'Updated' when the story was revised."
    )
    retraction_note = models.TextField(blank=True)
    reading_minutes = models.PositiveSmallIntegerField(default=1)
    topics_from_source = models.BooleanField(
        default=False,
        editable=False,
        help_text="The source gave a topic list, maybe empty: the story teaches the tagger.",
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    dedupe_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        db_index=True,
        help_text="A second identity (normalised link, or title and content) for sources "
        "whose item ids change on every fetch.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [("retract_article", "Can retract a published article")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="article_unique_source_external_id",
            ),
            models.UniqueConstraint(
                fields=["source", "canonical_url"],
                condition=~Q(canonical_url=""),
                name="article_unique_source_canonical_url",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            models.Index(
                fields=["section", "status", "-published_at"], name="article_section_published"
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        section = self.section.slug if self.section_id and self.section else "news"
        return reverse(
            "web:article", kwargs={"section": section, "slug": self.slug or "story", "pk": self.pk}
        )

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and bool(
            self.published_at and self.published_at <= timezone.now()
        )

    @property
    def credit(self) -> str:
        """The agency credit, or the source when the source is itself an agency."""
        if self.agency:
            return self.agency
        return self.source.name if self.source.is_agency else ""


class ArticleTopic(models.Model):
    class Origin(models.TextChoices):
        EDITOR = "editor", "Editor"
        SOURCE = "source", "Source"
        PREDICTED = "predicted", "Predicted"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="article_topics")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="article_topics")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.EDITOR)
    confidence = models.FloatField(default=1.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "topic"], name="article_topic_unique"),
        ]
        indexes = [models.Index(fields=["topic", "article"], name="article_topic_by_topic")]

    def __str__(self) -> str:
        return f"{self.topic} on {self.article_id} ({self.origin})"


class NameSighting(models.Model):
    """A name no topic has yet, seen in one story: evidence that may make it a topic.

    Enrichment records a sighting instead of creating a topic at first sight; once stories
    from several sources carry the name, it becomes one proposed topic for the editors and
    these rows are spent (see `articles.enrich`). Rows older than the window are pruned.
    """

    key = models.CharField(max_length=200, help_text="The name as aliases are compared.")
    name = models.CharField(max_length=200, help_text="The spelling in this story.")
    kind = models.CharField(max_length=16, choices=Topic.Kind.choices)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="name_sightings")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    confidence = models.FloatField()
    seen_at = models.DateTimeField(help_text="When the story ran.")
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        default_permissions = ()  # enrichment's working state: nothing to edit on the desk
        constraints = [
            models.UniqueConstraint(fields=["key", "article"], name="name_sighting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.article_id}"


class Revision(models.Model):
    """The state of a published article before a change, with an optional public correction."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    created_at = models.DateTimeField(default=timezone.now)
    headline = models.CharField(max_length=300)
    standfirst = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    correction_note = models.TextField(
        blank=True, help_text="Shown to readers under the story when filled in."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of {self.article_id} at {self.created_at:%Y-%m-%d %H:%M}"
