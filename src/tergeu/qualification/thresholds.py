"""Amount thresholds in MCI and the MCI of each year, read from data files.

``data/thresholds.toml`` holds the thresholds of the Criminal Code (each citing article 3
of the Code or the article it comes from) and ``data/mci.toml`` the monthly calculation
index of each year (each citing the budget law). An administrator can add or correct
years in a file of the same shape named by ``TERGEU_MCI_FILE``; its years win.

A year that neither file knows raises :class:`UnknownMCIYear`: the assistant then makes
no decision by amount and says so (it never guesses the MCI of a year).
"""

from __future__ import annotations

import datetime
import os
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
MCI_FILE = DATA / "mci.toml"
THRESHOLDS_FILE = DATA / "thresholds.toml"
MCI_ENV = "TERGEU_MCI_FILE"


class UnknownMCIYear(LookupError):
    """The MCI of a year is in neither ``data/mci.toml`` nor ``TERGEU_MCI_FILE``."""

    def __init__(self, year: int, known: list[int]) -> None:
        self.year = year
        self.known = known
        super().__init__(
            f"The MCI of {year} is unknown (known years: {', '.join(map(str, known))}); "
            f"add it to the file named by {MCI_ENV}."
        )


@dataclass(frozen=True)
class MCI:
    year: int
    tenge: int
    source: str


@dataclass(frozen=True)
class Threshold:
    id: str
    articles: tuple[str, ...]
    mci: int
    outcome: str  # "petty" | "none" | "part"
    source: str
    parts: dict[str, str]
    mci_organisation: int | None = None
    petty_article: str = ""
    administrative_source: str = ""


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=4)
def _mci_table(override: str) -> dict[int, MCI]:
    table: dict[int, MCI] = {}
    for path in (MCI_FILE, Path(override)) if override else (MCI_FILE,):
        for year, entry in _read(path).get("years", {}).items():
            table[int(year)] = MCI(int(year), int(entry["tenge"]), str(entry.get("source", "")))
    return table


def mci_table() -> dict[int, MCI]:
    """Every known year's MCI: the packaged file, then ``TERGEU_MCI_FILE`` over it."""
    return _mci_table(os.environ.get("TERGEU_MCI_FILE", ""))


def mci_for(year: int) -> MCI:
    """The MCI of ``year``; raises :class:`UnknownMCIYear`."""
    table = mci_table()
    if year not in table:
        raise UnknownMCIYear(year, sorted(table))
    return table[year]


@lru_cache(maxsize=1)
def thresholds() -> tuple[Threshold, ...]:
    """The thresholds of ``data/thresholds.toml``, in the file's order."""
    out = []
    for entry in _read(THRESHOLDS_FILE)["threshold"]:
        out.append(
            Threshold(
                id=entry["id"],
                articles=tuple(entry["articles"]),
                mci=int(entry["mci"]),
                outcome=entry["outcome"],
                source=entry["source"],
                parts=dict(entry.get("parts", {})),
                mci_organisation=entry.get("mci_organisation"),
                petty_article=entry.get("petty_article", ""),
                administrative_source=entry.get("administrative_source", ""),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class AmountDecision:
    """What the amount decides for one article."""

    article: str
    amount: Decimal
    mci: MCI
    outcome: str  # "petty" | "none" | "part" | "below_all"
    threshold: Threshold | None
    part: str = ""
    paragraph: str = ""

    @property
    def amount_mci(self) -> Decimal:
        return (self.amount / self.mci.tenge).quantize(Decimal("0.01"))

    def as_json(self) -> dict[str, Any]:
        th = self.threshold
        return {
            "article": self.article,
            "year": self.mci.year,
            "mci_tenge": self.mci.tenge,
            "mci_source": self.mci.source,
            "amount_tenge": str(self.amount),
            "amount_mci": str(self.amount_mci),
            "threshold_id": th.id if th else "",
            "threshold_mci": th.mci if th else None,
            "threshold_tenge": th.mci * self.mci.tenge if th else None,
            "outcome": self.outcome,
            "part": self.part,
            "paragraph": self.paragraph,
            "source": th.source if th else "",
            "administrative_source": th.administrative_source if th else "",
        }


def decide(article: str, amount: Decimal, on: datetime.date) -> AmountDecision | None:
    """The decision by amount for ``article`` on the date ``on`` (``None``: no threshold).

    Raises :class:`UnknownMCIYear` when the year's MCI is not known.
    """
    relevant = [t for t in thresholds() if article in t.articles]
    if not relevant:
        return None
    mci = mci_for(on.year)
    best: AmountDecision | None = None
    for th in relevant:
        limit = Decimal(th.mci * mci.tenge)
        if th.outcome in ("petty", "none"):
            if amount <= limit:
                return AmountDecision(article, amount, mci, th.outcome, th)
        elif amount > limit:
            part, _, paragraph = th.parts.get(article, "").partition(".")
            best = AmountDecision(article, amount, mci, "part", th, part, paragraph)
    return best or AmountDecision(article, amount, mci, "below_all", None)
