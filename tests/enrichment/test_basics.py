"""Story basics: language, reading time, keyphrases and the summary line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tidings.enrichment.basics import (
    detect_language,
    keyphrases,
    language_by_stop_words,
    reading_minutes,
    summary_line,
)

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = {
    "en": "The central bank said on Tuesday that it would keep interest rates on hold for now.",
    "fr": "La banque centrale a déclaré mardi qu'elle maintiendrait ses taux pour le moment.",
    "de": "Die Zentralbank sagte am Dienstag, dass sie die Zinsen vorerst nicht verändern werde.",
    "es": "El banco central dijo el martes que mantendría las tasas por ahora sin cambios.",
    "it": "La banca centrale ha detto martedì che per il momento non cambierà i tassi.",
    "nl": "De centrale bank zei dinsdag dat zij de rente voorlopig niet zal veranderen.",
}
BBC_FILES = sorted(shared_path("articles", "bbc-news", "business").glob("0[0-4]*.txt"))[:30]


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_detect_language_names_the_language_of_a_sentence(language: str) -> None:
    assert detect_language(text=SAMPLES[language]) == language


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_stop_word_fallback_tells_the_big_european_languages_apart(language: str) -> None:
    assert language_by_stop_words(text=SAMPLES[language]) == language


def test_detect_language_declines_on_too_little_text() -> None:
    assert detect_language(text="Breaking") is None
    assert language_by_stop_words(text="Zelenskiy Kyiv") is None


def test_reading_minutes_counts_words_at_news_reading_speed() -> None:
    assert reading_minutes(text="") == 1
    assert reading_minutes(text="word " * 100) == 1
    assert reading_minutes(text="word " * 2300) == 10
    assert reading_minutes(text="word " * 1150) == 5


def test_keyphrases_find_the_recurring_content_phrases_and_skip_function_words() -> None:
    text = (
        "Crude oil prices rose on Monday after OPEC agreed to cut crude oil output. "
        "Analysts said the crude oil market was tight. Natural gas prices were flat, "
        "and the dollar was steady against the yen."
    )
    phrases = keyphrases(text=text, limit=5)
    assert len(phrases) == 5
    assert any("crude oil" in phrase for phrase in phrases[:2])
    for phrase in phrases:
        assert not {"the", "and", "on", "after", "was"} & set(phrase.split())


def test_keyphrases_of_an_empty_story_are_empty() -> None:
    assert keyphrases(text="") == []
    assert keyphrases(text="The and of it.") == []


def test_summary_line_drops_the_dateline_and_page_furniture() -> None:
    text = (
        "Read more: other stories\n\n"
        "Photo: Reuters\n\n"
        "LONDON, Dec 30 (Reuters) - The Bank of England held its main interest rate on "
        "Thursday, saying inflation had peaked. Sterling rose."
    )
    assert summary_line(text=text) == (
        "The Bank of England held its main interest rate on Thursday, saying inflation had peaked."
    )


def test_summary_line_keeps_abbreviations_inside_the_sentence() -> None:
    text = (
        "WASHINGTON (AP) — U.S. officials and Mr. Smith met on Friday to discuss the budget plan."
    )
    assert summary_line(text=text) == (
        "U.S. officials and Mr. Smith met on Friday to discuss the budget plan."
    )


def test_summary_line_clips_a_long_sentence_on_a_word() -> None:
    line = summary_line(text="word " * 200 + ".")
    assert line.endswith("…")
    assert len(line) <= 301


def test_summary_line_of_the_putin_xi_page_is_its_first_story_sentence() -> None:
    page = (FIXTURES / "putin_xi_video_call_page.txt").read_text(encoding="utf-8")
    body = page.split("(AFP)\n", 1)[1]
    line = summary_line(text=body)
    assert line.startswith("Russian President Vladimir Putin told Chinese President Xi Jinping")


@pytest.mark.parametrize("path", BBC_FILES, ids=lambda p: p.name)
def test_basics_on_real_bbc_stories(path: Path) -> None:
    """On real stories: English, a sane reading time, phrases and a sentence from the body."""
    _, _, body = path.read_text(encoding="latin-1").partition("\n\n")
    assert detect_language(text=body) == "en"
    assert 1 <= reading_minutes(text=body) <= 15
    phrases = keyphrases(text=body, limit=8)
    words = {re.sub(r"['’]s$", "", w).strip("'’-") for w in re.findall(r"[\w'’-]+", body.lower())}
    assert phrases and all(set(phrase.split()) <= words for phrase in phrases)
    line = summary_line(text=body)
    assert len(line.split()) >= 8
    assert line.rstrip("…")[:40] in " ".join(body.split())
