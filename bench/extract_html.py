"""HTML article extraction: ours (``extract_page``) next to plain ``trafilatura.extract``.

    .venv/bin/python -m bench.extract_html [--data ../shared/data/extraction] [--meta-limit N]

Body F1 on the Zyte article-extraction benchmark pages (the benchmark's own scoring, see
``bench/extraction_score.py``), overall and on the two halves we tuned on (ids 0-2…) and
only checked on (ids 3-4…); speed as median milliseconds per page and pages per CPU-second
(one process, so per core); metadata accuracy (date, headline, author) on the trafilatura
evaluation corpus, with trafilatura's own metadata extractor as the baseline. Both sides
run on the same pages in the same run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from bench.extraction_score import load_ground_truth, score_pages
from tidings.ingestion.extract import extract_page

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "extraction"
_WORD = re.compile(r"\w+")
_NAME_FILLER = {"by", "von", "and", "und", "et", "y", "e", "de", "par"}


def timed(run: Callable[[], str]) -> tuple[str, float, float]:
    """Result, wall seconds and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def body_benchmark(folder: Path) -> dict[str, dict]:
    truth = load_ground_truth(str(folder / "ground-truth.json"))
    urls = {
        k: v.get("url") for k, v in json.loads((folder / "ground-truth.json").read_text()).items()
    }
    predictions: dict[str, dict[str, str]] = {"ours": {}, "trafilatura": {}}
    walls: dict[str, list[float]] = {"ours": [], "trafilatura": []}
    cpus: dict[str, list[float]] = {"ours": [], "trafilatura": []}
    runners = {
        "ours": lambda raw, url: extract_page(html=raw, url=url).body_text,
        "trafilatura": lambda raw, url: trafilatura.extract(raw, url=url) or "",
    }
    for page_id in sorted(truth):
        raw = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        for name, runner in runners.items():
            text, wall, cpu = timed(lambda: runner(raw, urls[page_id]))  # noqa: B023
            predictions[name][page_id] = text
            walls[name].append(wall)
            cpus[name].append(cpu)
    halves = {"all": truth}
    halves["ids 0-2 (tuned)"] = {k: v for k, v in truth.items() if k[0] in "012"}
    halves["ids 3-4 (held out)"] = {k: v for k, v in truth.items() if k[0] in "34"}
    results = {}
    for name in runners:
        scores = {
            half: score_pages(predictions=predictions[name], truth=t) for half, t in halves.items()
        }
        results[name] = {
            "scores": scores,
            "median_ms": statistics.median(walls[name]) * 1000,
            "median_cpu_ms": statistics.median(cpus[name]) * 1000,
            "pages_per_cpu_second": len(cpus[name]) / sum(cpus[name]),
        }
    return results


def _title_key(text: str | list | None) -> str:
    if isinstance(text, list):
        text = text[0] if text else None
    return " ".join(_WORD.findall((text or "").casefold()))


def _names_key(text: str | list | None) -> frozenset[str]:
    if isinstance(text, list):
        text = "; ".join(text)
    words = _WORD.findall((text or "").casefold())
    return frozenset(word for word in words if word not in _NAME_FILLER)


def metadata_benchmark(folder: Path, *, limit: int | None) -> dict[str, dict[str, float]]:
    """Share of pages whose date, headline and author match the annotation, per extractor."""
    evaldata = json.loads((folder / "evaldata.json").read_text())
    pages = [
        (u, e) for u, e in evaldata.items() if e.get("date") or e.get("title") or e.get("author")
    ]
    hits = {n: {"date": 0, "headline": 0, "author": 0} for n in ("ours", "trafilatura")}
    totals = {"date": 0, "headline": 0, "author": 0}
    for url, entry in pages[:limit]:
        raw = _eval_page(folder, entry["file"])
        if raw is None:
            continue
        for name, (date, title, author) in _both_metadata(raw, url).items():
            hits[name]["date"] += bool(entry.get("date")) and date == entry.get("date")
            hits[name]["headline"] += bool(entry.get("title")) and _title_key(title) == _title_key(
                entry.get("title")
            )
            hits[name]["author"] += bool(entry.get("author")) and _names_key(author) == _names_key(
                entry.get("author")
            )
        for field, key in (("date", "date"), ("headline", "title"), ("author", "author")):
            totals[field] += bool(entry.get(key))
    return {
        name: {field: counts[field] / totals[field] for field in counts if totals[field]}
        | {f"n_{field}": totals[field] for field in totals}
        for name, counts in hits.items()
    }


def snippet_benchmark(folder: Path, *, start: int, stop: int | None) -> dict[str, float]:
    """trafilatura's own body check: share of "with" snippets kept and "without" left out."""
    evaldata = list(json.loads((folder / "evaldata.json").read_text()).items())[start:stop]
    runners = {
        "ours": lambda raw, url: extract_page(html=raw, url=url).body_text,
        "trafilatura": lambda raw, url: trafilatura.extract(raw, url=url) or "",
    }
    right = dict.fromkeys(runners, 0)
    total = 0
    for url, entry in evaldata:
        raw = _eval_page(folder, entry["file"])
        if raw is None:
            continue
        total += len(entry.get("with", [])) + len(entry.get("without", []))
        for name, runner in runners.items():
            text = runner(raw, url)
            right[name] += sum(snippet in text for snippet in entry.get("with", []))
            right[name] += sum(snippet not in text for snippet in entry.get("without", []))
    return {name: count / total for name, count in right.items()} if total else {}


def _eval_page(folder: Path, name: str) -> bytes | None:
    for sub in ("eval", "cache"):
        path = folder / "html" / sub / f"{name}.gz"
        if path.exists():
            return gzip.decompress(path.read_bytes())
    return None


def _both_metadata(raw: bytes, url: str) -> dict[str, tuple[str | None, ...]]:
    article = extract_page(html=raw, url=url)
    ours_date = article.published.date().isoformat() if article.published else None
    ours = (ours_date, article.headline, "; ".join(article.bylines) or None)
    tree = load_html(raw)
    theirs = extract_metadata(tree, url) if tree is not None else None
    baseline = (theirs.date, theirs.title, theirs.author) if theirs else (None, None, None)
    return {"ours": ours, "trafilatura": baseline}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--meta-limit", type=int, default=None, help="metadata pages to use")
    parser.add_argument("--skip-meta", action="store_true")
    parser.add_argument("--skip-body", action="store_true")
    parser.add_argument(
        "--snippets", default="", help="START:STOP pages of trafilatura-eval for the snippet check"
    )
    args = parser.parse_args()
    if args.snippets:
        start, _, stop = args.snippets.partition(":")
        folder = args.data / "trafilatura-eval"
        result = snippet_benchmark(folder, start=int(start or 0), stop=int(stop) if stop else None)
        print(
            f"Snippet accuracy, trafilatura-eval pages {args.snippets}: "
            + "  ".join(f"{name}={value:.3f}" for name, value in result.items())
        )
    if not args.skip_body:
        report_body(body_benchmark(args.data / "zyte-benchmark-dev"))
    if args.skip_meta:
        return
    print("Metadata accuracy, trafilatura-eval (share of annotated pages matched):")
    results = metadata_benchmark(args.data / "trafilatura-eval", limit=args.meta_limit)
    for name, result in results.items():
        figures = "  ".join(
            f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}"
            for key, value in result.items()
        )
        print(f"  {name:<12} {figures}")


def report_body(body: dict[str, dict]) -> None:
    print("Body extraction, zyte-benchmark-dev (precision / recall / F1):")
    for name, result in body.items():
        for half, score in result["scores"].items():
            figures = f"P={score.precision:.4f} R={score.recall:.4f} F1={score.f1:.4f}"
            print(f"  {name:<12} {half:<20} {figures}")
        print(
            f"  {name:<12} median {result['median_ms']:.1f} ms/page wall, "
            f"{result['median_cpu_ms']:.1f} ms CPU, "
            f"{result['pages_per_cpu_second']:.1f} pages per CPU-second"
        )
    wall = body["ours"]["median_ms"] / body["trafilatura"]["median_ms"]
    cpu = body["ours"]["median_cpu_ms"] / body["trafilatura"]["median_cpu_ms"]
    print(f"  ours/trafilatura median ratio: wall {wall:.2f}, CPU {cpu:.2f}")


if __name__ == "__main__":
    main()
