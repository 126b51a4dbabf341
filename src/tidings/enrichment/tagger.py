"""The learned tagger: topics that sources and editors gave teach it to tag untagged stories.

One linear SVM per topic over sublinear TF-IDF word features (headline counted twice).
Decision thresholds come from 5-fold cross-validation on the training stories: one global
offset, then a per-topic threshold shrunk towards it by how many examples the topic has, so
rare topics do not get thresholds fitted to noise. A story none of whose topics clears its
threshold still gets its best topic when that one is close (Reuters-style stories nearly
always have a topic). The model is saved as plain arrays in an ``.npz`` (no pickle), and
each topic keeps only its strongest weights, so a model grows with its topics, not its
vocabulary; one story is tagged in about 3 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.model_selection import KFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from tidings.enrichment.types import TaggedText

WORD_PATTERN = r"(?u)\b\w\w+\b"
HEADLINE_WEIGHT = 2  # the headline is repeated: it says what the story is about
_OFFSET_GRID = np.round(np.arange(-0.6, 0.31, 0.05), 2)
NO_FALLBACK = 1e9  # a gap no margin clears: never force a topic
_GAP_GRID = (-0.3, -0.4, -0.5, -0.6, -0.7, -0.9, -9.0)


@dataclass(frozen=True, slots=True)
class TaggerSettings:
    """Knobs of training; the defaults are the ones measured in bench/tagging_reuters.py."""

    c: float = 1.0  # SVM regularisation
    min_df: int = 2  # a word must appear in two stories to enter the vocabulary
    max_features: int = 60_000
    folds: int = 5
    shrink: float = 5.0  # examples at which a topic's own threshold counts half
    beta: float = 1.0  # F-beta for threshold tuning; below 1 leans further to precision
    min_examples: int = 1  # topics with fewer tagged stories are not learned
    max_terms_per_topic: int = 5_000  # the rest of a topic's weights are dropped (lossless
    # on Reuters at 5,000: 0.8858 vs 0.8859 micro-F1), so size grows with topics, not vocab
    seed: int = 0


@dataclass(slots=True)
class TaggerModel:
    """A trained tagger: vocabulary, idf, one weight vector and threshold per topic."""

    vocabulary: np.ndarray  # terms (str), index = feature column
    idf: np.ndarray  # float32 per term
    topics: np.ndarray  # topic slugs (str), index = weight column
    weights: sparse.csc_matrix  # float32, terms x topics, at most max_terms_per_topic each
    intercepts: np.ndarray  # float32 per topic
    thresholds: np.ndarray  # float32 per topic, on the SVM margin
    fallback_gap: float  # best topic is still given when its margin - threshold exceeds this
    calibration: tuple[float, float]  # logistic a, b: confidence = sigmoid(a * z + b)
    _counter: CountVectorizer | None = field(default=None, init=False, repr=False, compare=False)

    def predict(self, *, text: str, headline: str = "") -> list[tuple[str, float]]:
        """The topics this story should carry, most confident first."""
        return self.predict_many(texts=[text], headlines=[headline])[0]

    def predict_many(
        self, *, texts: Sequence[str], headlines: Sequence[str] | None = None
    ) -> list[list[tuple[str, float]]]:
        heads = headlines if headlines is not None else [""] * len(texts)
        margins = self.margins(texts=texts, headlines=heads)
        z = margins - self.thresholds
        chosen = _decide(z, self.fallback_gap)
        a, b = self.calibration
        confidence = 1.0 / (1.0 + np.exp(-(a * z + b)))
        results = []
        for row in range(len(texts)):
            columns = np.flatnonzero(chosen[row])
            ranked = sorted(columns, key=lambda col: -z[row, col])
            results.append([(str(self.topics[c]), float(confidence[row, c])) for c in ranked])
        return results

    def margins(self, *, texts: Sequence[str], headlines: Sequence[str]) -> np.ndarray:
        if self._counter is None:  # building the vocabulary map costs more than a prediction
            self._counter = _counter_for(self.vocabulary)
        features = _weigh(self._counter.transform(_documents(texts, headlines)), self.idf)
        return np.asarray((features @ self.weights).todense()) + self.intercepts

    def top_terms(self, topic: str, n: int = 10) -> list[tuple[str, float]]:
        """The words that most push a story towards this topic (for the editor desk)."""
        matches = np.flatnonzero(self.topics == topic)
        if not len(matches):
            raise KeyError(topic)
        column = self.weights[:, matches[0]].toarray().ravel()
        best = np.argsort(-column)[:n]
        return [(str(self.vocabulary[i]), float(column[i])) for i in best if column[i] > 0]

    def save(self, path: Path | str) -> None:
        np.savez_compressed(
            path,
            vocabulary=self.vocabulary.astype(str),
            idf=self.idf,
            topics=self.topics.astype(str),
            weights_data=self.weights.data,
            weights_indices=self.weights.indices,
            weights_indptr=self.weights.indptr,
            weights_shape=np.asarray(self.weights.shape),
            intercepts=self.intercepts,
            thresholds=self.thresholds,
            fallback_gap=np.float32(self.fallback_gap),
            calibration=np.asarray(self.calibration, dtype=np.float32),
        )

    @classmethod
    def load(cls, path: Path | str) -> TaggerModel:
        with np.load(path, allow_pickle=False) as saved:
            return cls(
                vocabulary=saved["vocabulary"],
                idf=saved["idf"],
                topics=saved["topics"],
                weights=sparse.csc_matrix(
                    (saved["weights_data"], saved["weights_indices"], saved["weights_indptr"]),
                    shape=tuple(saved["weights_shape"]),
                ),
                intercepts=saved["intercepts"],
                thresholds=saved["thresholds"],
                fallback_gap=float(saved["fallback_gap"]),
                calibration=(float(saved["calibration"][0]), float(saved["calibration"][1])),
            )


def train_tagger(
    *, examples: Iterable[TaggedText], settings: TaggerSettings | None = None
) -> TaggerModel:
    """Learn one classifier per topic from tagged stories and tune its threshold by CV.

    Stories with no topics are kept as negatives for every topic.
    """
    settings = settings or TaggerSettings()
    stories = list(examples)
    topics = _learnable_topics(stories, settings.min_examples)
    if not topics:
        raise ValueError("no topic has enough tagged stories to learn from")
    labels = _label_matrix(stories, topics)
    documents = _documents([s.text for s in stories], [s.headline for s in stories])
    vocabulary, idf = _fit_vocabulary(documents, settings)
    features = _features(documents, vocabulary=vocabulary, idf=idf)
    weights, intercepts = _fit_svms(features, labels, settings.c)
    out_of_fold = _out_of_fold_margins(features, labels, settings)
    thresholds, gap = _tune_thresholds(out_of_fold, labels, settings)
    calibration = _fit_calibration(out_of_fold - thresholds, labels)
    return TaggerModel(
        vocabulary=vocabulary,
        idf=idf,
        topics=np.asarray(topics),
        weights=_keep_strongest(weights, settings.max_terms_per_topic),
        intercepts=intercepts,
        thresholds=thresholds.astype(np.float32),
        fallback_gap=gap,
        calibration=calibration,
    )


def _keep_strongest(weights: np.ndarray, per_topic: int) -> sparse.csc_matrix:
    """Each topic keeps only its largest weights (by size): bounded memory per topic."""
    if weights.shape[0] > per_topic:
        weak = np.argsort(-np.abs(weights), axis=0)[per_topic:]
        np.put_along_axis(weights, weak, 0.0, axis=0)
    return sparse.csc_matrix(weights, dtype=np.float32)


def _learnable_topics(stories: list[TaggedText], min_examples: int) -> list[str]:
    counts: dict[str, int] = {}
    for story in stories:
        for topic in set(story.topics):
            counts[topic] = counts.get(topic, 0) + 1
    return sorted(topic for topic, count in counts.items() if count >= min_examples)


def _label_matrix(stories: list[TaggedText], topics: list[str]) -> np.ndarray:
    column = {topic: i for i, topic in enumerate(topics)}
    labels = np.zeros((len(stories), len(topics)), dtype=bool)
    for row, story in enumerate(stories):
        for topic in story.topics:
            if topic in column:
                labels[row, column[topic]] = True
    return labels


def _documents(texts: Sequence[str], headlines: Sequence[str]) -> list[str]:
    return [
        (f"{headline.lower()}\n" * HEADLINE_WEIGHT if headline else "") + text
        for text, headline in zip(texts, headlines, strict=True)
    ]


def _fit_vocabulary(
    documents: list[str], settings: TaggerSettings
) -> tuple[np.ndarray, np.ndarray]:
    counter = CountVectorizer(
        token_pattern=WORD_PATTERN,
        min_df=min(settings.min_df, len(documents)),
        max_features=settings.max_features,
        dtype=np.float32,
    )
    counts = counter.fit_transform(documents)
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + len(documents)) / (1 + document_frequency)) + 1.0
    return counter.get_feature_names_out(), idf.astype(np.float32)


def _features(
    documents: list[str], *, vocabulary: np.ndarray, idf: np.ndarray
) -> sparse.csr_matrix:
    return _weigh(_counter_for(vocabulary).transform(documents), idf)


def _counter_for(vocabulary: np.ndarray) -> CountVectorizer:
    return CountVectorizer(
        token_pattern=WORD_PATTERN, vocabulary=vocabulary.tolist(), dtype=np.float32
    )


def _weigh(counts: sparse.spmatrix, idf: np.ndarray) -> sparse.csr_matrix:
    counts = sparse.csr_matrix(counts, dtype=np.float32)
    counts.data = 1.0 + np.log(counts.data)  # sublinear tf: the tenth mention adds little
    return normalize(sparse.csr_matrix(counts.multiply(idf)))


def _fit_svms(
    features: sparse.csr_matrix, labels: np.ndarray, c: float
) -> tuple[np.ndarray, np.ndarray]:
    weights = np.zeros((features.shape[1], labels.shape[1]), dtype=np.float32)
    intercepts = np.full(labels.shape[1], -1.0, dtype=np.float32)
    for column in range(labels.shape[1]):
        target = labels[:, column]
        if target.all() or not target.any():  # nothing to separate in this fold
            intercepts[column] = 1.0 if target.all() else -1.0
            continue
        svm = LinearSVC(C=c).fit(features, target)
        weights[:, column] = svm.coef_[0]
        intercepts[column] = svm.intercept_[0]
    return weights, intercepts


def _out_of_fold_margins(
    features: sparse.csr_matrix, labels: np.ndarray, settings: TaggerSettings
) -> np.ndarray:
    margins = np.zeros(labels.shape, dtype=np.float32)
    folds = KFold(
        n_splits=min(settings.folds, len(labels)), shuffle=True, random_state=settings.seed
    )
    for fit_rows, held_rows in folds.split(labels):
        weights, intercepts = _fit_svms(features[fit_rows], labels[fit_rows], settings.c)
        kept = _keep_strongest(weights, settings.max_terms_per_topic)  # as the model will be
        margins[held_rows] = np.asarray((features[held_rows] @ kept).todense()) + intercepts
    return margins


def _tune_thresholds(
    margins: np.ndarray, labels: np.ndarray, settings: TaggerSettings
) -> tuple[np.ndarray, float]:
    """Global offset first, then per-topic thresholds shrunk to it, then the fallback gap."""
    offset = _plateau_middle(lambda t: _f_beta(margins > t, labels, settings.beta))
    thresholds = np.empty(labels.shape[1])
    for column in range(labels.shape[1]):
        scores, truth = margins[:, column], labels[:, column]
        own = _plateau_middle(lambda t: _f_beta(scores > t, truth, settings.beta))  # noqa: B023
        positives = labels[:, column].sum()
        weight = positives / (positives + settings.shrink)
        thresholds[column] = weight * own + (1 - weight) * offset
    z = margins - thresholds
    if labels.any(axis=1).all():
        # Every training story has a topic, so CV cannot show what forcing one costs on
        # stories that have none; measured on Reuters, forcing then loses 1.3 points.
        return thresholds, NO_FALLBACK
    gap = max(_GAP_GRID, key=lambda g: _f_beta(_decide(z, g), labels, settings.beta))
    return thresholds, float(gap)


def _plateau_middle(quality: Callable[[float], float]) -> float:
    """The middle of the best stretch of the grid: ties on CV data say "anywhere in here"."""
    values = np.array([quality(float(t)) for t in _OFFSET_GRID])
    best = np.flatnonzero(values >= values.max() - 1e-9)
    return float(_OFFSET_GRID[best[len(best) // 2]])


def _f_beta(predicted: np.ndarray, labels: np.ndarray, beta: float) -> float:
    """Micro F-beta from counts."""
    true_positives = float(np.logical_and(predicted, labels).sum())
    if not true_positives:
        return 0.0
    precision = true_positives / float(predicted.sum())
    recall = true_positives / float(labels.sum())
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)


def _decide(z: np.ndarray, gap: float) -> np.ndarray:
    chosen = z > 0
    untagged = ~chosen.any(axis=1)
    if z.shape[1]:
        best = z.argmax(axis=1)
        close = untagged & (z[np.arange(len(z)), best] > gap)
        chosen[np.flatnonzero(close), best[close]] = True
    return chosen


def _fit_calibration(z: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling of the threshold-relative margin, pooled over topics."""
    from sklearn.linear_model import LogisticRegression

    flat_z, flat_y = z.ravel(), labels.ravel()
    if flat_y.all() or not flat_y.any():
        return (4.0, 0.0)
    platt = LogisticRegression(C=1.0).fit(flat_z.reshape(-1, 1), flat_y)
    return (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
