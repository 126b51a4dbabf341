"""Related-article score against human similarity ratings (Lee et al. 2005 news corpus).

    .venv/bin/python -m bench.related_similarity --lee-dir DIR

The Lee corpus is 50 short Australian news articles with every pair rated for similarity by
about ten people (averaged, 0..1), plus 300 background articles. It ships inside the gensim
wheel's test data (LGPL package; the corpus is the authors' research data), so it is not
copied here: `pip download gensim==4.4.0 --no-deps` and unzip `gensim/test/test_data/`
{lee.cor, lee_background.cor, similarities0-1.txt} into DIR. With gensim installed, DIR
defaults to its test_data folder.

Reports the Pearson correlation over the 1,225 pairs for plain TF-IDF cosine (background
IDF, the baseline), LSA fitted on the background (standing in for the site's own archive),
the word embeddings alone, and our `related_scores` as the site computes them (IDF from the
50-article pool, embeddings from the wordllama table; the background is not used). Then the
same through the interfaces: the 50 articles go into a fresh SQLite newsroom with
`tidings ingest --jsonl` (headline = first sentence, one source, one hour apart), `tidings
enrich` runs, and every pair's score is read from `GET /api/articles/{id}/related?limit=500`
(topics, story clusters and time then play their part too).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr
from sklearn.feature_extraction.text import TfidfVectorizer

from tidings.enrichment.related import related_scores
from tidings.enrichment.types import RelatedDoc
from tidings.enrichment.vectors import LsaVectoriser, content_terms, word_embeddings


def default_lee_dir() -> Path | None:
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "test" / "test_data"


def load(lee_dir: Path) -> tuple[list[str], list[str], np.ndarray]:
    def lines(name: str) -> list[str]:
        return [line.strip() for line in (lee_dir / name).read_text("latin-1").splitlines()]

    ratings = np.loadtxt(lee_dir / "similarities0-1.txt")
    ratings = ratings + ratings.T - np.diag(np.diag(ratings))  # file holds the upper triangle
    return lines("lee.cor"), lines("lee_background.cor"), ratings


def pearson_of(matrix: np.ndarray, ratings: np.ndarray) -> float:
    upper = np.triu_indices(len(ratings), 1)
    return float(pearsonr(matrix[upper], ratings[upper])[0])


def ours(docs: list[str]) -> np.ndarray:
    pool = [RelatedDoc(id=i, headline="", text=text) for i, text in enumerate(docs)]
    meanings = dict(enumerate(word_embeddings().transform(docs)))  # as stored by enrichment
    rows = [related_scores(article=doc, candidates=pool, meanings=meanings) for doc in pool]
    matrix = np.array(rows)
    return (matrix + matrix.T) / 2  # the pool's IDF is the same both ways; average rounding


def through_the_site(docs: list[str]) -> np.ndarray:
    """Ingest, enrich, and read every article's related scores from the API."""
    from bench.tagging_e2e import cli, newsroom_setup

    folder = newsroom_setup()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    lines = [
        {
            "external_id": f"lee-{i}",
            "headline": re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0][:200],
            "body_text": text,
            "source": "Lee corpus",
            "published": (start + timedelta(hours=i)).isoformat(),
        }
        for i, text in enumerate(docs)
    ]
    path = folder / "lee.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    stored = [json.loads(line) for line in cli("ingest", "--jsonl", str(path)).splitlines()]
    ids = {r["external_id"]: r["article_id"] for r in stored}
    print(f"  {cli('enrich').strip()}")
    from django.test import Client

    client = Client()
    position = {ids[f"lee-{i}"]: i for i in range(len(docs))}
    matrix = np.zeros((len(docs), len(docs)))
    for i in range(len(docs)):
        answer = client.get(f"/api/articles/{ids[f'lee-{i}']}/related?limit=500").json()
        for item in answer["items"]:
            matrix[i, position[item["id"]]] = item["score"]
    return (matrix + matrix.T) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lee-dir", type=Path, default=default_lee_dir())
    args = parser.parse_args()
    if args.lee_dir is None or not (args.lee_dir / "lee.cor").is_file():
        raise SystemExit("Lee corpus not found: see the module docstring for --lee-dir")
    docs, background, ratings = load(args.lee_dir)
    tfidf = TfidfVectorizer(
        tokenizer=content_terms, lowercase=False, token_pattern=None, sublinear_tf=True
    ).fit(background + docs)
    matrix = tfidf.transform(docs)
    baseline = pearson_of((matrix @ matrix.T).toarray(), ratings)
    print(f"TF-IDF cosine (background IDF)      {baseline:.3f}")
    lsa = LsaVectoriser(dimensions=200).fit(background)
    latent = lsa.transform(docs)
    print(f"LSA cosine (fitted on background)   {pearson_of(latent @ latent.T, ratings):.3f}")
    meaning = word_embeddings().transform(docs)
    print(f"word-embedding cosine               {pearson_of(meaning @ meaning.T, ratings):.3f}")
    print(f"related_scores (the site's score)   {pearson_of(ours(docs), ratings):.3f}")
    site = through_the_site(docs)
    print(f"GET /api/articles/{{id}}/related      {pearson_of(site, ratings):.3f}")


if __name__ == "__main__":
    main()
