"""Entities in a story: the people, organisations, places and themes it is about.

The light default backend reads capitalised spans and splits them against small shipped
gazetteers (places with their demonyms, organisations, person titles, theme phrases), as a
sub-editor would: "Chinese President Xi Jinping" is China (a demonym), a title cue, and a
person, Xi Jinping; a later "Xi" is the same person. Another backend (an NLP model shipped
in a PyPI package) can stand in through ``EntityBackend``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from tidings.enrichment.basics import stop_words
from tidings.enrichment.types import Entity

DATA = Path(__file__).resolve().parent / "data"
MAX_GAZETTEER_WORDS = 6
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|\w+(?:['’.-]\w+)*")
_CONNECTORS = frozenset({"of", "de", "del", "da", "al", "bin", "van", "von", "der", "for"})
_ORGANISATION_WORDS = (
    "Inc Corp Corporation Ltd Plc PLC Group Bank Ministry Party Council Agency Association "
    "University Company Committee Commission Organisation Organization Union Federation Fund "
    "Reserve Court Parliament Congress Senate Army Navy Police Institute Authority Office "
    "Department Airlines Motors Holdings Exchange Foundation Service Forces Democrats "
    "Republicans Conservatives Tories Labour"
)
_ORGANISATION_ENDINGS = frozenset(_ORGANISATION_WORDS.split())
_CALENDAR_WORDS = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "june july august september october november december"
)
_CALENDAR = frozenset(_CALENDAR_WORDS.split())
_SPEECH_VERBS = frozenset({"said", "says", "told", "added", "wrote", "asked", "tweeted"})


class EntityBackend(Protocol):
    def find(self, *, text: str, headline: str) -> list[Entity]: ...


def find_entities(
    *, text: str, headline: str = "", backend: EntityBackend | None = None
) -> list[Entity]:
    """People, organisations, places and themes in the story, most mentioned first.

    Offsets count in ``headline + "\\n\\n" + text`` (just ``text`` without a headline).
    """
    return (backend or gazetteer_backend()).find(text=text, headline=headline)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Surface forms ("Chinese", "U.S.", "Bank of England") and what they name."""

    names: dict[tuple[str, ...], tuple[str, str]]  # words -> (canonical name, kind)
    titles: frozenset[tuple[str, ...]]
    themes: dict[str, str]  # lower-case phrase -> theme name
    given_names: frozenset[str] = frozenset()


@cache
def load_gazetteer() -> Gazetteer:
    names: dict[tuple[str, ...], tuple[str, str]] = {}
    for kind, filename in (("organisation", "organisations.txt"), ("place", "places.txt")):
        for canonical, forms in _read_table(filename):
            for form in (canonical, *forms):
                names[tuple(_TOKEN.findall(form))] = (canonical, kind)
    titles = frozenset(tuple(_TOKEN.findall(line)) for line in _read_lines("titles.txt"))
    themes = {phrase.lower(): theme for phrase, (theme, *_) in _read_table("themes.txt")}
    given_names = frozenset(" ".join(_read_lines("given_names.txt")).split())
    return Gazetteer(names=names, titles=titles, themes=themes, given_names=given_names)


def _read_lines(filename: str) -> list[str]:
    raw = (DATA / filename).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in raw if line.strip() and not line.startswith("#")]


def _read_table(filename: str) -> list[tuple[str, list[str]]]:
    rows = [line.split("|") for line in _read_lines(filename)]
    return [(row[0].strip(), [form.strip() for form in row[1:] if form.strip()]) for row in rows]


@dataclass(slots=True)
class _Mention:
    name: str
    kind: str
    offset: int
    cued: bool = False  # a title came just before ("President ...") or a speech verb after


@dataclass(slots=True)
class _Tally:
    name: str
    kind: str
    count: int = 0
    first_offset: int = 0
    cued: bool = False


class GazetteerEntityBackend:
    """Capitalised spans split against the shipped gazetteers; no model, no download."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or load_gazetteer()

    def find(self, *, text: str, headline: str) -> list[Entity]:
        story = f"{headline}\n\n{text}" if headline else text
        tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(story)]
        mentions = self._name_mentions(story, tokens)
        if headline and _title_cased(headline):
            mentions = _trusted_in_headline(mentions, body_start=len(headline) + 2)
        mentions += self._theme_mentions(story)
        tallies = _fold_short_forms(_tally(mentions))
        entities = [
            Entity(
                name=t.name,
                kind=_settle_kind(t, self.gazetteer.given_names),
                count=t.count,
                first_offset=t.first_offset,
            )
            for t in tallies
        ]
        return sorted(entities, key=lambda e: (-e.count, e.first_offset, e.name))

    def _name_mentions(self, story: str, tokens: list[tuple[str, int]]) -> list[_Mention]:
        mentions: list[_Mention] = []
        for span in _capitalised_spans(story, tokens):
            mentions.extend(self._split_span(span, story))
        return mentions

    def _split_span(self, span: list[tuple[str, int]], story: str) -> list[_Mention]:
        """Walk a span left to right: gazetteer names, title cues, and unknown names."""
        found: list[_Mention] = []
        unknown: list[tuple[str, int]] = []
        cue, index = False, 0
        words = [_strip_possessive(word) for word, _ in span]
        while index < len(span):
            length, match, is_title = self._longest_match(words, index)
            if not length:
                unknown.append((words[index], span[index][1]))
                index += 1
                continue
            found.extend(_unknown_name(unknown, cue, story))
            unknown = []
            if is_title:
                cue = True
            else:
                found.append(_Mention(match[0], match[1], span[index][1]))
                cue = False
            index += length
        found.extend(_unknown_name(unknown, cue, story))
        return found

    def _longest_match(self, words: list[str], start: int) -> tuple[int, tuple[str, str], bool]:
        longest = min(MAX_GAZETTEER_WORDS, len(words) - start)
        for length in range(longest, 0, -1):
            for key in _spellings(tuple(words[start : start + length])):
                if key in self.gazetteer.titles:
                    return length, ("", ""), True
                if key in self.gazetteer.names:
                    return length, self.gazetteer.names[key], False
        return 0, ("", ""), False

    def _theme_mentions(self, story: str) -> list[_Mention]:
        themes = self.gazetteer.themes
        return [
            _Mention(themes[match.group()], "theme", match.start())
            for match in _theme_pattern(tuple(themes)).finditer(story.lower())
        ]


@cache
def _theme_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    longest_first = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b")


def _title_cased(headline: str) -> bool:
    """ "Putin Invites Xi To Moscow": capitals say nothing about names in such a headline."""
    words = [word for word in _TOKEN.findall(headline) if len(word) > 3]
    return len(words) >= 3 and sum(word[0].isupper() for word in words) >= 0.7 * len(words)


def _trusted_in_headline(mentions: list[_Mention], *, body_start: int) -> list[_Mention]:
    """In a title-cased headline keep gazetteer names and names the body confirms."""
    body_names = {m.name for m in mentions if m.offset >= body_start}
    return [m for m in mentions if m.offset >= body_start or m.kind or m.name in body_names]


class NullEntityBackend:
    """Finds nothing: for callers and tests that want enrichment without entities."""

    def find(self, *, text: str, headline: str) -> list[Entity]:
        return []


@cache
def gazetteer_backend() -> GazetteerEntityBackend:
    return GazetteerEntityBackend()


def _capitalised_spans(story: str, tokens: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    """Runs of capitalised words on one line with only spaces (or a connector) between."""
    spans: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    for position, (word, offset) in enumerate(tokens):
        joined = current and _only_spaces(story, current[-1], offset)
        if word[0].isupper() and (joined or not current):
            current.append((word, offset))
        elif word[0].isupper():
            spans.append(current)
            current = [(word, offset)]
        elif current and joined and word in _CONNECTORS and _next_is_capital(tokens, position):
            current.append((word, offset))
        else:
            if current:
                spans.append(current)
            current = []
    if current:
        spans.append(current)
    return [_trim_connectors(span) for span in spans]


def _only_spaces(story: str, previous: tuple[str, int], offset: int) -> bool:
    gap = story[previous[1] + len(previous[0]) : offset]
    return gap in (" ", "-") or (gap.strip() == "" and "\n" not in gap and len(gap) < 3)


def _next_is_capital(tokens: list[tuple[str, int]], position: int) -> bool:
    return position + 1 < len(tokens) and tokens[position + 1][0][0].isupper()


def _trim_connectors(span: list[tuple[str, int]]) -> list[tuple[str, int]]:
    while span and span[-1][0] in _CONNECTORS:
        span = span[:-1]
    return span


def _spellings(words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """As written, and title-cased when shouted ("BEIJING, Dec 30" in a dateline)."""
    if not any(word.isupper() and len(word) > 4 for word in words):
        return (words,)
    return (words, tuple(word.title() if len(word) > 4 else word for word in words))


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def _unknown_name(words: list[tuple[str, int]], cued: bool, story: str) -> list[_Mention]:
    """A run of capitalised words no gazetteer knows: drop sentence-start function words."""
    stops = stop_words()
    while words and (words[0][0].lower() in stops or words[0][0] in _CONNECTORS):
        words = words[1:]
    while words and words[-1][0].lower() in _CALENDAR:  # "Putin on Friday" never joins
        words = words[:-1]
    if not words or (len(words) == 1 and len(words[0][0]) < 2):
        return []
    name = " ".join(word for word, _ in words)
    after = re.findall(r"[a-z]+", story[words[-1][1] + len(words[-1][0]) :][:12])
    spoke = bool(after) and after[0] in _SPEECH_VERBS  # "Peskov said", "May, said:"
    return [_Mention(name, "", words[0][1], cued=cued or spoke)]


def _tally(mentions: list[_Mention]) -> dict[str, _Tally]:
    tallies: dict[str, _Tally] = {}
    for mention in sorted(mentions, key=lambda m: m.offset):
        tally = tallies.setdefault(
            mention.name, _Tally(mention.name, mention.kind, first_offset=mention.offset)
        )
        tally.count += 1
        tally.cued = tally.cued or mention.cued
    return tallies


def _fold_short_forms(tallies: dict[str, _Tally]) -> list[_Tally]:
    """Fold "Xi" into "Xi Jinping" and "Putin" into "Vladimir Putin" told in the same story."""
    # Only into names already seen as people ("President Xi Jinping", "Peskov said"), so a
    # menu's "World" does not fold into "World News".
    full_names = [t for t in tallies.values() if not t.kind and t.cued and len(t.name.split()) >= 2]
    for short in [t for t in tallies.values() if not t.kind and " " not in t.name]:
        owners = [t for t in full_names if short.name in (t.name.split()[0], t.name.split()[-1])]
        if len(owners) != 1:  # "Xi" with both "Xi Jinping" and "Xi Mingze" is ambiguous
            continue
        owner = owners[0]
        owner.count += short.count
        owner.first_offset = min(owner.first_offset, short.first_offset)
        del tallies[short.name]
    return list(tallies.values())


def _settle_kind(tally: _Tally, given_names: frozenset[str]) -> str:
    """Kind of a name no gazetteer knew, from its shape and the cues around it."""
    if tally.kind:
        return tally.kind
    words = tally.name.split()
    if words[-1] in _ORGANISATION_ENDINGS or (tally.name.isupper() and 2 <= len(tally.name) <= 6):
        return "organisation"
    if (tally.cued or words[0] in given_names) and 2 <= len(words) <= 4:
        return "person"
    if tally.cued and len(words) == 1:
        return "person"
    return "theme"
