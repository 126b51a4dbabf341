"""The story's language: declared by the page, else a light stop-word vote over the body."""

from __future__ import annotations

import re

from tidings.ingestion.page.signals import Signals

_LANG = re.compile(r"^[a-z]{2,3}(?=$|[-_])", re.IGNORECASE)
# A dozen function words per language: enough to tell major news languages apart on a
# paragraph of text, with no model to download.
_STOPWORDS = {
    "en": "the and of to in is that for on with was as it by at from has are",
    "de": "der die und das ist nicht den von zu mit sich des auf für ein eine im",
    "fr": "le la les et des est une dans du que pour qui pas sur au avec",
    "es": "el la los las que del en por con una para es como pero sus",
    "pt": "o a os que do da em um uma para com não dos das é mais",
    "it": "il di che la per un una del della sono non gli le con è",
    "nl": "de het een van en is dat op te zijn niet met voor ook",
    "sv": "och att det som en på är av för med till den inte har",
    "pl": "i w na z się że do nie jest to od przez jak po",
    "id": "yang dan di dari untuk dengan ini itu dalam tidak akan pada",
    "ru": "и в не на что с по как это из за от он но",
    "tr": "ve bir bu da de için ile olarak çok daha gibi en",
}
_WORDS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}
_TOKEN = re.compile(r"\w+")
_MIN_HITS = 5


def declared_language(signals: Signals) -> str | None:
    """The primary language subtag the page declares (``en-GB`` → ``en``)."""
    candidates = [
        signals.article.get("inLanguage"),
        signals.html_lang,
        *(signals.meta.get("content-language", [])[:1]),
        *(signals.meta.get("og:locale", [])[:1]),
        *(signals.meta.get("language", [])[:1]),
    ]
    for value in candidates:
        if isinstance(value, str) and (match := _LANG.match(value.strip())):
            return match.group(0).lower()
    return None


def detect_language(text: str) -> str | None:
    """A stop-word vote over the first words of ``text``; None when the vote is too thin."""
    tokens = _TOKEN.findall(text[:3000].lower())
    if not tokens:
        return None
    scores = {lang: sum(token in words for token in tokens) for lang, words in _WORDS.items()}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= _MIN_HITS else None
