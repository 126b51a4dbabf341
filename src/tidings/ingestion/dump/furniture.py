"""Page furniture that carries story metadata: the title line, breadcrumbs, "Read more:"
links and topic lists. Everything here is structural; nothing names a site."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tidings.ingestion.dump.features import FURNITURE_WORDS, Line
from tidings.ingestion.types import RelatedLink

_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s*\|\s*|\s+::\s+|\s+·\s+")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*$")
_CRUMB_SPLIT = re.compile(r"\s+/\s+|\s*[›»]\s*|\s+>\s+")
_HOME = re.compile(
    r"^(?:home|homepage|startseite|inicio|início|accueil|главная|home page|news)$", re.I
)
_RELATED = re.compile(
    r"^(?:read more|also read|read also|see also|related|related story|more|recommended|"
    r"must read|also see|watch|lesen sie auch|lire aussi|leia também|lee también)"
    r"\s*[:|\-–—]\s*(?P<title>\S.+)$",
    re.I,
)
_URL = re.compile(r"https?://\S+")
_WORD = re.compile(r"\w+")
_TOPIC_LABEL = re.compile(
    r"^(?:topics?|tags?|related topics|keywords|themen|schlagwörter|sujets|temas|tópicos|"
    r"argomenti|теги|темы)\s*:?\s*(?P<inline>.*)$",
    re.I,
)
_TOPIC_SPLIT = re.compile(r"\s*(?:[,;|•·#]|\s-\s)\s*")
_MAX_TOPICS = 12


def _key(text: str) -> str:
    return " ".join(_ELLIPSIS.sub("", text).casefold().split())


def title_parts(title: str) -> list[str]:
    """The page title cut at its separators: "Headline | World News - Site" → 3 parts."""
    return [part.strip() for part in _TITLE_SPLIT.split(title) if part.strip()]


def find_headline(lines: Sequence[Line]) -> tuple[int | None, str | None]:
    """(line index, headline): the title part the page repeats as a line, else the title's
    longest part (the site name is usually the shorter one).

    The page title is normally the first line; when a crawler put menus or a sign-in prompt
    first, a "Headline | Site" line among the first lines whose headline the page repeats
    is the title instead.
    """
    if not lines:
        return None, None
    for position in _title_candidates(lines):
        found = _repeated_part(lines, position)
        if found is not None:
            return found, lines[found].text
    parts = title_parts(lines[0].text)
    longest = max(parts, key=len) if parts else lines[0].text
    return None, longest if len(longest.split()) >= 3 else lines[0].text


def _title_candidates(lines: Sequence[Line], *, scan: int = 40) -> list[int]:
    """The first line, then early lines cut by a title separator."""
    early = range(1, min(scan, len(lines)))
    return [0, *(i for i in early if len(title_parts(lines[i].text)) >= 2)]


def _repeated_part(lines: Sequence[Line], position: int) -> int | None:
    title = lines[position].text
    parts = title_parts(title)
    wanted = {_key(title)} | {_key(part) for part in parts if len(part.split()) >= 3}
    if position > 0:
        wanted.discard(_key(title))  # a later line equal to itself is no repeat
    for index in range(position + 1, len(lines)):
        if _key(lines[index].text) in wanted:
            return index
    return None


def breadcrumb_of(text: str) -> list[str]:
    """The crumbs of a breadcrumb line ("Home / World News / Xi, Putin …"), else []."""
    if len(text) > 200:
        return []
    crumbs = [c.strip() for c in _CRUMB_SPLIT.split(text) if c.strip()]
    if len(crumbs) < 2 or any(len(c.split()) > 12 for c in crumbs[:-1]):
        return []
    if any(c.replace(".", "").isdigit() for c in crumbs):
        return []  # "24 / 11 / 2019" is a date
    if _HOME.match(crumbs[0]) or (
        len(crumbs) >= 3 and all(len(c.split()) <= 4 for c in crumbs[:2])
    ):
        return crumbs
    return []


def section_of(crumbs: Sequence[str], headline: str | None) -> str | None:
    """The deepest crumb that is neither "Home" nor the story itself."""
    story = _key(headline or "")
    for crumb in reversed(crumbs):
        key = _key(crumb)
        if _HOME.match(crumb) or (story and (story.startswith(key) or key.startswith(story))):
            continue
        if len(crumb.split()) <= 5:
            return crumb
    return None


def related_link_of(text: str) -> RelatedLink | None:
    """A "Read more: …" line as a related link (plain text keeps no address: url is "")."""
    match = _RELATED.match(text)
    if match is None:
        return None
    title = match.group("title").strip()
    url = _URL.search(title)
    if url:
        title = (title[: url.start()] + title[url.end() :]).strip(" -–—|:") or url.group(0)
    return RelatedLink(url=url.group(0) if url else "", title=title)


def topic_label(text: str) -> str | None:
    """The inline remainder of a "Topics" / "Tags:" label line ("" when the topics follow)."""
    match = _TOPIC_LABEL.match(text)
    return match.group("inline") if match else None


def _phrase(text: str) -> str:
    return " " + " ".join(_WORD.findall(text.casefold())) + " "


def split_topics(text: str, *, story: str) -> list[str]:
    """Topic names from one line: separators if any, else the longest phrases the story
    itself uses ("xi jinping vladimir putin" → "xi jinping", "vladimir putin")."""
    if _TOPIC_SPLIT.search(text):
        return [t for t in (t.strip() for t in _TOPIC_SPLIT.split(text)) if t]
    words = text.split()
    told = _phrase(story)
    topics, start = [], 0
    while start < len(words):
        longest = range(min(len(words), start + 4), start + 1, -1)
        end = next(
            (stop for stop in longest if _phrase(" ".join(words[start:stop])) in told), start + 1
        )
        topics.append(" ".join(words[start:end]))
        start = end
    return topics


def _is_topic_line(text: str) -> bool:
    words = text.casefold().split()
    return (
        len(words) <= 4
        and not text.isupper()
        and not text.rstrip().endswith((".", "!", "?", ":"))
        and topic_label(text) is None
        and not FURNITURE_WORDS.intersection(words)
    )


def _topics_after(lines: Sequence[Line], index: int, *, story: str) -> tuple[list[str], set[int]]:
    following = index + 1
    if following >= len(lines):
        return [], set()
    first = lines[following].text
    alone = following + 1 >= len(lines) or not _is_topic_line(lines[following + 1].text)
    if len(first.split()) > 4 or _TOPIC_SPLIT.search(first) or (alone and len(first.split()) > 2):
        # the tags were links in one block: "xi jinping vladimir putin"
        if len(first.split()) <= 20 and not first.rstrip().endswith((".", "!", "?")):
            return split_topics(first, story=story), {following}
        return [], set()
    topics, used = [], set()
    while following < len(lines) and _is_topic_line(lines[following].text):
        topics.append(lines[following].text)
        used.add(following)
        following += 1
        if len(topics) >= _MAX_TOPICS:
            break
    return topics, used


def find_topics(lines: Sequence[Line], *, story: str, start: int = 0) -> tuple[list[str], set[int]]:
    """Topics listed after a "Topics"/"Tags" label (the first label from ``start``), and the
    indices of the lines they took."""
    for index in range(start, len(lines)):
        inline = topic_label(lines[index].text)
        if inline is None:
            continue
        if inline:
            topics, used = split_topics(inline, story=story), set[int]()
        else:
            topics, used = _topics_after(lines, index, story=story)
        if topics:
            return topics[:_MAX_TOPICS], used | {index}
    return [], set()
