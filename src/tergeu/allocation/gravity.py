"""Gravity of an offence by its article and part (Criminal Code art. 10, 11), as data.

Computed once from the sanction of each part in the packaged Code: the longest term of
imprisonment it allows decides the category of art. 11; a part that allows no
imprisonment (only a fine, corrective or community works, arrest, expulsion) is a
criminal misdemeanour (уголовный проступок, art. 10(3)).

- art. 11(2): minor: intentional, at most 2 years; negligent, at most 5 years;
- art. 11(3): medium: intentional, at most 5 years; negligent, more than 5 years;
- art. 11(4): grave: intentional, at most 12 years;
- art. 11(5): especially grave: intentional, more than 12 years or life imprisonment.

A deed is taken as negligent when its article or part says "по неосторожности"; the
Code's wording is read, not guessed, and a part whose sanction cannot be read is
``unknown`` (the callers then say so rather than invent a category).
"""

from __future__ import annotations

import functools
import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gravity(models.TextChoices):
    """Categories of criminal offences (Criminal Code art. 10, 11)."""

    MISDEMEANOUR = "misdemeanour", _("Criminal misdemeanour")
    MINOR = "minor", _("Crime of minor gravity")
    MEDIUM = "medium", _("Crime of medium gravity")
    GRAVE = "grave", _("Grave crime")
    ESPECIALLY_GRAVE = "especially_grave", _("Especially grave crime")
    UNKNOWN = "unknown", _("Gravity not determined")


#: Where each category is defined in the Criminal Code.
CITATIONS = {
    Gravity.MISDEMEANOUR: "Criminal Code art. 10(3)",
    Gravity.MINOR: "Criminal Code art. 11(2)",
    Gravity.MEDIUM: "Criminal Code art. 11(3)",
    Gravity.GRAVE: "Criminal Code art. 11(4)",
    Gravity.ESPECIALLY_GRAVE: "Criminal Code art. 11(5)",
    Gravity.UNKNOWN: "Criminal Code art. 11",
}

_NUMBERS = {
    "одного": 1,
    "один": 1,
    "двух": 2,
    "трех": 3,
    "трёх": 3,
    "четырех": 4,
    "пяти": 5,
    "шести": 6,
    "семи": 7,
    "восьми": 8,
    "девяти": 9,
    "десяти": 10,
    "одиннадцати": 11,
    "двенадцати": 12,
    "тринадцати": 13,
    "четырнадцати": 14,
    "пятнадцати": 15,
    "шестнадцати": 16,
    "семнадцати": 17,
    "восемнадцати": 18,
    "девятнадцати": 19,
    "двадцати": 20,
    "тридцати": 30,
}
_WORDS = r"(?:{0})(?:\s+(?:{0}))?".format("|".join(sorted(_NUMBERS, key=len, reverse=True)))
_TERM = re.compile(
    r"(?:на\s+срок\s+|сроком\s+|на\s+)?(?:от\s+" + _WORDS + r"\s+(?:лет\s+|года\s+|месяцев\s+)?)?"
    r"(?:до\s+)?"
    r"(?P<n>" + _WORDS + r")\s+(?P<unit>лет|года|год|месяцев|месяца)"
)
_PRISON = re.compile(r"(?<!пожизненным\s)лишени[а-я]*\s+свободы")
_LIFE = re.compile(r"пожизненн[а-я]*\s+лишени[а-я]*\s+свободы|смертн[а-я]*\s+казн")
_SANCTION = re.compile(r"наказыва[а-я]*")
_NEGLIGENT = re.compile(r"по\s+неосторожности", re.I)


def _number(words: str) -> int | None:
    total = 0
    for word in words.split():
        if word not in _NUMBERS:
            return None
        total += _NUMBERS[word]
    return total or None


def _years(match: re.Match[str]) -> float | None:
    n = _number(match.group("n"))
    if n is None:
        return None
    return n / 12 if match.group("unit").startswith("месяц") else float(n)


def max_imprisonment(text: str) -> float | None:
    """The longest imprisonment (years; ``inf`` for life) a sanction allows, or None."""
    if _LIFE.search(text):
        return float("inf")
    longest: float | None = None
    for prison in _PRISON.finditer(text):
        after = text[prison.end() : prison.end() + 120]
        term: float | None = None
        if re.match(r"\s+на\s+тот\s+же\s+срок", after):
            before = list(_TERM.finditer(text[: prison.start()]))
            term = _years(before[-1]) if before else None
        else:
            match = _TERM.match(after.lstrip())
            term = _years(match) if match else None
        if term is not None and (longest is None or term > longest):
            longest = term
    return longest


def classify(text: str, *, negligent: bool = False) -> Gravity:
    """The category of a part from its text (with its sanction)."""
    if not _SANCTION.search(text):
        return Gravity.UNKNOWN
    years = max_imprisonment(text)
    if years is None:
        return Gravity.UNKNOWN if _PRISON.search(text) else Gravity.MISDEMEANOUR
    if negligent:
        return Gravity.MINOR if years <= 5 else Gravity.MEDIUM
    if years <= 2:
        return Gravity.MINOR
    if years <= 5:
        return Gravity.MEDIUM
    if years <= 12:
        return Gravity.GRAVE
    return Gravity.ESPECIALLY_GRAVE


@functools.cache
def table() -> dict[tuple[str, str], Gravity]:
    """``{(article, part): gravity}`` for every part of the Special Part (computed once)."""
    from tergeu.qualification.loader import parse_code, read_rows

    result: dict[tuple[str, str], Gravity] = {}
    for article in parse_code(read_rows()):
        if not article.special_part or article.repealed:
            continue
        title_negligent = bool(_NEGLIGENT.search(article.title))
        for part in article.parts:
            negligent = title_negligent or bool(_NEGLIGENT.search(part.text.split("–")[0]))
            result[(article.number, part.number)] = classify(part.text, negligent=negligent)
    return result


def gravity_of(article: str, part: str | None = "") -> Gravity:
    """The gravity of ``article`` ``part`` (``""`` or None: an article without parts)."""
    return table().get((str(article), str(part or "")), Gravity.UNKNOWN)
