"""The story's language from its own words: writing system first, then a vote of function
words. Small on purpose; a dump carries no ``lang`` attribute to read."""

from __future__ import annotations

import re

_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_STOPWORDS = {
    "en": "the and of to in is that for on with was as it by at from has are",
    "de": "der die und das ist nicht den von zu mit sich des auf für ein eine im",
    "fr": "le la les et des est une dans du que pour qui pas sur au avec",
    "es": "el la los las que del en por con una para es como pero sus",
    "pt": "o a os que do da em um uma para com não dos das é mais",
    "it": "il di che la per un una del della sono non gli le con è",
    "nl": "de het een van en is dat op te zijn niet met voor ook",
    "id": "yang dan di dari untuk dengan ini itu dalam tidak akan pada",
    "ru": "и в не на что с по как это из за от он но",
    "uk": "і в не на що з по як це із за від він але та",
}
_WORDS = {language: frozenset(words.split()) for language, words in _STOPWORDS.items()}
_TOKEN = re.compile(r"\w+")


def detect_language(text: str) -> str | None:
    """An ISO 639-1 code, or None when the text gives too little to go on."""
    sample = text[:5000]
    letters = sum(ch.isalpha() for ch in sample) or 1
    for language, script in _SCRIPTS:
        if len(script.findall(sample)) / letters > 0.2:
            return language
    words = [word.casefold() for word in _TOKEN.findall(sample)]
    candidates = _WORDS
    if len(_CYRILLIC.findall(sample)) / letters > 0.3:
        candidates = {k: v for k, v in _WORDS.items() if k in ("ru", "uk")}
    votes = {
        language: sum(w in vocabulary for w in words) for language, vocabulary in candidates.items()
    }
    best = max(votes, key=votes.__getitem__)
    return best if votes[best] >= 3 else None
