"""``clean_text_dump``: a whole page saved as plain text → the article it carries.

The body is chosen line by line by the trained classifier (``model.py``); the metadata
around it (headline, dateline, breadcrumb, agency, byline, caption, related links, topics,
standfirst) is read by structural rules from the lines near the body, then taken out of it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from tidings.ingestion.dump.credits import agency_of_line, byline_names, caption_of_line
from tidings.ingestion.dump.datelines import find_datelines
from tidings.ingestion.dump.features import Line, line_features, split_lines
from tidings.ingestion.dump.furniture import (
    breadcrumb_of,
    find_headline,
    find_topics,
    related_link_of,
    section_of,
)
from tidings.ingestion.dump.language import detect_language
from tidings.ingestion.dump.model import LineModel, line_model
from tidings.ingestion.types import ExtractedArticle

_HEAD_REACH = 12  # metadata sits within a dozen lines above the first paragraph
_STANDFIRST_WORDS = 8


@dataclass
class Reading:
    """The page as it is being read: lines, which are body, and which are spoken for."""

    lines: list[Line]
    body: list[int]
    headline_index: int | None
    used: set[int] = field(default_factory=set)

    def head_zone(self) -> range:
        first = self.body[0] if self.body else len(self.lines)
        top = self.headline_index if self.headline_index is not None else first - _HEAD_REACH
        return range(max(1, min(top, first - _HEAD_REACH // 2)), min(len(self.lines), first + 3))

    def story_zone(self) -> range:
        zone = self.head_zone()
        last = self.body[-1] if self.body else zone.stop
        return range(zone.start, min(len(self.lines), last + 4))


def body_lines(lines: Sequence[Line], *, model: LineModel) -> list[int]:
    """Indices of the lines the classifier reads as article body."""
    probabilities = model.probabilities(line_features(lines))
    return [i for i, p in enumerate(probabilities) if p >= model.threshold_body]


def clean_text_dump(
    *, text: str, url: str | None = None, model: LineModel | None = None
) -> ExtractedArticle:
    """The article in a plain-text page dump (one block per line, furniture included).

    ``model`` replaces the shipped classifier (cross-validation in the benchmark uses it).
    """
    lines = split_lines(text)
    article = ExtractedArticle(url=url)
    if not lines:
        return article
    headline_index, article.headline = find_headline(lines)
    reading = Reading(
        lines=lines,
        body=body_lines(lines, model=model or line_model()),
        headline_index=headline_index,
    )
    if headline_index is not None:
        reading.used.add(headline_index)
    _read_breadcrumb(reading, article)
    _read_datelines(reading, article)
    _read_credits(reading, article)
    _read_image(reading, article)
    _read_related(reading, article)
    _read_topics(reading, article)
    _read_standfirst(reading, article)
    paragraphs = [lines[i].text for i in reading.body if i not in reading.used]
    article.body_text = "\n".join(paragraphs)
    article.body_html = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    article.language = detect_language(article.body_text or text)
    return article


def _read_breadcrumb(reading: Reading, article: ExtractedArticle) -> None:
    first = reading.body[0] if reading.body else len(reading.lines)
    for index in range(min(first, len(reading.lines)) - 1, 0, -1):
        crumbs = breadcrumb_of(reading.lines[index].text)
        if crumbs:
            article.breadcrumb = crumbs
            article.section = section_of(crumbs, article.headline)
            reading.used.add(index)
            return


def _read_datelines(reading: Reading, article: ExtractedArticle) -> None:
    for index in [*reading.head_zone(), *reading.story_zone()]:
        if article.published and article.updated:
            break
        for dateline in find_datelines(reading.lines[index].text):
            if dateline.updated and article.updated is None:
                article.updated = dateline.moment
                reading.used.add(index)
            elif not dateline.updated and article.published is None:
                article.published = dateline.moment
                reading.used.add(index)
    if article.published is None and article.updated is not None:
        article.published = article.updated


def _read_credits(reading: Reading, article: ExtractedArticle) -> None:
    lines = reading.lines
    for index in reading.head_zone():
        text = lines[index].text
        agency, names = agency_of_line(text), byline_names(text)
        if text.casefold() == "by" and index + 1 < len(lines):
            names = byline_names(f"By {lines[index + 1].text}")
            reading.used.update({index, index + 1} if names else set())
        if agency and article.agency is None and len(text.split()) <= 12:
            article.agency = agency
            reading.used.add(index)
        if names and not article.bylines:
            article.bylines = names
            reading.used.add(index)
    if article.agency is None and reading.body:
        edges = {reading.body[0], reading.body[-1]}
        article.agency = next(
            (agency_of_line(lines[i].text) for i in edges if agency_of_line(lines[i].text)), None
        )


def _read_image(reading: Reading, article: ExtractedArticle) -> None:
    for index in reading.story_zone():
        image = caption_of_line(reading.lines[index].text)
        if image is not None:
            article.image = image
            reading.used.add(index)
            return


def _read_related(reading: Reading, article: ExtractedArticle) -> None:
    for index in reading.story_zone():
        link = related_link_of(reading.lines[index].text)
        if link is not None:
            article.related_links.append(link)
            reading.used.add(index)


def _read_topics(reading: Reading, article: ExtractedArticle) -> None:
    start = reading.body[-1] if reading.body else 0
    story = " ".join([article.headline or ""] + [reading.lines[i].text for i in reading.body])
    topics, used = find_topics(reading.lines, story=story, start=start)
    if not topics and reading.headline_index is not None:
        topics, used = find_topics(reading.lines, story=story, start=reading.headline_index)
    article.topics = topics
    reading.used.update(used)


def _read_standfirst(reading: Reading, article: ExtractedArticle) -> None:
    """The summary between headline and body: a sentence the classifier left out, or a
    first "paragraph" that metadata (dateline, credit, caption) separates from the rest."""
    body = [i for i in reading.body if i not in reading.used]
    if reading.headline_index is None or not body:
        return
    for index in range(reading.headline_index + 1, body[0]):
        line = reading.lines[index]
        if index not in reading.used and len(line.words) >= _STANDFIRST_WORDS:
            article.standfirst = line.text
            reading.used.add(index)
            return
    if len(body) > 1 and any(body[0] < i < body[1] for i in reading.used):
        article.standfirst = reading.lines[body[0]].text
        reading.used.add(body[0])
