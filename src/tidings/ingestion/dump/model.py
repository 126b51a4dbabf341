"""The body-line classifier: a small boosted-tree ensemble shipped as ``model.json``.

Trained by ``python -m tidings.ingestion.dump.train``; evaluated here with NumPy only, all
trees at once, so a page of a few hundred lines costs well under a millisecond of trees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tidings.ingestion.dump.features import FEATURE_NAMES

MODEL_PATH = Path(__file__).with_name("model.json")


@dataclass(frozen=True)
class LineModel:
    """Trees flattened into parallel arrays; leaves point at themselves so every tree can be
    walked the same fixed number of steps."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int
    bias: float
    threshold_body: float

    def probabilities(self, rows: list[list[float]]) -> np.ndarray:
        """P(line belongs to the article body) for each feature row."""
        if not rows:
            return np.zeros(0)
        matrix = np.asarray(rows, dtype=np.float64)
        nodes = np.broadcast_to(self.roots, (len(rows), len(self.roots))).copy()
        line_index = np.arange(len(rows))[:, None]
        for _ in range(self.depth):
            go_left = matrix[line_index, self.feature[nodes]] <= self.threshold[nodes]
            nodes = np.where(go_left, self.left[nodes], self.right[nodes])
        raw = self.bias + self.value[nodes].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-raw))


def model_from_json(data: dict) -> LineModel:
    """Rebuild the classifier from its JSON form, refusing one built for other features."""
    if list(data["features"]) != list(FEATURE_NAMES):
        raise ValueError("model.json was trained on a different feature list; retrain it")
    trees = data["trees"]
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    for tree in trees:
        offset = len(feature)
        roots.append(offset)
        for f, t, lo, hi, v in zip(
            tree["feature"],
            tree["threshold"],
            tree["left"],
            tree["right"],
            tree["value"],
            strict=True,
        ):
            leaf = lo < 0
            here = len(feature)
            feature.append(0 if leaf else f)
            threshold.append(np.inf if leaf else t)
            left.append(here if leaf else lo + offset)
            right.append(here if leaf else hi + offset)
            value.append(v if leaf else 0.0)
    return LineModel(
        feature=np.asarray(feature, dtype=np.intp),
        threshold=np.asarray(threshold, dtype=np.float64),
        left=np.asarray(left, dtype=np.intp),
        right=np.asarray(right, dtype=np.intp),
        value=np.asarray(value, dtype=np.float64),
        roots=np.asarray(roots, dtype=np.intp),
        depth=int(data["depth"]),
        bias=float(data["bias"]),
        threshold_body=float(data["threshold"]),
    )


@lru_cache(maxsize=1)
def line_model() -> LineModel:
    """The shipped classifier, read once per process."""
    with MODEL_PATH.open(encoding="utf-8") as handle:
        return model_from_json(json.load(handle))
