"""clean_text_dump: a whole page saved as plain text → the article and its metadata."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from bench.extraction_score import score_page, score_pages

from tests.conftest import shared_path
from tidings.ingestion.dump.credits import agency_of_line, byline_names, caption_of_line
from tidings.ingestion.dump.datelines import find_datelines, parse_dateline
from tidings.ingestion.dump.features import FEATURE_NAMES, line_features, split_lines
from tidings.ingestion.dump.furniture import (
    breadcrumb_of,
    find_headline,
    related_link_of,
    section_of,
    split_topics,
)
from tidings.ingestion.dump.language import detect_language
from tidings.ingestion.dump.model import MODEL_PATH, line_model
from tidings.ingestion.text_dump import clean_text_dump

FIXTURES = Path(__file__).parent / "fixtures" / "dumps"
ZYTE = shared_path("extraction", "zyte-benchmark-dev")
ZYTE_PAGES = sorted((ZYTE / "text").glob("*.txt")) if (ZYTE / "text").is_dir() else []
IST = timezone(timedelta(hours=5, minutes=30))
# The shipped model saw these pages in training, so these floors guard against regressions;
# the unseen-page estimate is the cross-validated figure in bench/README.md. The page floor
# is low because two pages stay hard even in-sample (a results table read as furniture, and
# reader comments longer than the story).
PAGE_F1_FLOOR = 0.3
DEV_F1_FLOOR = 0.94


@pytest.fixture(scope="module")
def xi_putin():
    text = (FIXTURES / "national-daily-xi-putin.txt").read_text(encoding="utf-8")
    return clean_text_dump(text=text, url="https://news.example/world-news/xi-putin-call")


def test_national_daily_headline_and_standfirst(xi_putin):
    """The headline repeated from the title line; the standfirst under it."""
    assert (
        xi_putin.headline == "Xi, Putin hold video call, pledge closer ties as Ukraine war drags on"
    )
    assert xi_putin.standfirst.startswith("The two leaders spoke for more than an hour")
    assert xi_putin.url == "https://news.example/world-news/xi-putin-call"


def test_national_daily_credits_and_datelines(xi_putin):
    """'Reuters |' is the agency, 'Posted by' the byline, IST datelines stay in IST."""
    assert xi_putin.agency == "Reuters"
    assert xi_putin.bylines == ["Meera Sharma"]
    assert xi_putin.published == datetime(2022, 12, 30, 15, 49, tzinfo=IST)
    assert xi_putin.updated == datetime(2022, 12, 30, 17, 12, tzinfo=IST)
    assert xi_putin.published.utcoffset() == timedelta(hours=5, minutes=30)


def test_national_daily_section_breadcrumb_language(xi_putin):
    assert xi_putin.breadcrumb[:2] == ["Home", "World News"]
    assert xi_putin.section == "World News"
    assert xi_putin.language == "en"


def test_national_daily_image_topics_related(xi_putin):
    """Caption and credit split; topic links split by the story's own phrases."""
    assert xi_putin.image.caption.startswith("Russian President Vladimir Putin and Chinese")
    assert xi_putin.image.caption.endswith("via video link.")
    assert xi_putin.image.credit == "AFP"
    assert xi_putin.topics == ["xi jinping", "vladimir putin"]
    assert [link.title for link in xi_putin.related_links] == [
        "China's Covid wave tests hospitals as travel curbs are lifted"
    ]


def test_national_daily_body_is_the_story_only(xi_putin):
    paragraphs = xi_putin.body_text.split("\n")
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("Russian President Vladimir Putin told Chinese leader")
    assert paragraphs[-1].startswith("Trade between the two neighbours")
    furniture = ("Sign in", "Subscribe", "Story Saved", "TRENDING", "Read more", "(AFP)")
    furniture += ("Copyright", "Nepal plane crash", "Published on", "Reuters |", "Topics")
    for text in furniture:
        assert text not in xi_putin.body_text
    assert xi_putin.body_html.count("<p>") == 6
    assert "&quot;" not in xi_putin.body_html and '"We are expecting you' in xi_putin.body_html


def test_body_html_escapes_markup():
    """Text that looks like markup is escaped, never passed through."""
    prose = "The minister said the <script>alert(1)</script> figures & the budget were final."
    text = "Budget passes - Daily\nHome\nBudget passes\n" + "\n".join([prose] * 5) + "\nShare\n"
    article = clean_text_dump(text=text)
    assert "<script>" not in article.body_html
    assert "&lt;script&gt;" in article.body_html or not article.body_html


@pytest.mark.parametrize("text", ["", "\n\n  \n", "x", "Title only | Site"])
def test_degenerate_input_gives_an_article(text):
    article = clean_text_dump(text=text)
    assert article.body_text == "" or isinstance(article.body_text, str)
    assert article.to_json()["bylines"] == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("date 2022-12-30", datetime(2022, 12, 30, tzinfo=UTC)),
        ("Published on Dec 30, 2022 03:49 PM IST", datetime(2022, 12, 30, 15, 49, tzinfo=IST)),
        ("Updated: 5 January 2023, 10:02 GMT", datetime(2023, 1, 5, 10, 2, tzinfo=UTC)),
        ("October 9, 2018 at 4:02 pm", datetime(2018, 10, 9, 16, 2, tzinfo=UTC)),
        ("2019-11-18T10:22:00+01:00", datetime(2019, 11, 18, 9, 22, tzinfo=UTC)),
    ],
)
def test_datelines(line, expected):
    assert parse_dateline(line) == expected


def test_us_eastern_dateline_follows_summer_time():
    winter, summer = (
        parse_dateline("Nov. 19, 2019 8:03 am ET"),
        parse_dateline("Jul 4, 2019 9:00 am ET"),
    )
    assert winter.utcoffset() == timedelta(hours=-5)
    assert summer.utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize("line", ["Top 10 of 2019", "Nov 18", "3 hours ago", "0001-01-01"])
def test_not_datelines(line):
    assert parse_dateline(line) is None


def test_published_and_updated_on_one_line():
    found = find_datelines("Published: 12 March 2021 | Updated: 13 March 2021 10:00 GMT")
    assert [d.updated for d in found] == [False, True]
    assert found[1].moment == datetime(2021, 3, 13, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "crumbs"),
    [
        ("Home / World News / Xi, Putin talk", ["Home", "World News", "Xi, Putin talk"]),
        ("Home › Sport › Football", ["Home", "Sport", "Football"]),
        ("News » Business » Markets", ["News", "Business", "Markets"]),
        ("Home > Tech", ["Home", "Tech"]),
        ("24 / 11 / 2019", []),
        ("He said prices rose / fell in a year of wild swings for the markets", []),
    ],
)
def test_breadcrumbs(line, crumbs):
    assert breadcrumb_of(line) == crumbs


def test_section_skips_home_and_the_story():
    crumbs = ["Home", "World News", "Xi, Putin hold video call…"]
    assert section_of(crumbs, "Xi, Putin hold video call, pledge closer ties") == "World News"


@pytest.mark.parametrize(
    ("title", "repeat"),
    [
        ("Storm floods coastal towns | National News - The Daily", "Storm floods coastal towns"),
        ("Storm floods coastal towns - The Daily", "Storm floods coastal towns"),
    ],
)
def test_headline_from_repeated_title(title, repeat):
    lines = split_lines(f"{title}\nHome\nNews\n{repeat}\nBody text follows here.")
    assert find_headline(lines) == (3, repeat)


@pytest.mark.parametrize(
    ("line", "agency"),
    [
        ("Reuters |", "Reuters"),
        ("By Reuters", "Reuters"),
        ("PTI", "PTI"),
        ("By Associated Press", "AP"),
        ("LONDON (Reuters) - Shares fell on Monday.", "Reuters"),
        ("The figures were released on Monday, officials said.", None),
        ("Apple was up 3%.", None),
    ],
)
def test_agency_lines(line, agency):
    assert agency_of_line(line) == agency


def test_bylines():
    assert byline_names("By Jane Doe and John Roe, Senior Writer") == ["Jane Doe", "John Roe"]
    assert byline_names("By Reuters") == []
    assert byline_names("Nothing to see here") == []


@pytest.mark.parametrize(
    ("line", "caption", "credit"),
    [
        ("Protesters march in the capital.(AFP)", "Protesters march in the capital.", "AFP"),
        ("A man walks past the bank. (Photo: Reuters)", "A man walks past the bank.", "Reuters"),
        ("The summit venue in Delhi (File Photo)", "The summit venue in Delhi", "File Photo"),
    ],
)
def test_captions(line, caption, credit):
    image = caption_of_line(line)
    assert (image.caption, image.credit) == (caption, credit)


def test_parenthesis_in_prose_is_not_a_caption():
    assert caption_of_line("It can go 39 miles (63 kilometers) on battery power.") is None


def test_related_and_topics():
    link = related_link_of("READ MORE: Markets rally as rates hold")
    assert (link.url, link.title) == ("", "Markets rally as rates hold")
    assert related_link_of("Read more about our cookie policy") is None
    story = "Chinese President Xi Jinping met Vladimir Putin."
    assert split_topics("xi jinping vladimir putin", story=story) == [
        "xi jinping",
        "vladimir putin",
    ]
    assert split_topics("Elections, Budget 2023", story="") == ["Elections", "Budget 2023"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The government said on Monday that it was ready for the talks with the union.", "en"),
        (
            "Die Regierung hat am Montag gesagt, dass sie für die Gespräche bereit ist.",
            "de",
        ),
        (
            "Правительство заявило в понедельник, что оно готово к переговорам, и это не секрет.",
            "ru",
        ),
        ("정부는 월요일 노조와의 협상에 준비가 되어 있다고 밝혔다.", "ko"),
    ],
)
def test_language(text, language):
    assert detect_language(text) == language


def test_shipped_model_is_small_and_matches_the_features():
    assert MODEL_PATH.stat().st_size < 300_000
    model = line_model()
    lines = split_lines("A\nB c d e f g h i j k l m n o p.")
    assert model.probabilities(line_features(lines)).shape == (2,)
    assert len(json.loads(MODEL_PATH.read_text())["features"]) == len(FEATURE_NAMES)


def _truth() -> dict[str, str]:
    data = json.loads((ZYTE / "ground-truth.json").read_text(encoding="utf-8"))
    return {page_id: entry["articleBody"] for page_id, entry in data.items()}


@pytest.mark.parametrize("path", ZYTE_PAGES, ids=lambda p: p.stem[:12])
def test_benchmark_page(shared_data, path):
    """Every dev page: no crash, a body, and at least the floor F1 against ground truth."""
    article = clean_text_dump(text=path.read_text(encoding="utf-8"))
    assert article.body_text.strip()
    assert article.headline
    score = score_page(prediction=article.body_text, truth=_truth()[path.stem])
    assert score.f1 >= PAGE_F1_FLOOR, f"{path.stem}: F1 {score.f1:.3f}"


def test_benchmark_overall(shared_data):
    if not ZYTE_PAGES:
        pytest.skip(f"{ZYTE} is absent (research data is not shipped)")
    texts = {
        p.stem: clean_text_dump(text=p.read_text(encoding="utf-8")).body_text for p in ZYTE_PAGES
    }
    assert score_pages(predictions=texts, truth=_truth()).f1 >= DEV_F1_FLOOR


def test_a_title_line_after_a_sign_in_prompt_still_gives_the_headline():
    """Crawlers do not always put the page title first: the repeated "Headline | Site" wins."""
    body = "\n".join(
        f"Paragraph {n} of the earthquake report, long enough to be the story's own text."
        for n in range(6)
    )
    text = (
        "Sign in\nHome / World News\nQuake hits coast | Example News\nQuake hits coast\n"
        f"Published on Dec 30, 2022 03:49 PM IST\n{body}\nShare\nFollow us\n"
    )
    article = clean_text_dump(text=text)
    assert article.headline == "Quake hits coast" and article.section == "World News"
