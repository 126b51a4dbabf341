"""The For-you blend: how the feed weighs the behavioural score against the reader's follows,
similar reads, popularity, freshness and "more/less like this".

A linear score over `BLEND_FEATURES`. Before there is data the weights are the hand-set
`DEFAULT_BLEND`; the nightly retrain fits a logistic regression of "opened within a day"
on the feature values logged with each For-you impression. The fit is pulled towards the
defaults (a Gaussian prior centred on them), so a feature the log says nothing about (say,
nobody has used "less like this" yet) keeps its default weight instead of falling to zero.

Position bias: the position a story was shown at is a training-only feature; its weight
soaks up "readers open what is on top" and is dropped at serving, where every candidate
would share the same value anyway.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

BLEND_FILE_VERSION = 1
BLEND_FEATURES = (
    "behaviour",  # the core scorer's rank within its pool, 0–1
    "follow",  # a followed topic, section, source or author
    "similar",  # shares a topic with the reader's latest read
    "popularity",  # most-read share, 0–1
    "freshness",  # exp(-age in hours / 24)
    "more_like_this",  # a topic or source of a story the reader asked more of
    "less_like_this_topic",  # a topic of a story the reader asked less of
    "less_like_this_source",
    "co_read",  # readers of the reader's latest read went on to it
)
# Exactly the weights For-you used before the blend was learned (co-reading had none).
DEFAULT_BLEND = {
    "behaviour": 1.0,
    "follow": 1.0,
    "similar": 0.6,
    "popularity": 0.4,
    "freshness": 0.5,
    "more_like_this": 0.3,
    "less_like_this_topic": -0.8,
    "less_like_this_source": -0.4,
    "co_read": 0.0,
}
MIN_OPENED_TO_LEARN = 100  # opened impressions; and as many ignored ones
MIN_IGNORED_TO_LEARN = 100
PRIOR_STRENGTH = 1.0  # precision of the prior around the defaults, per weight
NEWTON_STEPS = 50


@dataclass(frozen=True, slots=True)
class Blend:
    """Weights in `BLEND_FEATURES` order, and what they were learned from."""

    weights: tuple[float, ...] = tuple(DEFAULT_BLEND[name] for name in BLEND_FEATURES)
    name: str = "default"
    position_weight: float = 0.0
    intercept: float = 0.0
    opened: int = 0
    ignored: int = 0
    trained_at: str = ""

    def score(self, features: Sequence[float]) -> float:
        # Left to right, in feature order: with the default weights this is bit for bit the
        # sum For-you computed before, so a new site ranks exactly as it did.
        total = 0.0
        for weight, value in zip(self.weights, features, strict=True):
            total += weight * value
        return total

    def describe(self) -> str:
        named = ", ".join(
            f"{n} {w:+.3f}" for n, w in zip(BLEND_FEATURES, self.weights, strict=True)
        )
        if self.name == "default":
            return f"blend default: {named}"
        return (
            f"blend learned {self.trained_at} from {self.opened} opened and {self.ignored} "
            f"ignored impressions: {named} (position {self.position_weight:+.3f}, training only)"
        )


def blend_fit(
    *, features: np.ndarray, opened: np.ndarray, positions: np.ndarray, trained_at: str
) -> Blend | None:
    """Fit on logged impressions; None when there are too few opened or ignored ones."""
    positives = int(opened.sum())
    negatives = len(opened) - positives
    if positives < MIN_OPENED_TO_LEARN or negatives < MIN_IGNORED_TO_LEARN:
        return None
    columns = np.column_stack([features, np.log1p(positions), np.ones(len(opened))])
    prior = np.array([*Blend().weights, 0.0, 0.0])
    # The intercept is (almost) free: only the features' weights are pulled to the defaults.
    precision = np.array([PRIOR_STRENGTH] * (len(BLEND_FEATURES) + 1) + [1e-6])
    weights = _newton(columns, opened.astype(np.float64), prior, precision)
    if weights is None:
        return None
    return Blend(
        weights=tuple(round(float(w), 6) for w in weights[: len(BLEND_FEATURES)]),
        name="learned",
        position_weight=round(float(weights[-2]), 6),
        intercept=round(float(weights[-1]), 6),
        opened=positives,
        ignored=negatives,
        trained_at=trained_at,
    )


def _newton(
    x: np.ndarray, y: np.ndarray, prior: np.ndarray, precision: np.ndarray
) -> np.ndarray | None:
    """The MAP logistic regression with a Gaussian prior: Newton steps on a convex loss."""
    w = prior.copy()
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - y) + precision * (w - prior)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(precision)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if not np.all(np.isfinite(w)):
            return None
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def blend_save(*, blend: Blend, path: Path) -> None:
    """JSON, written to a temporary name and renamed: a web process never reads half a file."""
    record = {"version": BLEND_FILE_VERSION, "features": list(BLEND_FEATURES), **asdict(blend)}
    record["weights"] = dict(zip(BLEND_FEATURES, blend.weights, strict=True))
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(record, indent=1))
    os.replace(partial, path)


def blend_load(path: Path) -> Blend:
    """The stored blend, or the default when there is none or it is not one we can use."""
    try:
        record = json.loads(path.read_text())
        if record["version"] != BLEND_FILE_VERSION or record["features"] != list(BLEND_FEATURES):
            return Blend()
        weights = tuple(float(record["weights"][name]) for name in BLEND_FEATURES)
        position = float(record["position_weight"])
        blend = Blend(
            weights=weights,
            name="learned",
            position_weight=position,
            intercept=float(record["intercept"]),
            opened=int(record["opened"]),
            ignored=int(record["ignored"]),
            trained_at=str(record["trained_at"]),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return Blend()
    if not all(math.isfinite(w) for w in (*weights, position, blend.intercept)):
        return Blend()
    return blend
