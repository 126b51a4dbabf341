"""Refitting the shared models from the newsroom's own stories (`tidings enrich --retrain`).

The tagger learns from what sources and editors tagged, after the editors' merges and
blocks. A story whose source gave an empty topic list ("tagged by the source: none") is a
negative for every topic; a story whose source said nothing about topics teaches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tidings.articles.enrich import alias_index, tagged_topic_slugs
from tidings.articles.models import Article, ArticleTopic
from tidings.enrichment.aliases import training_topics
from tidings.enrichment.tagger import TaggerModel, train_tagger
from tidings.enrichment.types import TaggedText
from tidings.enrichment.vectors import LsaVectoriser
from tidings.search import state
from tidings.search.models import EnrichmentModel

VECTORISER_FIT_LIMIT = 30_000  # the newest stories teach the vectoriser; bounded memory


@dataclass(frozen=True, slots=True)
class RetrainReport:
    stories: int
    negatives: int
    topics: int
    tagger_version: int
    vectoriser_version: int


def tagger_examples() -> list[TaggedText]:
    """Every story a source or an editor tagged (or said had no topic), with its topics."""
    editor_tagged = ArticleTopic.objects.filter(origin=ArticleTopic.Origin.EDITOR).values(
        "article_id"
    )
    stories = Article.objects.filter(Q(topics_from_source=True) | Q(pk__in=editor_tagged))
    rows = list(stories.order_by("pk").values_list("pk", "headline", "body_text", "standfirst"))
    given = tagged_topic_slugs(article_ids=[row[0] for row in rows])
    index = alias_index()
    return [
        TaggedText(
            text=body or standfirst or headline,
            topics=training_topics(slugs=given.get(pk, ()), index=index),
            headline=headline,
        )
        for pk, headline, body, standfirst in rows
    ]


def tagger_retrain() -> tuple[TaggerModel | None, int, int]:
    """Train and store a new tagger; (model, stories, negatives). None without tagged stories."""
    examples = tagger_examples()
    if not any(example.topics for example in examples):
        return None, len(examples), 0
    model = train_tagger(examples=examples)
    state.run_locked(
        name=EnrichmentModel.Name.TAGGER,
        change=lambda row: state.model_save(row=row, model=model, encode=state.encode_tagger),
    )
    negatives = sum(1 for example in examples if not example.topics)
    return model, len(examples), negatives


def vectoriser_refit() -> LsaVectoriser | None:
    """Fit the LSA vectoriser on the newest stories; None while there are fewer than three."""
    rows = Article.objects.order_by("-published_at", "-pk").values_list(
        "headline", "body_text", "standfirst"
    )[:VECTORISER_FIT_LIMIT]
    texts = [f"{headline}\n{body or standfirst}" for headline, body, standfirst in rows]
    if len(texts) < 3:
        return None
    vectoriser = LsaVectoriser().fit(texts)
    state.run_locked(
        name=EnrichmentModel.Name.VECTORISER,
        change=lambda row: state.model_save(
            row=row, model=vectoriser, encode=state.encode_vectoriser
        ),
    )
    return vectoriser


def models_retrain() -> RetrainReport:
    """Retrain the tagger and refit the vectoriser (the caller then re-enriches everything)."""
    model, stories, negatives = tagger_retrain()
    vectoriser_refit()
    return RetrainReport(
        stories=stories,
        negatives=negatives,
        topics=0 if model is None else len(model.topics),
        tagger_version=state.model_version(name=EnrichmentModel.Name.TAGGER),
        vectoriser_version=state.model_version(name=EnrichmentModel.Name.VECTORISER),
    )
