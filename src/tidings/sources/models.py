"""Where stories come from: our own desk, feeds, web pages, sitemaps, wires and text dumps."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse


class Source(models.Model):
    class Kind(models.TextChoices):
        DESK = "desk", "Own desk"
        FEED = "feed", "Feed (RSS, Atom, JSON Feed)"
        PAGE = "page", "Web page"
        SITEMAP = "sitemap", "Sitemap"
        WIRE = "wire", "Wire (ninjs, NewsML-G2)"
        TEXT_DUMP = "text_dump", "Plain-text page dump"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FEED)
    url = models.URLField(max_length=2000, blank=True, help_text="Feed, page or sitemap address.")
    homepage = models.URLField(max_length=2000, blank=True)
    is_agency = models.BooleanField(
        default=False, help_text="A news agency (Reuters, AFP, PTI): credited on its stories."
    )
    language = models.CharField(max_length=16, blank=True)
    section_name = models.CharField(
        max_length=120, blank=True, help_text="Section for its stories when an item names none."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Polling schedule and health (filled by the ingestion pipeline).
    poll_interval = models.DurationField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    parse_error_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "url"], condition=~Q(url=""), name="source_unique_kind_url"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:source", kwargs={"slug": self.slug})

    @property
    def is_healthy(self) -> bool:
        return self.error_count == 0
