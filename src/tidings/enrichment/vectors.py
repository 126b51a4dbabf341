"""Vector representations of articles behind one interface, and an in-process vector index.

The default, `LsaVectoriser`, needs no model download: TF-IDF over words and bigrams is
reduced by truncated SVD (latent semantic analysis) fitted on the site's own articles. New
articles are only transformed (milliseconds); a job refits it as the archive grows.
`WordEmbeddingVectoriser` is the sentence-embedding backend: a small model shipped inside a
PyPI package (wordllama), read offline, nothing fitted; "Read more" scores blend its cosine
with the stories' own wording (`enrichment.related`).

Both return L2-normalised float32 rows, so a dot product is a cosine.
"""

from __future__ import annotations

import importlib.util
import io
import os
import pickle
import re
from collections.abc import Iterable, Sequence
from functools import cache
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


class WordEmbeddingVectoriser:
    """Static sentence embeddings: the mean of WordLlama's token vectors (256 dimensions).

    The table (LLaMA-2 tokenizer, 32,000 tokens, "l2_supercat", MIT licence) ships inside the
    `wordllama` wheel, a base dependency, and is read from those files: nothing is downloaded
    (wordllama's own loader would fetch the tokenizer from the Hugging Face hub) and nothing
    is fitted. It knows what words mean from a large model's training, which an archive of a
    few articles cannot teach LSA: on the Lee news-similarity ratings the cosine of these
    vectors alone reaches Pearson 0.68 against 0.59 for TF-IDF (bench/README.md). About a
    millisecond per 4,000-character story; the table takes 16 MB.
    """

    dim = 256
    TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
    WEIGHTS = "weights/l2_supercat_256.safetensors"

    def __init__(self, *, folder: Path | None = None, max_chars: int = 8_000):
        # One thread per call: web and job processes fork, and Rust threads started before
        # a fork would make tokenizers disable itself with a warning on every process.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or _wordllama_folder()
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / self.TOKENIZER))
            table = load_file(str(folder / self.WEIGHTS))["embedding.weight"]
        except Exception as error:  # tokenizers raises plain Exception on a bad file
            raise RuntimeError(f"cannot load the word embeddings from {folder}: {error}") from error
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.table = np.ascontiguousarray(table, dtype=np.float16)
        self.max_chars = max_chars

    def fit(self, texts: Sequence[str]) -> WordEmbeddingVectoriser:
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not len(texts):
            return rows
        encoded = self.tokenizer.encode_batch(
            [text[: self.max_chars] for text in texts], add_special_tokens=False
        )
        for position, encoding in enumerate(encoded):
            if encoding.ids:
                rows[position] = self.table[encoding.ids].mean(axis=0, dtype=np.float32)
        return normalise_rows(rows)


def _wordllama_folder() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the word embeddings need the package wordllama (a base dependency)")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def word_embeddings() -> WordEmbeddingVectoriser:
    """This process's one copy of the embedding table (loaded on first use, ~0.2 s)."""
    return WordEmbeddingVectoriser()


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
