"""Bookkeeping of the live ranking state: how far it has read the interaction log, which
snapshot is current, and which external logs were imported."""

from __future__ import annotations

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
