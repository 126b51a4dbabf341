"""Story basics: language, reading time, keyphrases and a summary line.

All offline and light. Language comes from py3langid (its model ships inside the PyPI
package) when it is installed, with a stop-word profile as the fallback so enrichment never
needs a download.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"  # small word lists written for Tidings
LANGUAGE_SAMPLE_CHARS = 2_000  # a few paragraphs settle the language; the rest costs time
WORDS_PER_MINUTE = 230  # an adult reading news prose on a screen
# A word starts with a letter at a word boundary: "bn" in "£1.2bn" is no word.
_WORD = re.compile(r"\b[^\W\d_][\w'’-]*", re.UNICODE)
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))"  # a full stop, maybe inside a closing quote
    r"(?<!\b[A-Z]\.)(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)"  # U.S. / Mr.
    r"\s+(?=[\"'“‘(]?[A-Z0-9])"
)
# "BEIJING, Dec 21 (Reuters) -", "LONDON (AFP) —", "MOSCOW:": a dateline, not the sentence.
_DATELINE = re.compile(
    r"^[A-Z][A-Z .'-]{1,40}(?:,[^()\n]{0,30})?\s*(?:\([^)]{1,30}\))?\s*(?:[-–—]+|:)\s*"
)
_NOT_A_SUMMARY = re.compile(
    r"^(read more|also read|photo|file photo|image|credit|click|sign (in|up)|subscribe|"
    r"share|follow us|advertisement|updated|published)\b",
    re.IGNORECASE,
)

# Very frequent function words per language: enough to tell the big European languages
# apart when py3langid is not installed.
_PROFILE_WORDS = {
    "en": "the of and to in is that for it was on with as by at from this be are",
    "fr": "le la les de des et un une est dans que pour qui sur au du pas avec",
    "de": "der die das und ist nicht ein eine zu den mit von im auf dem sich des",
    "es": "el la los las de que y en un una por con para es del se al",
    "it": "il la di che e un una per non sono del della con gli nel le",
    "pt": "o a os as de que e do da em um uma para com não por dos",
    "nl": "de het een en van is dat niet op te met voor zijn er aan",
}
_PROFILES = {language: frozenset(words.split()) for language, words in _PROFILE_WORDS.items()}


def detect_language(*, text: str) -> str | None:
    """The ISO 639-1 code of the story's language, or None when there is too little text."""
    words = _WORD.findall(text)
    if len(words) < 3:
        return None
    classify = _langid_classifier()
    if classify is not None:
        return str(classify(text[:LANGUAGE_SAMPLE_CHARS])[0])
    return language_by_stop_words(text=text)


@cache
def _langid_classifier():  # type: ignore[no-untyped-def]
    try:
        import py3langid
    except ImportError:  # the stop-word profile below still answers
        return None
    return py3langid.classify


def language_by_stop_words(*, text: str) -> str | None:
    """The fallback: which language's commonest words the text uses most (seven languages)."""
    counts = Counter(word.lower() for word in _WORD.findall(text))
    scores = {
        language: sum(counts[word] for word in profile) for language, profile in _PROFILES.items()
    }
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] > 0 else None


def reading_minutes(*, text: str) -> int:
    """Minutes an average reader needs for the story, never less than one."""
    words = len(_WORD.findall(text))
    return max(1, round(words / WORDS_PER_MINUTE))


@cache
def stop_words() -> frozenset[str]:
    raw = (DATA / "stopwords_en.txt").read_text(encoding="utf-8")
    return frozenset(line for line in raw.split() if not line.startswith("#"))


def keyphrases(*, text: str, limit: int = 10) -> list[str]:
    """The story's key phrases, best first: runs of content words scored RAKE-style.

    A phrase scores the sum over its words of degree/frequency, times how often the whole
    phrase recurs; phrases inside a better phrase are dropped.
    """
    phrases = _candidate_phrases(text)
    if not phrases:
        return []
    word_freq: Counter[str] = Counter()
    word_degree: Counter[str] = Counter()
    for phrase in phrases:
        for word in phrase:
            word_freq[word] += 1
            word_degree[word] += len(phrase)
    phrase_freq = Counter(phrases)
    scored = {
        phrase: count * sum(word_degree[w] / word_freq[w] for w in phrase)
        for phrase, count in phrase_freq.items()
    }
    ranked = sorted(scored, key=lambda p: (-scored[p], phrases.index(p)))
    return _drop_contained([" ".join(p) for p in ranked], limit)


def _candidate_phrases(text: str) -> list[tuple[str, ...]]:
    """Runs of up to four content words between stop words and punctuation."""
    stops = stop_words()
    phrases: list[tuple[str, ...]] = []
    for chunk in re.split(r"[.,;:!?()\[\]\"“”—–]|\s-\s|\n", text):
        run: list[str] = []
        for word in [*_WORD.findall(chunk), ""]:
            lowered = re.sub(r"['’]s$", "", word.lower()).strip("'’-")  # India's -> india
            if lowered and lowered not in stops and len(lowered) > 1:
                run.append(lowered)
                continue
            if run:
                phrases.append(tuple(run[:4]))
            run = []
    return phrases


def _drop_contained(ranked: list[str], limit: int) -> list[str]:
    kept: list[str] = []
    for phrase in ranked:
        if any(f" {phrase} " in f" {better} " for better in kept):
            continue
        kept.append(phrase)
        if len(kept) == limit:
            break
    return kept


def summary_line(*, text: str) -> str:
    """The first informative sentence, for a story whose source gave no standfirst."""
    for paragraph in re.split(r"\n\s*\n|\n(?=\s{2,})", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph or _NOT_A_SUMMARY.match(paragraph):
            continue
        for sentence in _SENTENCE_END.split(_DATELINE.sub("", paragraph)):
            if _is_informative(sentence):
                return _clip(sentence, 300)
    return _clip(" ".join(text.split()), 300)


def _is_informative(sentence: str) -> bool:
    words = _WORD.findall(sentence)
    return len(words) >= 8 and not _NOT_A_SUMMARY.match(sentence)


def _clip(sentence: str, limit: int) -> str:
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
