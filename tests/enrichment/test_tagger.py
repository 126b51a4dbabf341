"""The learned tagger: trained from source and editor tags, it tags untagged stories."""

from __future__ import annotations

import random
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from bench.tagging_reuters import read_modapte, score

from tidings.enrichment.tagger import TaggerModel, TaggerSettings, train_tagger
from tidings.enrichment.types import TaggedText

DESKS = {
    "football": [
        "striker",
        "goal",
        "penalty",
        "league",
        "midfielder",
        "referee",
        "keeper",
        "stadium",
        "fans",
        "coach",
    ],
    "markets": [
        "shares",
        "index",
        "stocks",
        "investors",
        "bond",
        "yields",
        "traders",
        "earnings",
        "dividend",
        "rally",
    ],
    "weather": [
        "storm",
        "rain",
        "forecast",
        "flooding",
        "temperatures",
        "winds",
        "snow",
        "heatwave",
        "drought",
        "frost",
    ],
}
FILLER = [
    "the",
    "a",
    "said",
    "on",
    "in",
    "after",
    "before",
    "with",
    "new",
    "report",
    "week",
    "people",
    "city",
    "officials",
]


def _story(rng: random.Random, topics: tuple[str, ...]) -> TaggedText:
    words = [rng.choice(FILLER) for _ in range(25)]
    for topic in topics:
        words += [rng.choice(DESKS[topic]) for _ in range(8)]
    rng.shuffle(words)
    return TaggedText(text=" ".join(words), topics=topics, headline=" ".join(words[:5]))


def _desk_stories(seed: int, count: int) -> list[TaggedText]:
    rng = random.Random(seed)
    choices: list[tuple[str, ...]] = [("football",), ("markets",), ("weather",), ()]
    choices.append(("markets", "weather"))
    return [_story(rng, rng.choice(choices)) for _ in range(count)]


@pytest.fixture(scope="module")
def desk_model() -> TaggerModel:
    return train_tagger(examples=_desk_stories(seed=1, count=300))


def test_tagger_tags_unseen_stories_of_each_desk(desk_model: TaggerModel) -> None:
    unseen = _desk_stories(seed=2, count=100)
    predicted = desk_model.predict_many(
        texts=[s.text for s in unseen], headlines=[s.headline for s in unseen]
    )
    exact = sum(
        {slug for slug, _ in tags} == set(s.topics)
        for s, tags in zip(unseen, predicted, strict=False)
    )
    assert exact >= 90


def test_predictions_are_confident_ranked_and_explainable(desk_model: TaggerModel) -> None:
    tags = desk_model.predict(text="storm winds and flooding after heavy rain, forecast says")
    assert [slug for slug, _ in tags] == ["weather"]
    assert 0.5 < tags[0][1] < 1.0
    top_words = [word for word, weight in desk_model.top_terms("football", 5)]
    assert set(top_words) <= set(DESKS["football"]) and len(top_words) == 5
    with pytest.raises(KeyError):
        desk_model.top_terms("cricket")


def test_a_story_about_nothing_the_tagger_knows_gets_no_topic(desk_model: TaggerModel) -> None:
    assert desk_model.predict(text="the officials said in a new report on people of the city") == []


def test_saved_model_is_plain_arrays_and_loads_to_the_same_predictions(
    desk_model: TaggerModel, tmp_path: Path
) -> None:
    path = tmp_path / "tagger.npz"
    desk_model.save(path)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():  # allow_pickle=False would refuse object arrays
            with archive.open(name) as member:
                assert np.lib.format.read_array(member, allow_pickle=False) is not None
    loaded = TaggerModel.load(path)
    for story in _desk_stories(seed=3, count=20):
        assert loaded.predict(text=story.text) == desk_model.predict(text=story.text)


def test_training_needs_at_least_one_tagged_story() -> None:
    with pytest.raises(ValueError, match="no topic"):
        train_tagger(examples=[TaggedText(text="an untagged story", topics=())])


def test_rare_topics_below_min_examples_are_not_learned() -> None:
    stories = [
        *_desk_stories(seed=4, count=120),
        TaggedText(text="a single story about chess openings", topics=("chess",)),
    ]
    model = train_tagger(examples=stories, settings=TaggerSettings(min_examples=2, folds=3))
    assert "chess" not in set(model.topics.tolist())


def test_reuters_top_ten_topics_reach_the_floor(shared_data: Path) -> None:
    """ModApte, the ten most frequent topics: measured micro-F1 0.93; floor 0.90."""
    train, test, _ = read_modapte(shared_data)
    counts = Counter(topic for story in train for topic in story.topics)
    top_ten = sorted(topic for topic, _ in counts.most_common(10))
    train = [_only(story, top_ten) for story in train]
    test = [_only(story, top_ten) for story in test]
    model = train_tagger(examples=train)
    predicted = model.predict_many(
        texts=[s.text for s in test], headlines=[s.headline for s in test]
    )
    result = score(
        gold=[s.topics for s in test],
        predicted=[{slug for slug, _ in tags} for tags in predicted],
        topics=top_ten,
    )
    assert result.micro_f1 >= 0.90
    assert result.macro_f1 >= 0.75
    assert ("wheat", "grain")[0] in {w for w, _ in model.top_terms("wheat", 5)}


def _only(story: TaggedText, topics: list[str]) -> TaggedText:
    kept = tuple(topic for topic in story.topics if topic in topics)
    return TaggedText(text=story.text, topics=kept, headline=story.headline)


def test_a_model_that_never_saw_an_untagged_story_does_not_force_a_topic() -> None:
    tagged_only = [story for story in _desk_stories(seed=5, count=200) if story.topics]
    model = train_tagger(examples=tagged_only, settings=TaggerSettings(folds=3))
    assert model.predict(text="the officials said in a new report on people of the city") == []
    assert [slug for slug, _ in model.predict(text="striker scores a penalty goal")] == ["football"]


def test_each_topic_keeps_only_its_strongest_words() -> None:
    model = train_tagger(
        examples=_desk_stories(seed=6, count=200),
        settings=TaggerSettings(max_terms_per_topic=6, folds=3),
    )
    assert max(np.diff(model.weights.indptr)) <= 6
    assert [slug for slug, _ in model.predict(text="shares rally as bond yields fall")] == [
        "markets"
    ]
