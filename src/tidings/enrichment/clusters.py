"""Online, time-aware story clustering ("full coverage").

Articles arrive one at a time in publication order. Each is compared with the live stories
on two signals and joins the best one when the blend clears a threshold, else it starts a
new story:

- wording: cosine between the article's TF-IDF vector and the story's centroid. IDF comes
  from document frequencies counted as articles arrive, so nothing is ever refitted;
- story markers: names and figures (people, places, organisations, numbers, years) weighted
  by their rarity. Two earthquakes share the wording of earthquakes but not "Mendocino" or
  "6.5": the markers are what keep similar but different events apart.

A story that has been quiet for longer than its half-life loses pull (time decay); after
`active_days` it is no longer a candidate at all, so work per article stays bounded. When an
article makes a story look like another one, the two are merged. The whole state is plain
data (`to_dict` / `from_dict`), so the job that assigns clusters can stop and resume.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tidings.enrichment.types import ClusterDecision, ClusterDoc
from tidings.enrichment.vectors import content_terms, story_markers

Sparse = dict[str, float]


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """Tuned on ECB+ topics 1-10 only (see bench/README.md); held-out topics confirm them."""

    threshold: float = 0.20
    marker_weight: float = 0.7
    merge_threshold: float = 0.40
    half_life_days: float = 3.0
    grace_days: float = 1.0
    active_days: float = 30.0
    candidate_terms: int = 12
    candidate_markers: int = 8
    indexed_terms: int = 40
    max_candidates: int = 25
    merge_candidates: int = 8
    indexed_markers: int = 20
    lead_boost: float = 1.0
    figure_weight: float = 0.5
    lead_chars: int = 400
    max_centroid_terms: int = 400
    profile_terms: int = 300
    sweep_every: int = 1000


@dataclass(slots=True)
class Story:
    """One story cluster: summed member vectors and when it was last fed."""

    id: int
    terms: Sparse = field(default_factory=dict)
    markers: Sparse = field(default_factory=dict)
    size: int = 0
    first_at: float | None = None
    last_at: float | None = None
    members: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Profile:
    terms: Sparse
    markers: Sparse
    at: float | None


class StoryClusterer:
    """Assigns each incoming article to a story, creating and merging stories as news develops."""

    def __init__(self, *, settings: ClusterSettings | None = None):
        self.settings = settings or ClusterSettings()
        self.stories: dict[int, Story] = {}
        self.term_df: Counter[str] = Counter()
        self.marker_df: Counter[str] = Counter()
        self.documents = 0
        self.next_id = 1
        self.story_of: dict[int, int] = {}
        self._postings: dict[str, set[int]] = {}
        self._norms: dict[int, tuple[float, float]] = {}
        self.latest_at: float | None = None
        self.since_sweep = 0

    def assign(self, *, article: ClusterDoc) -> ClusterDecision:
        """Put one article into its story (existing or new); returns where it went."""
        if article.id in self.story_of:
            return ClusterDecision(
                cluster_id=self.story_of[article.id], created=False, similarity=1.0
            )
        profile = self._profile(article)
        best, similarity = self._best_story(profile)
        created = best is None or similarity < self.settings.threshold
        story = best if best is not None and not created else self._new_story()
        self._absorb(story, profile, article.id)
        merged = () if created else self._merge_lookalikes(story)
        self._sweep(profile.at)
        return ClusterDecision(
            cluster_id=story.id, created=created, similarity=similarity, merged_from=merged
        )

    def members(self, *, cluster_id: int) -> list[int]:
        return list(self.stories[cluster_id].members)

    # --- profiles -------------------------------------------------------------------------

    def _profile(self, article: ClusterDoc) -> _Profile:
        text = f"{article.headline}\n{article.text}" if article.headline else article.text
        counts = Counter(content_terms(text))
        markers = story_markers(text)
        lead = story_markers(text[: self.settings.lead_chars])
        self.documents += 1
        self.term_df.update(counts.keys())
        self.marker_df.update(markers)
        terms = {t: (1.0 + math.log(n)) * self._idf(self.term_df[t]) for t, n in counts.items()}
        marks = {m: self._marker_weight(m, m in lead) for m in markers}
        at = article.published_at.timestamp() if article.published_at else None
        # The tail of a long article hardly moves a cosine but costs memory in every story.
        terms = {t: terms[t] for t in _heaviest(terms, self.settings.profile_terms)}
        return _Profile(terms=_unit(terms), markers=_unit(marks), at=at)

    def _marker_weight(self, marker: str, in_lead: bool) -> float:
        weight = self._idf(self.marker_df[marker])
        if in_lead:  # the headline and first sentences name the event itself
            weight *= self.settings.lead_boost
        if marker[0].isdigit():  # figures recur across unrelated stories more than names do
            weight *= self.settings.figure_weight
        return weight

    def _idf(self, df: int) -> float:
        return math.log((1 + self.documents) / (1 + df)) + 1.0

    # --- matching -------------------------------------------------------------------------

    def _best_story(self, profile: _Profile) -> tuple[Story | None, float]:
        best: Story | None = None
        best_score = 0.0
        for story in self._candidates(profile):
            score = self._similarity(profile.terms, profile.markers, story) * self._decay(
                profile.at, story
            )
            if score > best_score:
                best, best_score = story, score
        return best, best_score

    def _candidates(self, profile: _Profile) -> list[Story]:
        """Live stories sharing one of the article's rarest words or names.

        Only the heaviest few keys are looked up: common ones ("Trump", "2017") would pull in
        every story and make each article cost O(stories) instead of O(neighbours).
        """
        keys = _heaviest(profile.terms, self.settings.candidate_terms)
        keys += ["\x00" + m for m in _heaviest(profile.markers, self.settings.candidate_markers)]
        hits: Counter[int] = Counter()
        for key in keys:
            hits.update(self._postings.get(key, ()))
        live = (self.stories.get(i) for i, _ in hits.most_common())
        stories = [story for story in live if story and self._is_active(profile.at, story)]
        return stories[: self.settings.max_candidates]

    def _similarity(self, terms: Sparse, markers: Sparse, story: Story) -> float:
        """Blend of cosines between a unit-length article profile and a story centroid."""
        terms_norm, markers_norm = self._norms_of(story)
        wording = _dot(terms, story.terms) / terms_norm
        naming = _dot(markers, story.markers) / markers_norm
        weight = self.settings.marker_weight
        return (1.0 - weight) * wording + weight * naming

    def _story_similarity(self, story: Story, other: Story) -> float:
        terms_norm, markers_norm = self._norms_of(story)
        other_terms, other_markers = self._norms_of(other)
        wording = _dot(story.terms, other.terms) / (terms_norm * other_terms)
        naming = _dot(story.markers, other.markers) / (markers_norm * other_markers)
        weight = self.settings.marker_weight
        return (1.0 - weight) * wording + weight * naming

    def _norms_of(self, story: Story) -> tuple[float, float]:
        """Centroid lengths, cached until the story changes (saves a pass per comparison)."""
        if story.id not in self._norms:
            self._norms[story.id] = (_norm(story.terms) or 1.0, _norm(story.markers) or 1.0)
        return self._norms[story.id]

    def _decay(self, at: float | None, story: Story) -> float:
        if at is None or story.last_at is None:
            return 1.0
        gap_days = abs(at - story.last_at) / 86_400 - self.settings.grace_days
        return 0.5 ** (max(0.0, gap_days) / self.settings.half_life_days)

    def _is_active(self, at: float | None, story: Story) -> bool:
        if at is None or story.last_at is None:
            return True
        return (at - story.last_at) / 86_400 <= self.settings.active_days

    # --- updating -------------------------------------------------------------------------

    def _new_story(self) -> Story:
        story = Story(id=self.next_id)
        self.next_id += 1
        self.stories[story.id] = story
        return story

    def _absorb(self, story: Story, profile: _Profile, article_id: int) -> None:
        _add_into(story.terms, profile.terms)
        _add_into(story.markers, profile.markers)
        story.terms = _trim(story.terms, self.settings.max_centroid_terms)
        story.markers = _trim(story.markers, self.settings.max_centroid_terms)
        story.size += 1
        story.members.append(article_id)
        self._norms.pop(story.id, None)
        self.story_of[article_id] = story.id
        if profile.at is not None:
            story.first_at = min(story.first_at or profile.at, profile.at)
            story.last_at = max(story.last_at or profile.at, profile.at)
        self._index(story, profile.terms, profile.markers)

    def _index(self, story: Story, terms: Sparse, markers: Sparse) -> None:
        """Make the story findable by the article's heaviest words and names (bounded)."""
        keys = _heaviest(terms, self.settings.indexed_terms)
        keys += ["\x00" + m for m in _heaviest(markers, self.settings.indexed_markers)]
        for key in keys:
            self._postings.setdefault(key, set()).add(story.id)

    def _sweep(self, at: float | None) -> None:
        """Retire stories quiet for longer than `active_days`, so memory follows the news cycle.

        Retired stories are never candidates again; their articles keep their story id.
        """
        if at is None:
            return
        self.latest_at = at if self.latest_at is None else max(self.latest_at, at)
        self.since_sweep += 1
        if self.since_sweep < self.settings.sweep_every:
            return
        self.since_sweep = 0
        cutoff = self.latest_at - self.settings.active_days * 86_400
        gone = {i for i, s in self.stories.items() if s.last_at is not None and s.last_at < cutoff}
        for story_id in gone:
            del self.stories[story_id]
            self._norms.pop(story_id, None)
        postings = ((key, ids - gone) for key, ids in self._postings.items())
        self._postings = {key: ids for key, ids in postings if ids}

    def _merge_lookalikes(self, story: Story) -> tuple[int, ...]:
        """Fold into `story` any live story that now reads like the same event."""
        probe = _Profile(terms=story.terms, markers=story.markers, at=story.last_at)
        merged = []
        for other in self._candidates(probe)[: self.settings.merge_candidates]:
            if other.id == story.id:
                continue
            score = self._story_similarity(story, other)
            if score * self._decay(probe.at, other) >= self.settings.merge_threshold:
                self._fold(into=story, other=other)
                merged.append(other.id)
        return tuple(merged)

    def _fold(self, *, into: Story, other: Story) -> None:
        _add_into(into.terms, other.terms)
        _add_into(into.markers, other.markers)
        into.terms = _trim(into.terms, self.settings.max_centroid_terms)
        into.size += other.size
        into.members.extend(other.members)
        for article_id in other.members:
            self.story_of[article_id] = into.id
        times = [t for t in (into.first_at, other.first_at) if t is not None]
        into.first_at = min(times) if times else None
        times = [t for t in (into.last_at, other.last_at) if t is not None]
        into.last_at = max(times) if times else None
        self._index(into, other.terms, other.markers)
        del self.stories[other.id]
        self._norms.pop(other.id, None)
        self._norms.pop(into.id, None)

    # --- persistence ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The whole state as JSON-ready data."""
        return {
            "format": 1,
            "settings": {name: getattr(self.settings, name) for name in _SETTING_NAMES},
            "documents": self.documents,
            "next_id": self.next_id,
            "term_df": dict(self.term_df),
            "marker_df": dict(self.marker_df),
            "stories": [_story_dict(story) for story in self.stories.values()],
            "postings": {key: sorted(ids) for key, ids in self._postings.items()},
            "story_of": [[article, story] for article, story in self.story_of.items()],
            "latest_at": self.latest_at,
            "since_sweep": self.since_sweep,
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> StoryClusterer:
        if state.get("format") != 1:
            raise ValueError("unknown story clusterer state format")
        clusterer = cls(settings=ClusterSettings(**state["settings"]))
        clusterer.documents = state["documents"]
        clusterer.next_id = state["next_id"]
        clusterer.term_df = Counter(state["term_df"])
        clusterer.marker_df = Counter(state["marker_df"])
        for raw in state["stories"]:
            story = Story(**raw)
            clusterer.stories[story.id] = story
        clusterer._postings = {key: set(ids) for key, ids in state["postings"].items()}
        clusterer.story_of = dict(state["story_of"])
        clusterer.latest_at = state["latest_at"]
        clusterer.since_sweep = state["since_sweep"]
        return clusterer


_SETTING_NAMES = tuple(ClusterSettings.__dataclass_fields__)


def _story_dict(story: Story) -> dict[str, Any]:
    return {name: getattr(story, name) for name in Story.__slots__}


def _heaviest(vector: Sparse, count: int) -> list[str]:
    return heapq.nlargest(count, vector, key=vector.__getitem__)


def _unit(vector: Sparse) -> Sparse:
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {key: value / norm for key, value in vector.items()} if norm else {}


def _norm(vector: Sparse) -> float:
    return math.sqrt(sum(value * value for value in vector.values()))


def _dot(first: Sparse, second: Sparse) -> float:
    # The key intersection runs in C and is small; only shared keys are multiplied in Python.
    return sum(first[key] * second[key] for key in first.keys() & second.keys())


def _add_into(total: Sparse, part: Sparse) -> None:
    for key, value in part.items():
        total[key] = total.get(key, 0.0) + value


def _trim(vector: Sparse, keep: int) -> Sparse:
    """Bound a story's memory: keep its heaviest terms (the tail hardly moves a cosine)."""
    if len(vector) <= keep * 2:
        return vector
    heaviest = sorted(vector.items(), key=lambda item: item[1], reverse=True)[:keep]
    return dict(heaviest)
