"""The LSA vectoriser, the word embeddings and the in-process vector index."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from tidings.enrichment.vectors import (
    LsaVectoriser,
    NumpyVectorIndex,
    Vectoriser,
    WordEmbeddingVectoriser,
    content_terms,
    story_markers,
)

QUAKE = "A magnitude 6.5 earthquake struck Mendocino County in California on Sunday."
STORIES = [
    "The central bank raised interest rates by half a point to fight inflation.",
    "Inflation pushed the central bank to lift interest rates again on Thursday.",
    "Bond markets fell after the central bank signalled more interest rate rises.",
    "The striker scored twice as the home team won the cup final.",
    "A late goal from the striker settled the cup final for the home side.",
    "The coach praised his team after the final whistle of the cup match.",
    QUAKE,
    "The earthquake in Mendocino County damaged roads; no deaths were reported.",
    "Aftershocks rattled California a day after the Mendocino earthquake.",
]


@pytest.fixture(scope="module")
def fitted() -> LsaVectoriser:
    return LsaVectoriser(dimensions=8).fit(STORIES)


def test_vectors_are_unit_length_float32(fitted: LsaVectoriser) -> None:
    """Rows come back L2-normalised float32 of the fitted width, so dot product = cosine."""
    rows = fitted.transform(STORIES)
    assert rows.dtype == np.float32
    assert rows.shape == (len(STORIES), fitted.dim)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert isinstance(fitted, Vectoriser)


def test_same_subject_is_nearer_than_another_subject(fitted: LsaVectoriser) -> None:
    """A new rates story lands nearer the rates stories than the football ones."""
    new = fitted.transform(["The central bank left interest rates unchanged as inflation eased."])
    rows = fitted.transform(STORIES)
    similarity = rows @ new[0]
    assert similarity[:3].mean() > similarity[3:6].mean() + 0.2


def test_save_and_load_give_the_same_vectors(fitted: LsaVectoriser, tmp_path) -> None:
    """A saved vectoriser transforms exactly as before (new articles need no refit)."""
    path = tmp_path / "lsa.pickle"
    fitted.save(path)
    again = LsaVectoriser.load(path)
    assert np.allclose(again.transform(STORIES), fitted.transform(STORIES))


def test_unfitted_vectoriser_refuses_to_transform() -> None:
    with pytest.raises(RuntimeError):
        LsaVectoriser().transform(["text"])


def test_index_finds_nearest_and_honours_exclude(fitted: LsaVectoriser) -> None:
    """The index returns the closest ids best first and skips the excluded ones."""
    index = NumpyVectorIndex(dim=fitted.dim)
    index.add(ids=list(range(100, 100 + len(STORIES))), vectors=fitted.transform(STORIES))
    query = fitted.transform([QUAKE])[0]
    hits = index.search(vector=query, k=3)
    assert hits[0][0] == 106
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert {hit[0] for hit in hits} <= {106, 107, 108, 103, 104, 105, 100, 101, 102}
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(hits))
    without = index.search(vector=query, k=2, exclude=[106])
    assert 106 not in {hit[0] for hit in without}
    assert {hit[0] for hit in without} == {107, 108}


def test_index_replaces_a_revised_article() -> None:
    index = NumpyVectorIndex(dim=2)
    index.add(ids=[1, 2], vectors=np.array([[1.0, 0.0], [0.0, 1.0]]))
    index.add(ids=[1], vectors=np.array([[0.0, 1.0]]))
    assert len(index) == 2
    assert index.search(vector=np.array([1.0, 0.0]), k=1)[0][1] == pytest.approx(0.0)


def test_story_markers_find_names_and_figures() -> None:
    markers = story_markers(QUAKE + " Governor Jerry Brown visited.")
    assert {"mendocino", "mendocino county", "california", "6.5", "jerry brown"} <= markers
    assert "a" not in markers and "sunday" not in markers


def test_content_terms_drop_stop_words() -> None:
    assert content_terms("The Bank said it would RAISE rates") == ["bank", "raise", "rates"]


def test_word_embeddings_load_offline_and_know_synonyms() -> None:
    """The table ships in the wordllama wheel: loaded with the network unreachable, and it
    puts an earthquake story nearer a quake story than a budget story (no shared words)."""
    backend = WordEmbeddingVectoriser()
    rows = backend.transform(
        [
            "Earthquake shakes the coast",
            "A strong quake hit overnight",
            "Budget vote in parliament",
            "",
        ]
    )
    assert rows.shape == (4, backend.dim)
    assert np.allclose(np.linalg.norm(rows[:3], axis=1), 1.0, atol=1e-5)
    assert not rows[3].any()  # no text, no direction
    assert rows[0] @ rows[1] > rows[0] @ rows[2]
    assert backend.fit(["ignored"]) is backend


def test_word_embeddings_say_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="cannot load the word embeddings"):
        WordEmbeddingVectoriser(folder=tmp_path)
