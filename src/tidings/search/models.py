"""What enrichment remembers: each article's fingerprint and vector, and the shared models.

The database is the source of truth so that several workers see the same state: an
article's MinHash signature, LSA vector and word-embedding vector live next to it, and the
story clusterer, the learned tagger and the vectoriser are versioned blobs that a worker
reloads only when their version moved (docs/decisions/0003-enrichment-state.md).
"""

from __future__ import annotations

from django.db import models

from tidings.articles.models import Article


class ArticleVector(models.Model):
    """An article as enrichment last saw it: near-duplicate signature, vector, when."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="enrichment"
    )
    signature = models.BinaryField(help_text="MinHash signature (512 bytes).")
    vector = models.BinaryField(blank=True, default=b"", help_text="float32 unit vector.")
    meaning = models.BinaryField(
        blank=True, default=b"", help_text="float32 unit word-embedding vector (no fitting)."
    )
    vectoriser_version = models.PositiveIntegerField(default=0)
    enrichment_version = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    enriched_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["enriched_at", "article"], name="vector_enriched")]

    def __str__(self) -> str:
        return f"Enrichment of article {self.article_id}"


class EnrichmentModel(models.Model):
    """A shared, versioned model: the story clusterer state, the tagger, the vectoriser."""

    class Name(models.TextChoices):
        CLUSTERER = "clusterer", "Story clusterer"
        TAGGER = "tagger", "Learned tagger"
        VECTORISER = "vectoriser", "Vectoriser"

    name = models.CharField(max_length=20, choices=Name.choices, unique=True)
    version = models.PositiveIntegerField(default=0)
    payload = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_name_display()} v{self.version}"
