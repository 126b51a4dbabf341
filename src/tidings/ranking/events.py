"""Click events and the readers for external interaction logs (Globo, MIND, plain CSV).

Every reader returns the clicks in time order. Ties on the timestamp keep the order of the
files as given and of their rows inside each file (a stable sort), which is what the replay
contract promises. Files are read row by row (gzip or plain); the ordering needs the whole
log, so Globo logs are held as compact integer columns (about 32 bytes a click) rather than
as millions of Python objects, and turned into `Click`s only while they are consumed.
"""

from __future__ import annotations

import csv
import gzip
import io
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import numpy as np

Id = int | str
FORMATS = ("globo", "mind", "csv")
ITERATION_CHUNK = 65_536  # clicks turned into Python objects at a time


@dataclass(frozen=True, slots=True)
class Click:
    """One reader opening one article; `at` is seconds since the epoch (UTC)."""

    reader_id: Id
    session_id: Id
    article_id: Id
    at: float


class ClickLog(Sequence[Click]):
    """Time-ordered clicks stored column-wise; indexing or iterating yields `Click`s."""

    def __init__(
        self,
        *,
        readers: np.ndarray,
        sessions: np.ndarray,
        articles: np.ndarray,
        at: np.ndarray,
        ordered: bool = False,
    ) -> None:
        order = slice(None) if ordered else np.argsort(at, kind="stable")
        self._readers = readers[order]
        self._sessions = sessions[order]
        self._articles = articles[order]
        self._at = at[order]

    def __len__(self) -> int:
        return len(self._at)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            return ClickLog(
                readers=self._readers[index],
                sessions=self._sessions[index],
                articles=self._articles[index],
                at=self._at[index],
                ordered=True,
            )
        return Click(
            int(self._readers[index]),
            int(self._sessions[index]),
            int(self._articles[index]),
            float(self._at[index]),
        )

    def __iter__(self) -> Iterator[Click]:
        columns = (self._readers, self._sessions, self._articles, self._at)
        for start in range(0, len(self), ITERATION_CHUNK):
            chunk = (column[start : start + ITERATION_CHUNK].tolist() for column in columns)
            for reader, session, article, at in zip(*chunk, strict=True):
                yield Click(reader, session, article, at)


def open_text(path: Path) -> TextIO:
    """A text stream over a plain or gzip-compressed file."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def read_clicks(*, format: str, paths: Sequence[Path]) -> Sequence[Click]:
    """All clicks of the given files, in time order (stable on ties)."""
    if format == "globo":
        return read_globo(paths=paths)
    if format == "mind":
        return in_time_order(clicks=read_mind(paths=paths))
    if format == "csv":
        return in_time_order(clicks=read_csv(paths=paths))
    raise ValueError(f"unknown click log format {format!r}; expected one of {FORMATS}")


def in_time_order(*, clicks: Iterable[Click]) -> list[Click]:
    """Python's sort is stable, so equal timestamps keep their file and row order."""
    return sorted(clicks, key=lambda click: click.at)


def read_globo(*, paths: Sequence[Path]) -> ClickLog:
    """Globo.com `clicks_hour_NNN.csv(.gz)` files (timestamps in milliseconds)."""
    readers, sessions, articles, at_ms = array("q"), array("q"), array("q"), array("q")
    for path in paths:
        with open_text(Path(path)) as stream:
            rows = csv.reader(stream)
            header = next(rows, None)
            if header is None:
                continue
            col = {name: i for i, name in enumerate(header)}
            u, s, a, t = (
                col[name]
                for name in ("user_id", "session_id", "click_article_id", "click_timestamp")
            )
            for row in rows:
                readers.append(int(row[u]))
                sessions.append(int(row[s]))
                articles.append(int(row[a]))
                at_ms.append(int(row[t]))
    return ClickLog(
        readers=np.frombuffer(readers, dtype=np.int64),
        sessions=np.frombuffer(sessions, dtype=np.int64),
        articles=np.frombuffer(articles, dtype=np.int64),
        at=np.frombuffer(at_ms, dtype=np.int64) / 1000.0,
    )


def read_csv(*, paths: Sequence[Path]) -> Iterator[Click]:
    """`user_id,session_id,article_id,timestamp` with a header; epoch s/ms or ISO 8601."""
    for path in paths:
        with open_text(Path(path)) as stream:
            for row in csv.DictReader(stream):
                yield Click(
                    reader_id=row["user_id"],
                    session_id=row["session_id"],
                    article_id=row["article_id"],
                    at=parse_timestamp(row["timestamp"]),
                )


def parse_timestamp(text: str) -> float:
    """Epoch seconds or milliseconds (told apart by size), or an ISO 8601 date-time."""
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    # Epoch seconds stay below 1e11 until the year 5138; milliseconds are above it.
    return number / 1000.0 if number > 1e11 else number


def read_mind(*, paths: Sequence[Path]) -> Iterator[Click]:
    """MIND `behaviors.tsv`: the clicked impressions of each row, as one session.

    A reader's history column has no times; it is emitted once per reader, one second apart
    and ending a second before that reader's first impression in the file, as session
    `<user>-history`, so it warms the reader's long-term profile and the co-reading counts.
    """
    seen_readers: set[str] = set()
    for path in paths:
        with open_text(Path(path)) as stream:
            for row in csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) < 5:
                    continue
                impression_id, user, when, history, impressions = row[:5]
                at = datetime.strptime(when, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=UTC)
                moment = at.timestamp()
                if user not in seen_readers:
                    seen_readers.add(user)
                    earlier = history.split()
                    for i, article in enumerate(earlier):
                        yield Click(user, f"{user}-history", article, moment - len(earlier) + i)
                for item in impressions.split():
                    article, _, label = item.rpartition("-")
                    if label == "1":
                        yield Click(user, impression_id, article, moment)
