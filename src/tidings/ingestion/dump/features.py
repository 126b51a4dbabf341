"""Per-line features of a plain-text page dump, for the body-line classifier.

Every feature is language-independent or multilingual (a short list of function words in
the major European languages and a few navigation words); none names a site.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)
_TERMINAL = re.compile(r"[.!?。！？…:;][\"'”’»)\]]*\s*$")
_SENTENCE_BREAK = re.compile(r"[.!?。！？](?:\s|$)")
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_DATE_WORD = re.compile(
    r"\b(?:\d{1,2}:\d{2}|(?:19|20)\d{2}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|"
    r"am|pm|ist|gmt|utc|et|edt|est|pst)\b",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[|•·›»«/>]|\s-\s")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

# Function words of en, de, fr, es, it, pt, nl, ru: prose has many, menus and teasers few.
_FUNCTION_TEXT = """
    a an the of to in and or but is are was were be been it its this that these those for
    on at by with from as not he she they we you his her their our has have had will would
    can could said says which who whom what when where there than then also into about after
    der die das und ist nicht ein eine zu den dem des mit von sich auf für im es wie auch
    le la les de des du un une et est pas que qui dans pour sur au aux il elle ce se son sa
    el los las y en por con para del lo al es una su se como más pero
    il di che non per una sono della con gli nel alla
    o os as e em um uma não com para do da dos das no na que ao se mais
    het een en van ik je dat niet zijn op te met voor
    и в не на что с по как это он она к у из за от то но его же"""

# Words of page furniture (navigation, sharing, accounts, legal), in several languages.
_FURNITURE_TEXT = """
    share tweet facebook twitter linkedin whatsapp pinterest reddit email print comments
    comment subscribe subscription sign login log register newsletter newsletters cookie
    cookies privacy terms copyright rights reserved advertisement advertise menu search home
    follow related trending popular recommended sponsored contact about skip navigation
    click here tags topics watch video photos gallery loading more next previous close
    anmelden abonnieren teilen datenschutz impressum werbung partager connexion abonner
    compartir suscribirse iniciar publicidad condividi accedi iscriviti pubblicità
    compartilhar entrar assine publicidade войти подписаться реклама поделиться"""

FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
FURNITURE_WORDS = frozenset(_FURNITURE_TEXT.split())

INTRINSIC = (
    "log_tokens",
    "log_chars",
    "ends_terminal",
    "sentence_breaks",
    "punct_ratio",
    "digit_ratio",
    "title_ratio",
    "caps_ratio",
    "short_ratio",
    "function_ratio",
    "furniture_ratio",
    "comma_rate",
    "separator_rate",
    "date_rate",
    "is_url",
    "cjk_ratio",
    "log_repeats",
    "position",
    "mass_before",
    "starts_lower",
    "quote_start",
)
CONTEXT = (
    "win1_tokens",
    "win3_tokens",
    "win8_tokens",
    "win3_prose",
    "win8_prose",
    "win3_function",
    "prev_terminal",
    "next_terminal",
    "prev_tokens",
    "next_tokens",
    "after_title",
    "log_from_title",
    "in_region",
    "log_to_region",
    "region_share",
    "z_chars",
    "z_win3",
    "rel_win3",
    "in_dense",
    "log_to_dense",
    "win5_date",
    "win5_furniture",
    "win5_stubs",
    "win5_lower",
)
FEATURE_NAMES = INTRINSIC + CONTEXT


@dataclass(frozen=True)
class Line:
    """One non-empty line of a dump with its tokens."""

    text: str
    words: tuple[str, ...]


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of a dump, whitespace-trimmed."""
    lines = []
    for raw in text.splitlines():
        stripped = " ".join(raw.split())
        if stripped:
            lines.append(Line(text=stripped, words=tuple(_WORD.findall(stripped))))
    return lines


def _ratio(count: float, total: float) -> float:
    return count / total if total else 0.0


def _intrinsic(line: Line, repeats: int) -> list[float]:
    text, words = line.text, line.words
    n_chars, n_words = len(text), len(words)
    lowered = [w.lower() for w in words]
    alnum = sum(ch.isalnum() for ch in text)
    return [
        math.log1p(n_words),
        math.log1p(n_chars),
        float(bool(_TERMINAL.search(text))),
        math.log1p(len(_SENTENCE_BREAK.findall(text))),
        _ratio(n_chars - alnum - text.count(" "), n_chars),
        _ratio(sum(ch.isdigit() for ch in text), n_chars),
        _ratio(sum(w[0].isupper() for w in words), n_words),
        _ratio(sum(w.isupper() and len(w) > 1 for w in words), n_words),
        _ratio(sum(len(w) <= 3 for w in words), n_words),
        _ratio(sum(w in FUNCTION_WORDS for w in lowered), n_words),
        _ratio(sum(w in FURNITURE_WORDS for w in lowered), n_words),
        _ratio(text.count(",") + text.count("،") + text.count("、"), n_words),
        _ratio(len(_SEPARATORS.findall(text)), n_words),
        _ratio(len(_DATE_WORD.findall(text)), n_words),
        float(bool(_URL.match(text))),
        _ratio(len(_CJK.findall(text)), n_chars),
        math.log(repeats),
        0.0,  # position, filled in by the caller
        0.0,  # mass_before, filled in by the caller
        float(text[:1].islower()),
        float(text[:1] in "\"'“‘«„—–-"),
    ]


def _is_prose(line: Line) -> bool:
    """A line that reads like a paragraph: several words and a sentence ending."""
    return len(line.words) >= 8 and bool(_TERMINAL.search(line.text))


def _window_mean(values: Sequence[float], index: int, radius: int) -> float:
    lo, hi = max(0, index - radius), min(len(values), index + radius + 1)
    return sum(values[lo:hi]) / (hi - lo)


def title_line_index(lines: Sequence[Line]) -> int | None:
    """The line that repeats the page title's headline part (the first line is the title)."""
    if len(lines) < 2:
        return None
    title = lines[0].text
    parts = [p.strip() for p in re.split(r"\s[|\-–—:·•]\s|\s\|\s?|\|", title) if p.strip()]
    candidates = {title.lower()} | {p.lower() for p in parts if len(p) >= 12}
    for index in range(1, len(lines)):
        text = lines[index].text.lower()
        if text in candidates or (len(text) >= 20 and title.lower().startswith(text)):
            return index
    return None


def body_region(lines: Sequence[Line]) -> tuple[int, int]:
    """The densest run of prose lines: a maximum-sum segment over per-line evidence."""
    best, best_span = 0.0, (0, -1)
    running, start = 0.0, 0
    for index, line in enumerate(lines):
        gain = math.sqrt(len(line.words)) if _is_prose(line) else -1.5
        if running <= 0:
            running, start = 0.0, index
        running += gain
        if running > best:
            best, best_span = running, (start, index)
    return best_span


def dense_region(log_chars: Sequence[float]) -> tuple[int, int]:
    """The maximum-sum run of lines longer than the page's typical line (no punctuation test,
    so hard-wrapped paragraphs and languages without sentence marks still count)."""
    ordered = sorted(log_chars)
    pivot = ordered[int(len(ordered) * 0.75)] if ordered else 0.0
    best, best_span, running, start = 0.0, (0, -1), 0.0, 0
    for index, value in enumerate(log_chars):
        if running <= 0:
            running, start = 0.0, index
        running += value - pivot
        if running > best:
            best, best_span = running, (start, index)
    return best_span


def _zscores(values: Sequence[float]) -> list[float]:
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
    return [(v - mean) / spread for v in values]


def line_features(lines: Sequence[Line]) -> list[list[float]]:
    """One feature vector per line, in ``FEATURE_NAMES`` order."""
    repeats = Counter(line.text.lower() for line in lines)
    rows = [_intrinsic(line, repeats[line.text.lower()]) for line in lines]
    masses = [len(line.words) for line in lines]
    total_mass = sum(masses) or 1
    seen = 0
    n = len(lines)
    for index, row in enumerate(rows):
        row[INTRINSIC.index("position")] = index / max(1, n - 1)
        row[INTRINSIC.index("mass_before")] = seen / total_mass
        seen += masses[index]
    _add_context(lines, rows)
    _add_page_relative(rows)
    return rows


def _column(rows: Sequence[Sequence[float]], name: str) -> list[float]:
    index = FEATURE_NAMES.index(name)
    return [row[index] for row in rows]


def _add_page_relative(rows: list[list[float]]) -> None:
    """Features relative to the page itself, so that sites with short or long lines compare."""
    if not rows:
        return
    log_chars = _column(rows, "log_chars")
    win3 = [_window_mean(log_chars, i, 3) for i in range(len(rows))]
    z_chars, z_win3 = _zscores(log_chars), _zscores(win3)
    top = max(win3) or 1.0
    lo, hi = dense_region(log_chars)
    dates, furniture = _column(rows, "date_rate"), _column(rows, "furniture_ratio")
    stubs = [float(v < math.log1p(4)) for v in _column(rows, "log_tokens")]
    lower = _column(rows, "starts_lower")
    for index, row in enumerate(rows):
        to_dense = lo - index if index < lo else (index - hi if index > hi else 0)
        row.extend(
            [
                z_chars[index],
                z_win3[index],
                win3[index] / top,
                float(to_dense == 0),
                math.copysign(math.log1p(abs(to_dense)), index - lo),
                _window_mean(dates, index, 5),
                _window_mean(furniture, index, 5),
                _window_mean(stubs, index, 5),
                _window_mean(lower, index, 5),
            ]
        )


def _add_context(lines: Sequence[Line], rows: list[list[float]]) -> None:
    log_tokens = [row[0] for row in rows]
    terminal = [row[2] for row in rows]
    function = [row[INTRINSIC.index("function_ratio")] for row in rows]
    prose = [float(_is_prose(line)) for line in lines]
    title = title_line_index(lines)
    lo, hi = body_region(lines)
    region_mass = sum(len(lines[i].words) for i in range(lo, hi + 1))
    share = region_mass / (sum(len(line.words) for line in lines) or 1)
    last = len(lines) - 1
    for index, row in enumerate(rows):
        from_title = index - title if title is not None else index
        to_region = lo - index if index < lo else (index - hi if index > hi else 0)
        row.extend(
            [
                _window_mean(log_tokens, index, 1),
                _window_mean(log_tokens, index, 3),
                _window_mean(log_tokens, index, 8),
                _window_mean(prose, index, 3),
                _window_mean(prose, index, 8),
                _window_mean(function, index, 3),
                terminal[index - 1] if index > 0 else 0.0,
                terminal[index + 1] if index < last else 0.0,
                log_tokens[index - 1] if index > 0 else 0.0,
                log_tokens[index + 1] if index < last else 0.0,
                float(from_title > 0),
                math.copysign(math.log1p(abs(from_title)), from_title),
                float(to_region == 0),
                math.copysign(math.log1p(abs(to_region)), index - lo),
                share,
            ]
        )
