"""Stories for the enrichment tests, written for them: two earthquakes, a syndicated copy."""

from __future__ import annotations

import json
import random
from pathlib import Path

QUAKE_CALIFORNIA = (
    "A magnitude 6.4 earthquake struck off the coast of Mendocino County in northern "
    "California early on Tuesday, the US Geological Survey said. The quake hit at 2:34 am "
    "near the town of Ferndale, knocking out power to about 70,000 homes in Humboldt County. "
    "Two people died and at least 12 were injured, the Humboldt County sheriff said. "
    "Governor Gavin Newsom declared a state of emergency. Aftershocks of magnitude 4.6 "
    "shook Eureka and Rio Dell through the morning, and a bridge on Highway 211 was closed. "
    "The Ferndale fire chief said crews were checking homes that slid off their foundations."
)
QUAKE_CALIFORNIA_FOLLOW = (
    "Residents of Rio Dell and Ferndale in Humboldt County spent Wednesday clearing debris "
    "after Tuesday's magnitude 6.4 earthquake off Mendocino County. Power was restored to "
    "most of the 70,000 homes, utility PG&E said. The Humboldt County sheriff confirmed two "
    "deaths. Governor Gavin Newsom visited Rio Dell, where 15 homes were declared unsafe, "
    "and the US Geological Survey warned that aftershocks near Ferndale and Eureka could "
    "continue for weeks. Highway 211 reopened after engineers inspected the Fernbridge."
)
QUAKE_INDONESIA = (
    "A magnitude 5.6 earthquake struck the Cianjur region of West Java in Indonesia on "
    "Monday, killing at least 162 people and injuring hundreds, the West Java governor "
    "Ridwan Kamil said. The quake hit at 1:21 pm at a depth of 10 km, according to the "
    "Meteorology, Climatology and Geophysical Agency. Buildings collapsed in Cianjur and "
    "residents of Jakarta fled offices as the shaking was felt in the capital. President "
    "Joko Widodo said rescuers were searching for people trapped under rubble in Cugenang."
)


def syndicated(text: str) -> str:
    """An agency copy re-published with small edits: a credit, one changed word."""
    return "(Reuters) - " + text.replace("early on Tuesday", "on Tuesday morning")


def record(
    external_id: str,
    headline: str,
    body: str,
    *,
    source: str,
    published: str,
    topics: list[str] | None = None,
) -> dict[str, object]:
    line: dict[str, object] = {
        "external_id": external_id,
        "headline": headline,
        "body_text": body,
        "source": source,
        "published": published,
        "section": "World News",
    }
    if topics is not None:
        line["topics"] = topics
    return line


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


RATES = [
    "interest rates",
    "inflation",
    "central bank",
    "bond yields",
    "monetary policy",
    "rate rise",
    "basis points",
    "governor",
    "lending",
    "mortgage costs",
]
MATCHES = [
    "goal",
    "striker",
    "penalty",
    "league",
    "midfielder",
    "coach",
    "season",
    "stadium",
    "transfer",
    "relegation",
]
WEATHER = [
    "rain",
    "storm",
    "forecast",
    "temperatures",
    "flooding",
    "winds",
    "snow",
    "heatwave",
    "drought",
    "clouds",
]


def themed_story(words: list[str], seed: int) -> str:
    """Plain sentences around a theme's words, different for each seed."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(8):
        picked = rng.sample(words, 3)
        sentences.append(
            f"Officials said {picked[0]} and {picked[1]} would shape {picked[2]} this week."
        )
    return " ".join(sentences)
