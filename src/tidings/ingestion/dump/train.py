"""Train the body-line classifier and write ``model.json``.

    .venv/bin/python -m tidings.ingestion.dump.train [--cv] [--no-weak] \
        [--data ../shared/data/extraction/zyte-benchmark-dev] \
        [--weak ../shared/data/extraction/trafilatura-eval]

Run from the repository root (it scores with ``bench/extraction_score.py``). Training data:
the benchmark's 50 dev dumps, labelled from their human ground truth — a line is body when
most of its 4-token shingles occur in the article body; a short line (under four tokens)
only when its words occur in the body and it sits between the first and last long body
lines — plus ~650 weakly labelled pages from other sites (``augment.py``). One dev page in
five is held out and scored before the final model is fitted on everything. The
third-party pages stay in ``../shared/data``: only the learned trees are written here.
scikit-learn and trafilatura are needed for training only, never at run time.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tidings.ingestion.dump.augment import DEFAULT_CORPUS, weak_pages
from tidings.ingestion.dump.features import FEATURE_NAMES, Line, line_features, split_lines
from tidings.ingestion.dump.model import MODEL_PATH, model_from_json

DEFAULT_DATA = Path("../shared/data/extraction/zyte-benchmark-dev")
_TOKEN = re.compile(r"\w+")
TREES, DEPTH, RATE = 300, 3, 0.05
WEAK_WEIGHT = 0.3  # a weakly labelled page counts for under a third of a hand-labelled one
THRESHOLD = 0.5
FOLDS = 5


@dataclass
class Page:
    page_id: str
    lines: list[Line]
    rows: np.ndarray
    labels: np.ndarray
    truth: str
    weight: float = 1.0


def _shingles(tokens: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3))}


def line_labels(lines: Sequence[Line], truth: str) -> list[int]:
    """1 for lines of the ground-truth body, 0 for everything else."""
    tokens = _TOKEN.findall(truth)
    truth_shingles, joined = _shingles(tokens), " " + " ".join(tokens) + " "
    overlap: list[tuple[bool, float]] = []
    for line in lines:
        words = list(line.words)
        if len(words) < 4:
            found = bool(words) and (" " + " ".join(words) + " ") in joined
            overlap.append((False, float(found)))
        else:
            grams = _shingles(words)
            overlap.append((True, sum(g in truth_shingles for g in grams) / len(grams)))
    long_hits = [i for i, (long, share) in enumerate(overlap) if long and share >= 0.5]
    first, last = (long_hits[0], long_hits[-1]) if long_hits else (0, -1)
    return [
        int(share >= 0.5 and (long or first <= i <= last))
        for i, (long, share) in enumerate(overlap)
    ]


def page_from(page_id: str, text: str, body: str, *, weight: float = 1.0) -> Page:
    lines = split_lines(text)
    rows = np.asarray(line_features(lines), dtype=np.float64).reshape(-1, len(FEATURE_NAMES))
    labels = np.asarray(line_labels(lines, body), dtype=np.int64)
    return Page(page_id, lines, rows, labels, body, weight)


def load_pages(folder: Path) -> list[Page]:
    """The benchmark's dev dumps with labels from its human ground truth."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        page_from(path.stem, path.read_text(encoding="utf-8"), truth[path.stem]["articleBody"])
        for path in sorted((folder / "text").glob("*.txt"))
    ]


def load_weak_pages(corpus: Path) -> list[Page]:
    """Weakly labelled pages from other sites (see ``augment.py``), at ``WEAK_WEIGHT``."""
    pages = []
    for url, text, body in weak_pages(corpus):
        page = page_from(url, text, body, weight=WEAK_WEIGHT)
        if len(page.lines) >= 5 and page.labels.any():
            pages.append(page)
    return pages


def _weights(page: Page) -> np.ndarray:
    # The benchmark weighs pages equally and words within a page: so do the sample weights.
    words = np.asarray([1 + len(line.words) for line in page.lines], dtype=np.float64)
    return words / words.sum() * 300 * page.weight


def fit(pages: Sequence[Page]):
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(
        n_estimators=TREES,
        max_depth=DEPTH,
        learning_rate=RATE,
        subsample=0.7,
        min_samples_leaf=40,
        max_features=0.5,
        random_state=0,
    )
    rows = np.vstack([page.rows for page in pages])
    labels = np.concatenate([page.labels for page in pages])
    weights = np.concatenate([_weights(page) for page in pages])
    return model.fit(rows, labels, sample_weight=weights)


def export(model, *, threshold: float) -> dict:
    """The fitted ensemble as plain JSON: the learning rate is folded into the leaf values."""
    trees = []
    for (estimator,) in model.estimators_:
        tree = estimator.tree_
        trees.append(
            {
                "feature": tree.feature.tolist(),
                "threshold": [round(float(t), 6) for t in tree.threshold],
                "left": tree.children_left.tolist(),
                "right": tree.children_right.tolist(),
                "value": [round(float(v) * model.learning_rate, 6) for v in tree.value[:, 0, 0]],
            }
        )
    bias = float(model._raw_predict_init(np.zeros((1, len(FEATURE_NAMES))))[0, 0])
    return {
        "features": list(FEATURE_NAMES),
        "depth": DEPTH,
        "bias": round(bias, 6),
        "threshold": threshold,
        "trees": trees,
    }


def _body(page: Page, probabilities: np.ndarray, threshold: float) -> str:
    return "\n".join(
        line.text for line, p in zip(page.lines, probabilities, strict=True) if p >= threshold
    )


def _score(pages: Sequence[Page], probabilities: dict[str, np.ndarray], threshold: float):
    from bench.extraction_score import score_pages

    predictions = {
        page.page_id: _body(page, probabilities[page.page_id], threshold) for page in pages
    }
    return score_pages(predictions=predictions, truth={page.page_id: page.truth for page in pages})


def out_of_fold(pages: Sequence[Page], extra: Sequence[Page] = ()) -> dict[str, np.ndarray]:
    """Each page's probabilities from a model that never saw it (k-fold by page); ``extra``
    pages are in every fold's training set."""
    found: dict[str, np.ndarray] = {}
    for fold in range(FOLDS):
        tested = pages[fold::FOLDS]
        trained = [p for p in pages if p not in tested] + list(extra)
        shipped = model_from_json(export(fit(trained), threshold=THRESHOLD))
        for page in tested:
            found[page.page_id] = shipped.probabilities(page.rows.tolist())
    return found


def report(name: str, score) -> None:
    print(f"{name:34s} P={score.precision:.4f} R={score.recall:.4f} F1={score.f1:.4f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--weak", type=Path, default=DEFAULT_CORPUS, help="trafilatura-eval")
    parser.add_argument("--no-weak", action="store_true", help="hand-labelled pages only")
    parser.add_argument("--cv", action="store_true", help=f"also report {FOLDS}-fold CV")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    pages = load_pages(args.data)
    weak = [] if args.no_weak else load_weak_pages(args.weak)
    print(f"{len(pages)} hand-labelled pages, {len(weak)} weakly labelled pages")
    held_out = pages[4::5]
    training = [page for page in pages if page not in held_out]
    check = model_from_json(export(fit(training + weak), threshold=THRESHOLD))
    probabilities = {p.page_id: check.probabilities(p.rows.tolist()) for p in held_out}
    report(f"held out {len(held_out)} pages", _score(held_out, probabilities, THRESHOLD))
    if args.cv:
        cv = out_of_fold(pages, weak)
        report(f"{FOLDS}-fold CV on {len(pages)} pages", _score(pages, cv, THRESHOLD))
    final = export(fit(pages + weak), threshold=THRESHOLD)
    args.out.write_text(json.dumps(final, separators=(",", ":")), encoding="utf-8")
    size = args.out.stat().st_size // 1024
    print(f"wrote {args.out} ({size} KB, trained on {len(pages)} + {len(weak)} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
