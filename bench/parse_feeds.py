"""Feed parsing over every file under ../shared/data/feeds: crashes, speed, entries/s.

    .venv/bin/python -m bench.parse_feeds [--data PATH] [--repeats N]

For each file ``parse_feed`` (feedparser plus our byte preparation, second sanitiser,
identities, Media RSS captions) is timed next to plain ``feedparser.parse`` on the same
bytes in the same run, interleaved, so the ratio is what our extra safety costs. A crash
is any exception other than ``FeedParseError`` (the acceptance figure is 0); a refusal is
a ``FeedParseError`` (KML, OpenSearch, OPML and broken files in the validator corpus).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
import traceback
from collections import Counter
from pathlib import Path

import feedparser

from tidings.ingestion.feeds import FeedParseError, parse_feed

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared/data/feeds"
SUFFIXES = {".xml", ".json", ".opml", ".rdf", ".rss", ".atom"}
FEED_URL = "https://bench.example/feed"


def feed_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in SUFFIXES and not path.name.endswith(".serde.json")
    )


def time_ours(body: bytes) -> tuple[float, int, str]:
    """(seconds, entries, outcome) for one parse_feed call."""
    started = time.perf_counter()
    try:
        entries = len(parse_feed(body=body, url=FEED_URL).entries)
        outcome = "parsed"
    except FeedParseError:
        entries, outcome = 0, "refused"
    except Exception:  # the figure this benchmark exists to keep at zero
        traceback.print_exc()
        entries, outcome = 0, "crashed"
    return time.perf_counter() - started, entries, outcome


def time_feedparser(body: bytes) -> float:
    started = time.perf_counter()
    # Plain feedparser crashes on some inputs; only its time matters here.
    with contextlib.suppress(Exception):
        feedparser.parse(io.BytesIO(body))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=1)
    options = parser.parse_args()
    files = feed_files(options.data)
    if not files:
        raise SystemExit(f"no feed files under {options.data}")
    bodies = [path.read_bytes() for path in files]
    ours: list[float] = []
    baseline: list[float] = []
    outcomes: Counter[str] = Counter()
    entries = 0
    for round_number in range(options.repeats):
        for body in bodies:
            seconds, count, outcome = time_ours(body)
            ours.append(seconds)
            baseline.append(time_feedparser(body))
            if round_number == 0:  # counts per pass; timings from every pass
                outcomes[outcome] += 1
                entries += count
    report(len(files), outcomes, entries * options.repeats, ours, baseline)


def report(
    files: int, outcomes: Counter[str], entries: int, ours: list[float], baseline: list[float]
) -> None:
    median_ours = statistics.median(ours) * 1000
    median_base = statistics.median(baseline) * 1000
    print(f"files: {files}")
    print(
        f"parsed: {outcomes['parsed']}  refused (FeedParseError): {outcomes['refused']}  "
        f"crashes: {outcomes['crashed']}"
    )
    print(f"median ms per feed: parse_feed {median_ours:.3f}  feedparser alone {median_base:.3f}")
    print(f"ratio parse_feed / feedparser (medians): {median_ours / median_base:.2f}")
    print(f"entries/s (parse_feed, whole corpus): {entries / sum(ours):.0f}")
    print(f"p95 ms per feed: parse_feed {sorted(ours)[int(len(ours) * 0.95)] * 1000:.3f}")
    if outcomes["crashed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
