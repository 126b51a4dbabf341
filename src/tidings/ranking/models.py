"""Bookkeeping of the live ranking state: how far it has read the interaction log, which
snapshot is current, which external logs were imported, and what the For-you feed showed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StateCursor(models.Model):
    """One row per state (``live``): the interaction-log watermark and the snapshot version.

    The refresh job moves both with one conditional UPDATE on ``version``, so two jobs racing
    cannot both apply the same interactions (exactly-once); web processes compare ``version``
    with the snapshot they hold to know when to reload.
    """

    name = models.CharField(max_length=32, unique=True)
    last_interaction_id = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    events = models.BigIntegerField(default=0, help_text="Interactions folded in so far.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} v{self.version} @ {self.last_interaction_id}"


class InteractionImport(models.Model):
    """An external click log already imported, by content digest: importing it again is a no-op."""

    digest = models.CharField(max_length=64, unique=True)
    path = models.CharField(max_length=500)
    format = models.CharField(max_length=8)
    rows = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.path} ({self.rows} rows)"


class FeedImpression(models.Model):
    """One story shown on a For-you page, with the blend's feature values at that moment.

    What the blend learns from: joined with the interaction log, an impression is "opened"
    when the same reader (or anonymous session) opened the story within a day. Written with
    one INSERT per page served; pruned by the nightly retrain (`IMPRESSIONS_KEPT`).
    """

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session = models.CharField(max_length=64, blank=True)
    article_id = models.BigIntegerField()
    position = models.PositiveSmallIntegerField(help_text="0 is the top of the feed.")
    features = models.JSONField(help_text="Values in ranking.blend.BLEND_FEATURES order.")
    shown_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.article_id} at {self.position} ({self.shown_at:%Y-%m-%d %H:%M})"
