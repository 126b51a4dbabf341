"""What a reader keeps: profile, follows, saved stories, reading history, feedback, API tokens,
and the append-only interaction log that ranking learns from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tidings.articles.models import Article, Byline, Section, Topic
from tidings.sources.models import Source

USER = settings.AUTH_USER_MODEL


class Profile(models.Model):
    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=16, blank=True)
    home_location = models.CharField(max_length=120, blank=True)
    newsletter_preferences = models.JSONField(default=dict, blank=True)
    history_paused = models.BooleanField(default=False)
    onboarded_at = models.DateTimeField(null=True, blank=True)
    deletion_requested_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name or str(self.user)


class Follow(models.Model):
    """A reader follows one topic, section, source or author (exactly one target is set)."""

    class Kind(models.TextChoices):
        TOPIC = "topic", "Topic"
        SECTION = "section", "Section"
        SOURCE = "source", "Source"
        AUTHOR = "author", "Author"

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="follows")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE)
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.CASCADE)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE)
    author = models.ForeignKey(Byline, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "topic"], condition=Q(kind="topic"), name="follow_unique_topic"
            ),
            models.UniqueConstraint(
                fields=["user", "section"],
                condition=Q(kind="section"),
                name="follow_unique_section",
            ),
            models.UniqueConstraint(
                fields=["user", "source"], condition=Q(kind="source"), name="follow_unique_source"
            ),
            models.UniqueConstraint(
                fields=["user", "author"], condition=Q(kind="author"), name="follow_unique_author"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="topic",
                        topic__isnull=False,
                        section__isnull=True,
                        source__isnull=True,
                        author__isnull=True,
                    )
                    | Q(
                        kind="section",
                        section__isnull=False,
                        topic__isnull=True,
                        source__isnull=True,
                        author__isnull=True,
                    )
                    | Q(
                        kind="source",
                        source__isnull=False,
                        topic__isnull=True,
                        section__isnull=True,
                        author__isnull=True,
                    )
                    | Q(
                        kind="author",
                        author__isnull=False,
                        topic__isnull=True,
                        section__isnull=True,
                        source__isnull=True,
                    )
                ),
                name="follow_exactly_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.target}"

    @property
    def target(self) -> Topic | Section | Source | Byline | None:
        return self.topic or self.section or self.source or self.author


class SavedArticle(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="saved_articles")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="saved_unique")]

    def __str__(self) -> str:
        return f"{self.user} saved {self.article_id}"


class Reading(models.Model):
    """One line of "My Reads": a story the reader actually read, with how far they got."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="readings")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="readings")
    first_read_at = models.DateTimeField()
    last_read_at = models.DateTimeField()
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent scrolled, 0–100.")
    seconds = models.PositiveIntegerField(default=0, help_text="Time spent reading.")

    class Meta:
        ordering = ["-last_read_at"]
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="reading_unique")]
        indexes = [models.Index(fields=["user", "-last_read_at"], name="reading_by_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} read {self.article_id} ({self.progress}%)"


class Feedback(models.Model):
    class Kind(models.TextChoices):
        MORE_LIKE_THIS = "more", "More like this"
        LESS_LIKE_THIS = "less", "Less like this"
        HIDE_TOPIC = "hide_topic", "Hide this topic"
        HIDE_SOURCE = "hide_source", "Hide this source"

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"


class Interaction(models.Model):
    """The append-only interaction log: what ranking learns from. Cheap inserts, few indexes.

    ``reader`` is a user id or empty for an anonymous reader known only by ``session``.
    """

    class Kind(models.TextChoices):
        OPEN = "open", "Opened"
        READ = "read", "Read"
        CLICK = "click", "Clicked"
        SAVE = "save", "Saved"
        FOLLOW = "follow", "Followed"
        FEEDBACK = "feedback", "Feedback"

    reader = models.BigIntegerField(null=True, blank=True)
    session = models.CharField(max_length=64, blank=True)
    article_id = models.BigIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.READ)
    dwell_seconds = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["reader", "occurred_at"], name="interaction_by_reader")]

    def __str__(self) -> str:
        return f"{self.kind} {self.article_id} by {self.reader or self.session}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ReaderSession(models.Model):
    """A signed-in session of a reader, so "sign out everywhere" can end every one of them."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="reader_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} on {self.user_agent[:40]}"
