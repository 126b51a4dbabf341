"""Scorers: a sane default before there is data, and a model learned from the click log.

The learned scorer is a gradient-boosted tree classifier (scikit-learn's histogram GBM) on
(context, candidate, clicked) rows sampled from the log: for a sample of clicks, the pool
the ranker would have scored just before the click, labelled by which candidate was opened.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import ThreadpoolController

from tidings.ranking.features import FEATURE_NAMES

MODEL_FILE_VERSION = 1
# Created once: inspecting the loaded libraries costs milliseconds, limiting then costs µs.
_THREADS = ThreadpoolController()

# Before any training: follow the session, then what is popular now and new.
DEFAULT_WEIGHTS = {
    "after_last": 1.0,
    "after_last_share": 2.0,
    "near_last": 0.5,
    "after_session": 0.3,
    "near_session": 0.3,
    "near_reader": 0.2,
    "popularity_short": 0.6,
    "popularity_medium": 0.2,
    "age_hours": -0.3,
    "minutes_since_last_click": -0.3,
    "read_by_reader": -1.0,
}


class Scorer(Protocol):
    @property
    def name(self) -> str: ...

    def score(self, features: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class DefaultScorer:
    """Hand-set weights, used only until a model has been trained."""

    name: str = "default"
    weights: np.ndarray = field(
        default_factory=lambda: np.array(
            [DEFAULT_WEIGHTS.get(name, 0.0) for name in FEATURE_NAMES], dtype=np.float32
        )
    )

    def score(self, features: np.ndarray) -> np.ndarray:
        return features @ self.weights


@dataclass(frozen=True)
class LearnedScorer:
    """A classifier's click probability as the score."""

    estimator: HistGradientBoostingClassifier
    feature_names: tuple[str, ...] = FEATURE_NAMES
    name: str = "learned"

    def score(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0)
        # One thread: OpenMP workers spin badly when the cores are shared, and the replay
        # already scores large batches.
        with _THREADS.limit(limits=1, user_api="openmp"):
            return self.estimator.predict_proba(features)[:, 1]

    def save(self, path: Path) -> None:
        with Path(path).open("wb") as stream:
            pickle.dump((MODEL_FILE_VERSION, self), stream, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: Path) -> LearnedScorer:
        """Load a model file this code wrote (pickle: only ever open our own files)."""
        with Path(path).open("rb") as stream:
            version, scorer = pickle.load(stream)  # noqa: S301 - our own model file
        if version != MODEL_FILE_VERSION or scorer.feature_names != FEATURE_NAMES:
            raise ValueError(f"{path} was trained for other features; retrain it")
        return scorer


MIN_CLICKS_TO_LEARN = 200  # below this a tree model is noise; the default is saner


def scorer_train(*, features: np.ndarray, clicked: np.ndarray, seed: int = 0) -> Scorer:
    """Fit on sampled rows; with too few clicks (or no negatives), keep the default."""
    positives = int(clicked.sum()) if len(clicked) else 0
    if positives < MIN_CLICKS_TO_LEARN or positives == len(clicked):
        return DefaultScorer()
    estimator = HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.1,
        max_leaf_nodes=31,
        min_samples_leaf=50,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=seed,
    )
    with _THREADS.limit(limits=1, user_api="openmp"):
        estimator.fit(features, clicked)
    return LearnedScorer(estimator=estimator)
