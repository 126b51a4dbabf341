"""Plain records that enrichment stages take and return (no Django models in here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# --- entities, topics and tags -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entity:
    """A name found in a story: who or what, how often, and where it first appears."""

    name: str
    kind: str  # person | organisation | place | theme (Topic.Kind values)
    count: int
    first_offset: int  # character offset in headline + "\n\n" + text


@dataclass(frozen=True, slots=True)
class CatalogueTopic:
    """One known topic as the catalogue knows it: its name, kind and other names."""

    slug: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    status: str = "approved"  # approved | proposed | blocked (Topic.Status values)
    merged_into: str = ""  # slug of the topic this one was merged into, if any


@dataclass(frozen=True, slots=True)
class TopicCatalogue:
    """Every topic the newsroom knows, built from Topic and TopicAlias rows by the caller."""

    topics: tuple[CatalogueTopic, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicLink:
    """A topic a story should carry, with how sure we are (ArticleTopic origin=predicted)."""

    slug: str
    name: str
    kind: str
    confidence: float
    origin: str = "predicted"
    evidence: tuple[str, ...] = ()  # the forms seen in the text ("Xi", "Chinese")
    new: bool = False  # not in the catalogue yet: the caller creates the Topic first


@dataclass(frozen=True, slots=True)
class NameSeen:
    """One story's use of a name the catalogue lacks (input to proposals).

    ``weight`` counts towards the proposal's spelling and kind (the mentions in the story,
    or 1 per story); ``seen_at`` is when the story ran, None when unknown (no window).
    """

    name: str
    kind: str
    source: str
    weight: int = 1
    seen_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TopicProposal:
    """A recurring name not in the catalogue, put to the editors as a proposed topic."""

    name: str
    kind: str
    source_count: int
    story_count: int
    sources: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class TaggedText:
    """A story with the topic slugs a source or an editor gave it (tagger training data)."""

    text: str
    topics: tuple[str, ...]
    headline: str = ""


# --- story clusters, near-duplicates and related articles ----------------------------------


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    """A story as the story clusterer sees it, given in publication order."""

    id: int
    text: str
    headline: str = ""
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClusterDecision:
    """Where a story went: an existing story cluster or a new one; clusters it absorbed."""

    cluster_id: int
    created: bool
    similarity: float = 0.0
    merged_from: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RelatedDoc:
    """A story as "Read more" sees it; `story_id` and `signature` come from the stores."""

    id: int
    headline: str
    text: str = ""
    published_at: datetime | None = None
    topics: frozenset[str] = field(default_factory=frozenset)
    story_id: int | None = None
    signature: bytes | None = None  # MinHash signature (near_duplicates.signature)
