"""Plain dataclasses that enrichment stages take and return (no Django models)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# --- Story clusters, near-duplicates and related articles ---------------------------------


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    """An article as the story clusterer sees it, given in publication order."""

    id: int
    text: str
    headline: str = ""
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClusterDecision:
    """Where an article went: an existing story, or a new one; stories it absorbed."""

    cluster_id: int
    created: bool
    similarity: float = 0.0
    merged_from: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RelatedDoc:
    """An article as "Read more" sees it; `story_id` and `signature` come from the stores."""

    id: int
    headline: str
    text: str = ""
    published_at: datetime | None = None
    topics: frozenset[str] = field(default_factory=frozenset)
    story_id: int | None = None
    signature: int | None = None
