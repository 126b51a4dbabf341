"""Near-duplicates: the same story syndicated or re-published with small edits.

MinHash over 5-word shingles of the normalised body estimates the Jaccard similarity of two
texts; locality-sensitive hashing (bands of rows) finds the candidates without comparing
every pair. The signature is 128 32-bit minimums (512 bytes), cheap to store on an article.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

PERMUTATIONS = 128
SHINGLE_WORDS = 5
# (a * x + b) mod p with p = 2^31 - 1: a, x < 2^31 keeps the product inside uint64, and the
# modulus must really wrap, or every "permutation" would keep the same smallest shingle.
_PRIME = np.uint64((1 << 31) - 1)
_SEEDS = np.random.default_rng(20_240_521)
# Fixed coefficients so signatures stored yesterday still compare with today's.
_A = _SEEDS.integers(1, (1 << 31) - 1, size=PERMUTATIONS, dtype=np.uint64)
_B = _SEEDS.integers(0, (1 << 31) - 1, size=PERMUTATIONS, dtype=np.uint64)
_AGENCY_TAIL = re.compile(r"\b(reuters?|afp|ap|dpa)\s*$")


def shingles(*, text: str, words: int = SHINGLE_WORDS) -> set[str]:
    """Overlapping word n-grams of the lower-cased text (whole text if it is shorter)."""
    tokens = re.findall(r"\w+", _AGENCY_TAIL.sub("", text.lower().strip()))
    if len(tokens) < words:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + words]) for i in range(len(tokens) - words + 1)}


def signature(*, text: str) -> bytes:
    """The MinHash signature of a text: PERMUTATIONS little-endian uint32 values."""
    found = shingles(text=text)
    if not found:
        return np.full(PERMUTATIONS, 0xFFFFFFFF, dtype="<u4").tobytes()
    hashed = np.fromiter(
        (zlib.crc32(shingle.encode()) for shingle in found), dtype=np.uint64, count=len(found)
    )
    permuted = (np.outer(hashed % _PRIME, _A) + _B) % _PRIME
    return permuted.min(axis=0).astype("<u4").tobytes()


def estimated_jaccard(first: bytes, second: bytes) -> float:
    """Share of equal minimums: an unbiased estimate of the shingle-set Jaccard."""
    a = np.frombuffer(first, dtype="<u4")
    b = np.frombuffer(second, dtype="<u4")
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


@dataclass(slots=True)
class NearDuplicateIndex:
    """LSH over MinHash signatures; `query` returns ids whose estimated Jaccard clears the bar.

    32 bands of 4 rows catch pairs from about J=0.5 up with high probability; the estimate
    on the full signature then removes the chance collisions.
    """

    threshold: float = 0.7
    bands: int = 32
    signatures: dict[int, bytes] = field(default_factory=dict)
    _buckets: list[dict[bytes, list[int]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if PERMUTATIONS % self.bands:
            raise ValueError(f"bands must divide {PERMUTATIONS}")
        self._buckets = [{} for _ in range(self.bands)]

    def __len__(self) -> int:
        return len(self.signatures)

    def add(self, *, article_id: int, signature: bytes) -> None:
        if article_id in self.signatures:
            return
        self.signatures[article_id] = signature
        for band, key in enumerate(self._band_keys(signature)):
            self._buckets[band].setdefault(key, []).append(article_id)

    def query(self, *, signature: bytes, threshold: float | None = None) -> list[tuple[int, float]]:
        """Stored articles that are near-duplicates of `signature`, most similar first."""
        bar = self.threshold if threshold is None else threshold
        candidates = set(self._candidates(signature))
        scored = ((i, estimated_jaccard(signature, self.signatures[i])) for i in candidates)
        return sorted((hit for hit in scored if hit[1] >= bar), key=lambda hit: (-hit[1], hit[0]))

    def _candidates(self, signature: bytes) -> Iterable[int]:
        for band, key in enumerate(self._band_keys(signature)):
            yield from self._buckets[band].get(key, ())

    def _band_keys(self, signature: bytes) -> Iterable[bytes]:
        width = len(signature) // self.bands
        return (signature[i * width : (i + 1) * width] for i in range(self.bands))
