"""Plain-text page cleaning on the Zyte article-extraction benchmark's dev pages.

    .venv/bin/python -m bench.extract_text [--data PATH] [--cv]

Scores ``clean_text_dump`` next to two baselines measured in the same run — keep all text,
and a line-length filter (lines of at least ``MIN_WORDS`` words) — with the benchmark's own
method (``bench/extraction_score.py``). The shipped model was trained on these same pages,
so the plain run is in-sample; ``--cv`` retrains per fold (needs scikit-learn) and scores
every page with a model that never saw it: that is the figure to expect on unseen pages.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.extraction_score import Score, score_pages
from tidings.ingestion.dump import clean_text_dump

DEFAULT_DATA = (
    Path(__file__).resolve().parent.parent.parent / "shared/data/extraction/zyte-benchmark-dev"
)
MIN_WORDS = 10


def keep_all(text: str) -> str:
    return text


def length_filter(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if len(line.split()) >= MIN_WORDS)


def load(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        path.stem: path.read_text(encoding="utf-8")
        for path in sorted((folder / "text").glob("*.txt"))
    }
    return pages, {page_id: truth[page_id]["articleBody"] for page_id in pages}


def timed(
    clean: Callable[[str], str], pages: dict[str, str]
) -> tuple[dict[str, str], list[float], float]:
    """Predictions, per-page wall milliseconds, and total CPU seconds (one process, one core)."""
    predictions, millis = {}, []
    cpu_start = time.process_time()
    for page_id, text in pages.items():
        start = time.perf_counter()
        predictions[page_id] = clean(text)
        millis.append((time.perf_counter() - start) * 1000)
    return predictions, millis, time.process_time() - cpu_start


def cross_validated(folder: Path, pages: dict[str, str]) -> dict[str, str]:
    """Each page cleaned by a model trained, as the shipped one was, on the other folds and
    the weakly labelled pages only."""
    from tidings.ingestion.dump import train

    loaded, weak = train.load_pages(folder), train.load_weak_pages(train.DEFAULT_CORPUS)
    predictions = {}
    for fold in range(train.FOLDS):
        tested = loaded[fold :: train.FOLDS]
        fitted = train.fit([p for p in loaded if p not in tested] + weak)
        model = train.model_from_json(train.export(fitted, threshold=train.THRESHOLD))
        for page in tested:
            article = clean_text_dump(text=pages[page.page_id], model=model)
            predictions[page.page_id] = article.body_text
    return predictions


def row(name: str, score: Score, millis: Sequence[float] | None = None, cpu: float = 0.0) -> str:
    timing = ""
    if millis:
        median = statistics.median(millis)
        timing = f"  median {median:6.2f} ms/page  {len(millis) / cpu:7.1f} pages/s/core"
    return f"{name:34s} P={score.precision:.4f} R={score.recall:.4f} F1={score.f1:.4f}{timing}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="plain-text page cleaning benchmark")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cv", action="store_true", help="also score out-of-fold models")
    args = parser.parse_args(argv)
    if not (args.data / "text").is_dir():
        print(f"benchmark data not found at {args.data}", file=sys.stderr)
        return 2
    pages, truth = load(args.data)
    print(f"{len(pages)} pages from {args.data}")
    clean_text_dump(text="warm up\nthe model")  # load model.json outside the timings
    for name, clean in (
        ("keep all text", keep_all),
        (f"line-length filter (>={MIN_WORDS} words)", length_filter),
        ("clean_text_dump (in-sample)", lambda text: clean_text_dump(text=text).body_text),
    ):
        predictions, millis, cpu = timed(clean, pages)
        print(row(name, score_pages(predictions=predictions, truth=truth), millis, cpu))
    if args.cv:
        from tidings.ingestion.dump import train

        predictions = cross_validated(args.data, pages)
        print(
            row(
                f"clean_text_dump ({train.FOLDS}-fold CV)",
                score_pages(predictions=predictions, truth=truth),
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
