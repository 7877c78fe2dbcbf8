"""The concept layer: what a report talks about, in Kazakh, Russian or English.

A report is normalised (lower case, ``ё`` → ``е``, Latin look-alikes in Cyrillic words
fixed) and matched against stem patterns. Russian and Kazakh are inflected; a stem
pattern (``укра``, ``ұрла``) covers the forms that matter in reports without a
morphological analyser (none ships for Kazakh; for Russian the stems proved enough and
keep start-up instant). English uses stems the same way. All three lexicons are applied
to every report, because citizens mix languages (a Kazakh report with Russian words is
common); the detected language only picks the language of the answer.

Each concept has a code (``taking_secret``, ``weapon``, ...) that the rules in
:mod:`tergeu.qualification.rules` read. Negations right before a word (``не били``,
``no weapon``, ``ұрған жоқ``) cancel it for a few concepts where it matters.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_B = r"(?<![\w])"  # start of a word

DATA = Path(__file__).resolve().parent / "data" / "lexicon.toml"


def _load() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    with DATA.open("rb") as fh:
        data = tomllib.load(fh)
    lexicon = {code: tuple(stems) for code, stems in data["concepts"].items()}
    return lexicon, frozenset(data.get("negatable", []))


#: concept code -> stem patterns (``data/lexicon.toml``); concepts a negation cancels
LEXICON, NEGATABLE = _load()
_NEGATION = re.compile(
    r"(?:\bне|\bнет|\bбез|\bno|\bnot|\bnever|\bwithout|\bdidn't|\bwasn't|\bне был[аои]?)\s+$"
)
_KK_NEGATION = re.compile(r"^\w*\s+(?:жоқ|емес|нет|не было)\b")

_COMPILED: dict[str, re.Pattern[str]] = {
    code: re.compile(_B + "(?:" + "|".join(stems) + ")") for code, stems in LEXICON.items()
}

_LATIN_IN_CYRILLIC = str.maketrans(
    {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"}
)
_MIXED = re.compile(r"\w*[а-яәғқңөұүһі]\w*")
_KAZAKH = re.compile(r"[әғқңөұүһі]")
_CYRILLIC = re.compile(r"[а-я]")
_LATIN = re.compile(r"[a-z]")
_MONEY = re.compile(
    r"(\d[\d\s.,]*\d|\d)\s*(тыс(?:\.|яч\w*)?|мың|k\b|thousand|млн|миллион\w*|million|mln)?\s*"
    r"(?=(?:тг|тенге|теңге|₸|kzt|tenge|тнг|\s|$|[.,;)]))",
)
_CURRENCY_NEAR = re.compile(
    r"тг|тенге|теңге|₸|kzt|tenge|тнг|тыс|мың|млн|миллион|million|сумм|ущерб|стоимост|бағасы|worth|cost"
)


def normalise(text: str) -> str:
    """Lower case, ``ё`` → ``е``, Latin look-alike letters inside Cyrillic words fixed."""
    low = text.lower().replace("ё", "е")

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        return word.translate(_LATIN_IN_CYRILLIC) if _LATIN.search(word) else word

    return _MIXED.sub(fix, low)


def detect_language(text: str) -> str:
    """``kk`` if the text has Kazakh letters, ``ru`` if it is mostly Cyrillic, else ``en``."""
    low = text.lower()
    kazakh = len(_KAZAKH.findall(low))
    cyrillic = len(_CYRILLIC.findall(low))
    latin = len(_LATIN.findall(low))
    if kazakh >= 2 or (kazakh and kazakh * 20 >= cyrillic):
        return "kk"
    if cyrillic >= latin:
        return "ru" if cyrillic else "en"
    return "en"


@dataclass(frozen=True)
class Concepts:
    """The concepts found in a report, with the words that evidenced each."""

    found: Mapping[str, str]
    amount: int | None

    def __contains__(self, code: object) -> bool:
        return code in self.found

    def any(self, *codes: str) -> bool:
        return any(code in self.found for code in codes)


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATION.search(text[max(0, start - 25) : start])) or bool(
        _KK_NEGATION.match(text[start : start + 40])
    )


def extract(text: str) -> Concepts:
    """The concepts of a normalised report, and the amount of money it names (tenge)."""
    found: dict[str, str] = {}
    for code, pattern in _COMPILED.items():
        for match in pattern.finditer(text):
            if code in NEGATABLE and _negated(text, match.start()):
                continue
            found[code] = match.group(0)
            break
    return Concepts(found, find_amount(text))


def find_amount(text: str) -> int | None:
    """The largest sum of money in tenge named in the text, if any (``150 000 тг``, ``2 млн``)."""
    best: int | None = None
    for match in _MONEY.finditer(text):
        raw, unit = match.group(1), match.group(2) or ""
        context = text[max(0, match.start() - 30) : match.end() + 12]
        if not unit and not _CURRENCY_NEAR.search(context):
            continue
        digits = re.sub(r"[\s]", "", raw)
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):
            digits = re.sub(r"[.,]", "", digits)
        try:
            value = float(digits.replace(",", "."))
        except ValueError:
            continue
        if unit.startswith(("тыс", "мың", "k", "thousand")):
            value *= 1000
        elif unit.startswith(("млн", "миллион", "million", "mln")):
            value *= 1_000_000
        if (
            1900 <= value <= 2100
            and not unit
            and not re.search(r"тг|тенге|теңге|₸|kzt|tenge", context)
        ):
            continue  # a year, not money
        amount = int(value)
        if best is None or amount > best:
            best = amount
    return best
