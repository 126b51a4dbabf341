"""From entities to topics: every form of a name resolves to one topic.

"Xi", "Xi Jinping" and "Chinese President Xi Jinping" are Xi Jinping; "Putin" is Vladimir
Putin; "Russian" is Russia. The catalogue of known topics and their aliases is passed in
as data (the caller builds it from Topic and TopicAlias rows); merged topics resolve to
the topic they were merged into, and blocked topics are never linked. Names that keep
coming back from several sources but are not in the catalogue become proposals.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from tidings.enrichment.entities import EntityBackend, find_entities, load_gazetteer
from tidings.enrichment.types import (
    CatalogueTopic,
    Entity,
    NameSeen,
    TopicCatalogue,
    TopicLink,
    TopicProposal,
)

BLOCKED = "\x00blocked"  # resolves, but to a topic editors have blocked
NAMED_KINDS = frozenset({"person", "organisation", "place"})


def normalise_alias(name: str) -> str:
    """The form aliases are compared in: no accents, case, punctuation or leading "the"."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"['’]s\b", "", plain.casefold())
    words = re.sub(r"[^\w]+", " ", plain.replace(".", "")).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def slugify(name: str) -> str:
    return normalise_alias(name).replace(" ", "-")[:200] or "topic"


@dataclass(frozen=True, slots=True)
class AliasIndex:
    """Normalised alias -> topic, built once per catalogue."""

    topics: dict[str, CatalogueTopic]  # slug -> topic (the surviving one after merges)
    forms: dict[str, str]  # normalised alias -> slug, or BLOCKED
    short_forms: dict[str, str]  # a person's one-word name ("putin") -> slug, when unique
    slug_targets: dict[str, str]  # any catalogue slug -> surviving slug after merges, or BLOCKED

    def resolve(self, name: str) -> str | None:
        """The slug this name resolves to, BLOCKED, or None when the catalogue lacks it."""
        words = normalise_alias(name).split()
        for start in range(len(words)):  # "chinese president xi jinping" -> "xi jinping"
            form = " ".join(words[start:])
            if form in self.forms:
                return self.forms[form]
            if start == len(words) - 1 and form in self.short_forms:
                return self.short_forms[form]
            if words[start] not in _prefix_words():  # "bank of england" is not England
                return None
        return None


@cache
def _prefix_words() -> frozenset[str]:
    """Words that may stand before a name without being part of it: titles and demonyms."""
    gazetteer = load_gazetteer()
    titles = {normalise_alias(" ".join(title)) for title in gazetteer.titles}
    places = {
        normalise_alias(words[0])
        for words, (_, kind) in gazetteer.names.items()
        if kind == "place" and len(words) == 1
    }
    return frozenset(word for phrase in titles | places for word in phrase.split())


def build_alias_index(*, catalogue: TopicCatalogue) -> AliasIndex:
    by_slug = {topic.slug: topic for topic in catalogue.topics}
    forms: dict[str, str] = {}
    topics: dict[str, CatalogueTopic] = {}
    slug_targets: dict[str, str] = {}
    for topic in catalogue.topics:
        final = _follow_merges(topic, by_slug)
        target = BLOCKED if final.status == "blocked" else final.slug
        slug_targets[topic.slug] = target
        if target != BLOCKED:
            topics[final.slug] = final
        for form in (topic.name, *topic.aliases, *_gazetteer_forms(topic.name)):
            forms.setdefault(normalise_alias(form), target)
    return AliasIndex(
        topics=topics,
        forms=forms,
        short_forms=_short_forms(topics.values()),
        slug_targets=slug_targets,
    )


def training_topics(*, slugs: Iterable[str], index: AliasIndex) -> tuple[str, ...]:
    """The topics a tagged story teaches the tagger, after the editors' merges and blocks.

    A story tagged "kremlin" after Kremlin was merged into Russia teaches "russia"; a
    blocked topic teaches nothing. Slugs the catalogue lacks pass through unchanged.
    """
    kept = (index.slug_targets.get(slug, slug) for slug in slugs)
    return tuple(dict.fromkeys(slug for slug in kept if slug != BLOCKED))


def _follow_merges(topic: CatalogueTopic, by_slug: dict[str, CatalogueTopic]) -> CatalogueTopic:
    seen = {topic.slug}
    while topic.merged_into and topic.merged_into in by_slug and topic.merged_into not in seen:
        topic = by_slug[topic.merged_into]
        seen.add(topic.slug)
    return topic


def _gazetteer_forms(name: str) -> list[str]:
    """Demonyms and other names the shipped gazetteer knows for a place or organisation."""
    return _gazetteer_forms_by_name().get(name, [])


@cache
def _gazetteer_forms_by_name() -> dict[str, list[str]]:
    forms: dict[str, list[str]] = defaultdict(list)
    for words, (canonical, _) in load_gazetteer().names.items():
        forms[canonical].append(" ".join(words))
    return dict(forms)


def _short_forms(topics: Iterable[CatalogueTopic]) -> dict[str, str]:
    """One-word forms of people: surname, or the family name first (as in "Xi Jinping")."""
    owners: dict[str, set[str]] = defaultdict(set)
    for topic in topics:
        words = normalise_alias(topic.name).split()
        if topic.kind == "person" and len(words) >= 2:
            owners[words[-1]].add(topic.slug)
            owners[words[0]].add(topic.slug)
    return {word: next(iter(slugs)) for word, slugs in owners.items() if len(slugs) == 1}


def salience(*, entity: Entity, headline_length: int) -> float:
    """How central the name is to the story, 0..1: mentions, a headline hit, an early one."""
    score = float(entity.count)
    if entity.first_offset < headline_length:
        score += 2.0
    elif entity.first_offset < headline_length + 400:
        score += 1.0
    return round(score / (score + 2.0), 3)


def link_topics(
    *,
    entities: Iterable[Entity],
    catalogue: TopicCatalogue | AliasIndex,
    headline: str = "",
    min_confidence: float = 0.55,
) -> list[TopicLink]:
    """Topic links for a story's entities, most confident first.

    Entities the catalogue knows link to their topic; salient people, organisations and
    places it does not know come back with ``new=True`` for the caller to create.
    Blocked topics are dropped.
    """
    index = (
        catalogue if isinstance(catalogue, AliasIndex) else build_alias_index(catalogue=catalogue)
    )
    headline_length = len(headline) + 2 if headline else 0
    best: dict[str, TopicLink] = {}
    for entity in entities:
        link = _link_one(entity, index, salience(entity=entity, headline_length=headline_length))
        if link is not None:
            best[link.slug] = _stronger(best.get(link.slug), link)
    kept = [link for link in best.values() if link.confidence >= min_confidence]
    return sorted(kept, key=lambda link: (-link.confidence, link.slug))


def _link_one(entity: Entity, index: AliasIndex, confidence: float) -> TopicLink | None:
    slug = index.resolve(entity.name)
    if slug == BLOCKED:
        return None
    if slug is not None:
        topic = index.topics[slug]
        return TopicLink(slug, topic.name, topic.kind, confidence, evidence=(entity.name,))
    if entity.kind not in NAMED_KINDS:
        return None  # unknown themes are too noisy to tag with; they may become proposals
    return TopicLink(
        slugify(entity.name),
        entity.name,
        entity.kind,
        confidence,
        evidence=(entity.name,),
        new=True,
    )


def _stronger(current: TopicLink | None, candidate: TopicLink) -> TopicLink:
    """Two forms of one topic in a story ("Russia", "Kremlin" as Russia): add the evidence."""
    if current is None:
        return candidate
    confidence = min(0.99, max(current.confidence, candidate.confidence) + 0.05)
    evidence = tuple(dict.fromkeys(current.evidence + candidate.evidence))
    if current.confidence < candidate.confidence:  # the strongest form leads the evidence
        evidence = tuple(dict.fromkeys(candidate.evidence + current.evidence))
    return TopicLink(
        current.slug,
        current.name,
        current.kind,
        round(confidence, 3),
        evidence=evidence,
        new=current.new,
    )


def proposals_from_sightings(
    *, sightings: Iterable[NameSeen], min_sources: int, window: timedelta | None = None
) -> list[TopicProposal]:
    """The proposal rule, in one place: a new name becomes a topic for the editors once
    stories from ``min_sources`` distinct sources used it (within ``window`` of each other,
    when given). One source repeating a name (its boilerplate, a columnist's sign-off, an
    extraction slip) never proposes it. Every form of the name (normalised) counts as one;
    the proposal takes its most used spelling and kind.
    """
    groups: dict[str, list[NameSeen]] = defaultdict(list)
    for seen in sightings:
        key = normalise_alias(seen.name)
        if key:
            groups[key].append(seen)
    proposals = [
        _proposal(group) for group in groups.values() if _recurs(group, min_sources, window)
    ]
    return sorted(proposals, key=lambda p: (-p.source_count, -p.story_count, p.name))


def _recurs(group: list[NameSeen], min_sources: int, window: timedelta | None) -> bool:
    if len({seen.source for seen in group}) < min_sources:
        return False
    if window is None:
        return True
    dated = sorted((seen.seen_at, seen.source) for seen in group if seen.seen_at is not None)
    inside: Counter[str] = Counter()
    first = 0
    for seen_at, source in dated:  # a sliding window over the stories in the order they ran
        inside[source] += 1
        while seen_at - dated[first][0] > window:
            inside[dated[first][1]] -= 1
            if not inside[dated[first][1]]:
                del inside[dated[first][1]]
            first += 1
        if len(inside) >= min_sources:
            return True
    return False


def _proposal(group: list[NameSeen]) -> TopicProposal:
    spellings: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for seen in group:
        spellings[seen.name] += seen.weight
        kinds[seen.kind] += seen.weight
    sources = tuple(sorted({seen.source for seen in group}))
    return TopicProposal(
        name=spellings.most_common(1)[0][0],
        kind=kinds.most_common(1)[0][0],
        source_count=len(sources),
        story_count=len(group),
        sources=sources,
    )


def gazetteer_catalogue() -> TopicCatalogue:
    """The shipped places and organisations as topics, to seed a new site's catalogue."""
    grouped: dict[str, tuple[str, list[str]]] = {}
    for words, (canonical, kind) in load_gazetteer().names.items():
        form = " ".join(words)
        entry = grouped.setdefault(canonical, (kind, []))
        if form != canonical:
            entry[1].append(form)
    return TopicCatalogue(
        topics=tuple(
            CatalogueTopic(slug=slugify(name), name=name, kind=kind, aliases=tuple(forms))
            for name, (kind, forms) in sorted(grouped.items())
        )
    )


def topics_for_story(
    *,
    headline: str,
    text: str,
    index: AliasIndex,
    tagger_topics: Sequence[tuple[str, float]] = (),
    backend: EntityBackend | None = None,
    min_confidence: float = 0.55,
) -> list[TopicLink]:
    """Every predicted topic of a story: its entities, and what the learned tagger said.

    ``tagger_topics`` is ``TaggerModel.predict(...)``; its slugs go through merges and
    blocks like any other, and where both agree the stronger confidence wins.
    """
    entities = find_entities(text=text, headline=headline, backend=backend)
    links = {
        link.slug: link
        for link in link_topics(
            entities=entities, catalogue=index, headline=headline, min_confidence=min_confidence
        )
    }
    for slug, confidence in tagger_topics:
        target = index.slug_targets.get(slug, BLOCKED)
        if target == BLOCKED or target not in index.topics:
            continue  # blocked since the last retrain, or not a topic any more
        topic = index.topics[target]
        tagged = TopicLink(
            target, topic.name, topic.kind, round(confidence, 3), evidence=("tagger",)
        )
        links[target] = _stronger(links.get(target), tagged)
    return sorted(links.values(), key=lambda link: (-link.confidence, link.slug))
