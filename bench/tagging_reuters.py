"""Tagging benchmark: Reuters-21578, ModApte split, the 90 topics with a train and a test story.

    .venv/bin/python -m bench.tagging_reuters [--data ../shared/data] [--quick]

Protocol (Lewis split, the usual "R(90)"): training stories are LEWISSPLIT=TRAIN with
TOPICS=YES (9,603), test stories LEWISSPLIT=TEST with TOPICS=YES (3,299). The label set is
the 90 TOPICS categories with at least one training and one test story; labels outside it
are dropped. Stories left without a label stay in both sets (negatives for every topic), as
an ingest of "all ModApte stories" would leave them. Micro- and macro-F1 are reported on
all 3,299 test stories and, for comparison with papers that use the reduced set (the NLTK
corpus), on the 3,019 test stories with at least one of the 90 labels.

The core, ``evaluate_tagging``, takes plain train/test lists so the end-to-end path
(``tidings ingest --jsonl`` → ``tidings enrich --retrain`` → API) can score its own
predictions with the same code.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC

from tidings.enrichment.tagger import train_tagger
from tidings.enrichment.types import TaggedText

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
CORPUS = Path("articles/reuters21578/derived_reuters21578.jsonl.gz")

Predictor = Callable[[Sequence[TaggedText]], list[set[str]]]


@dataclass(frozen=True, slots=True)
class Scores:
    micro_f1: float
    macro_f1: float
    micro_f1_labelled: float  # on test stories with at least one label
    macro_f1_labelled: float


@dataclass(frozen=True, slots=True)
class TaggingRun:
    name: str
    scores: Scores
    train_seconds: float
    predictions_per_second: float


def read_modapte(data: Path) -> tuple[list[TaggedText], list[TaggedText], list[str]]:
    """ModApte train and test stories, labels restricted to the 90 shared topics."""
    train: list[TaggedText] = []
    test: list[TaggedText] = []
    with gzip.open(data / CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["topics_attr"] != "YES" or record["lewissplit"] not in ("TRAIN", "TEST"):
                continue
            story = TaggedText(
                text=record["body"] or "",
                topics=tuple(record["topics"]),
                headline=(record["title"] or "").strip(),
            )
            (train if record["lewissplit"] == "TRAIN" else test).append(story)
    shared = sorted(_topic_counts(train).keys() & _topic_counts(test).keys())
    return _restrict(train, shared), _restrict(test, shared), shared


def _topic_counts(stories: list[TaggedText]) -> Counter[str]:
    return Counter(topic for story in stories for topic in story.topics)


def _restrict(stories: list[TaggedText], topics: list[str]) -> list[TaggedText]:
    keep = set(topics)
    return [
        TaggedText(text=s.text, headline=s.headline, topics=tuple(t for t in s.topics if t in keep))
        for s in stories
    ]


def score(
    *, gold: Sequence[Sequence[str]], predicted: Sequence[set[str]], topics: list[str]
) -> Scores:
    binarizer = MultiLabelBinarizer(classes=topics)
    truth = binarizer.fit_transform(gold).astype(bool)
    guess = binarizer.transform([[t for t in p if t in topics] for p in predicted]).astype(bool)
    labelled = truth.any(axis=1)
    return Scores(
        micro_f1=_micro(truth, guess),
        macro_f1=_macro(truth, guess),
        micro_f1_labelled=_micro(truth[labelled], guess[labelled]),
        macro_f1_labelled=_macro(truth[labelled], guess[labelled]),
    )


def _micro(truth: np.ndarray, guess: np.ndarray) -> float:
    true_positives = np.logical_and(truth, guess).sum()
    return float(2 * true_positives / max(1, truth.sum() + guess.sum()))


def _macro(truth: np.ndarray, guess: np.ndarray) -> float:
    true_positives = np.logical_and(truth, guess).sum(axis=0)
    denominators = truth.sum(axis=0) + guess.sum(axis=0)
    per_topic = np.where(denominators > 0, 2 * true_positives / np.maximum(denominators, 1), 0.0)
    return float(per_topic.mean())


def ours(train: Sequence[TaggedText]) -> Predictor:
    model = train_tagger(examples=train)

    def predict(stories: Sequence[TaggedText]) -> list[set[str]]:
        found = model.predict_many(
            texts=[s.text for s in stories], headlines=[s.headline for s in stories]
        )
        return [{slug for slug, _ in tags} for tags in found]

    return predict


def ours_without_untagged(train: Sequence[TaggedText]) -> Predictor:
    """Trained only on stories that carry a topic: what a retrain sees if stories ingested
    with an empty topic list cannot be told from stories ingested without one."""
    return ours([story for story in train if story.topics])


def baseline(train: Sequence[TaggedText]) -> Predictor:
    """Plain TF-IDF + one-vs-rest LinearSVC, default thresholds (the textbook baseline)."""
    topics = sorted({t for s in train for t in s.topics})
    binarizer = MultiLabelBinarizer(classes=topics)
    vectoriser = TfidfVectorizer(sublinear_tf=True)
    features = vectoriser.fit_transform([f"{s.headline}\n{s.text}" for s in train])
    svm = OneVsRestClassifier(LinearSVC()).fit(
        features, binarizer.fit_transform([s.topics for s in train])
    )

    def predict(stories: Sequence[TaggedText]) -> list[set[str]]:
        guesses = svm.predict(vectoriser.transform([f"{s.headline}\n{s.text}" for s in stories]))
        return [{topics[i] for i in np.flatnonzero(row)} for row in guesses]

    return predict


def evaluate_tagging(
    *,
    name: str,
    learn: Callable[[Sequence[TaggedText]], Predictor],
    train: Sequence[TaggedText],
    test: Sequence[TaggedText],
    topics: list[str],
) -> TaggingRun:
    """Train with ``learn`` on ``train``, predict ``test`` and score against its topics."""
    started = time.perf_counter()
    predict = learn(train)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = predict(test)
    per_second = len(test) / max(1e-9, time.perf_counter() - started)
    scores = score(gold=[s.topics for s in test], predicted=predicted, topics=topics)
    return TaggingRun(name, scores, train_seconds, per_second)


def _print_run(run: TaggingRun) -> None:
    s = run.scores
    print(
        f"{run.name:<22} micro-F1 {s.micro_f1:.4f}  macro-F1 {s.macro_f1:.4f}  "
        f"| labelled only: micro {s.micro_f1_labelled:.4f} macro {s.macro_f1_labelled:.4f}  "
        f"| train {run.train_seconds:.1f} s  predict {run.predictions_per_second:,.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=1, help="runs; medians are reported")
    args = parser.parse_args()
    train, test, topics = read_modapte(args.data)
    print(f"ModApte: {len(train)} train, {len(test)} test stories, {len(topics)} topics")
    learners = (
        ("tf-idf+LinearSVC", baseline),
        ("tidings tagger", ours),
        ("tagger, tagged only", ours_without_untagged),
    )
    for name, learn in learners:
        runs = [
            evaluate_tagging(name=name, learn=learn, train=train, test=test, topics=topics)
            for _ in range(args.repeat)
        ]
        _print_run(_median_run(runs))


def _median_run(runs: list[TaggingRun]) -> TaggingRun:
    return TaggingRun(
        runs[0].name,
        runs[0].scores,  # scores are deterministic across runs
        statistics.median(r.train_seconds for r in runs),
        statistics.median(r.predictions_per_second for r in runs),
    )


if __name__ == "__main__":
    main()
