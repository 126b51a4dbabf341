"""The article-extraction benchmark's scoring, as a reusable pure function.

Reproduces ``evaluate.py`` of scrapinghub/article-extraction-benchmark (see
``../shared/data/extraction/zyte-benchmark-dev/PROVENANCE.md``): tokens are ``\\w+`` runs
(case kept), each text becomes the multiset of its 4-token shingles (a text shorter than
four tokens is one shorter shingle; an empty text has none), per page tp/fp/fn are the
shingle-count overlaps normalised to sum 1 so long pages do not weigh more, precision and
recall are averaged over the pages where they are defined, and F1 = 2PR / (P + R).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)
SHINGLE_SIZE = 4


@dataclass(frozen=True)
class PageScore:
    """Normalised shingle overlap for one page (tp + fp + fn == 1 unless all are 0)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fp == 0:
            return 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fn == 0:
            return 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    per_page: dict[str, PageScore] = field(default_factory=dict)


def shingles(text: str, *, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """The multiset of ``size``-token shingles of ``text``, as the benchmark counts them."""
    tokens = _TOKEN.findall(text or "")
    grams = (tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))
    return Counter(gram for gram in grams if gram)


def score_page(*, prediction: str, truth: str) -> PageScore:
    """tp/fp/fn of one page's predicted body against its ground truth, normalised."""
    true_counts, pred_counts = shingles(truth), shingles(prediction)
    tp = fp = fn = 0.0
    for key in true_counts.keys() | pred_counts.keys():
        t, p = true_counts.get(key, 0), pred_counts.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(tp=tp, fp=fp, fn=fn)


def aggregate(per_page: Mapping[str, PageScore]) -> Score:
    """Average precision and recall over pages (as upstream: only where defined)."""
    precisions = [s.precision for s in per_page.values() if s.tp + s.fp > 0]
    recalls = [s.recall for s in per_page.values() if s.tp + s.fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision=precision, recall=recall, f1=f1, per_page=dict(per_page))


def score_pages(*, predictions: Mapping[str, str], truth: Mapping[str, str]) -> Score:
    """Score predicted bodies against ground-truth bodies, keyed by page id.

    Every id in ``truth`` is scored; a missing prediction counts as an empty body.
    """
    per_page = {
        page_id: score_page(prediction=predictions.get(page_id, "") or "", truth=body or "")
        for page_id, body in truth.items()
    }
    return aggregate(per_page)


def load_ground_truth(path: str) -> dict[str, str]:
    """``{id: articleBody}`` from a benchmark ``ground-truth.json``."""
    import json

    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return {page_id: entry.get("articleBody", "") for page_id, entry in data.items()}


def main() -> None:
    """Score a ``{id: body}`` (or ``{id: {"articleBody": body}}``) JSON file."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Article-extraction benchmark scoring")
    parser.add_argument("predictions", help="JSON file of predicted bodies keyed by page id")
    parser.add_argument("truth", help="the benchmark's ground-truth.json")
    args = parser.parse_args()
    with open(args.predictions, encoding="utf-8") as handle:
        raw = json.load(handle)
    predictions = {
        key: value.get("articleBody", "") if isinstance(value, dict) else value
        for key, value in raw.items()
    }
    score = score_pages(predictions=predictions, truth=load_ground_truth(args.truth))
    print(f"precision={score.precision:.4f} recall={score.recall:.4f} F1={score.f1:.4f}")


if __name__ == "__main__":
    main()
