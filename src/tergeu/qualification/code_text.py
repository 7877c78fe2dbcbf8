"""The Code's text for quotes and retrieval, read once from the packaged file.

The text of a part is exactly what :mod:`tergeu.qualification.loader` stores in
``ArticlePart.text`` (the same parser runs on the same file), so a quote always equals the
database's text; reading the file instead of the database keeps the assistant usable
without a database (the ``evaluate`` command, the benchmark) and costs about 0.1 s once.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .loader import parse_code, read_rows


@dataclass(frozen=True)
class PartText:
    article: str
    part: str
    title: str
    text: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class CodeText:
    parts: dict[tuple[str, str], PartText]
    titles: dict[str, str]
    #: articles of the Special Part in force, in the Code's order, with their parts
    offences: dict[str, tuple[str, ...]]

    def part(self, article: str, part: str) -> PartText | None:
        return self.parts.get((article, part))


@lru_cache(maxsize=1)
def code_text() -> CodeText:
    """The packaged Code, parsed once per process."""
    parts: dict[tuple[str, str], PartText] = {}
    titles: dict[str, str] = {}
    offences: dict[str, tuple[str, ...]] = {}
    for article in parse_code(read_rows()):
        titles[article.number] = article.title
        for p in article.parts:
            parts[(article.number, p.number)] = PartText(
                article.number, p.number, article.title, p.text, tuple(p.paragraphs or [])
            )
        if article.special_part and not article.repealed and article.parts:
            offences[article.number] = tuple(p.number for p in article.parts)
    return CodeText(parts, titles, offences)


_WORD = re.compile(r"[а-яәғқңөұүһіa-z]{3,}")
_STOP = frozenset(
    [
        "это",
        "для",
        "что",
        "как",
        "его",
        "она",
        "они",
        "при",
        "или",
        "под",
        "над",
        "без",
        "был",
        "была",
        "были",
        "того",
        "этого",
        "также",
        "либо",
        "настоящей",
        "статьи",
        "части",
        "частью",
        "деяние",
        "деяния",
        "лица",
        "лицом",
        "наказывается",
        "срок",
        "лишением",
    ]
)


def stems(text: str) -> list[str]:
    """Crude stems for retrieval: the first five letters of each word of 3+ letters."""
    return [w[:5] for w in _WORD.findall(text.lower().replace("ё", "е")) if w not in _STOP]


@dataclass(frozen=True)
class Index:
    """TF-IDF over the title and disposition of each article of the Special Part."""

    vectors: dict[str, dict[str, float]]
    idf: dict[str, float]


def _disposition(text: str) -> str:
    """The part's text up to the sanction (``– наказывается``)."""
    return re.split(r"[–-]\s*наказыва", text, maxsplit=1)[0]


@lru_cache(maxsize=1)
def index() -> Index:
    code = code_text()
    docs: dict[str, Counter[str]] = {}
    for number, part_numbers in code.offences.items():
        counts: Counter[str] = Counter(stems(code.titles[number]) * 3)
        for part in part_numbers:
            counts.update(stems(_disposition(code.parts[(number, part)].text)))
        docs[number] = counts
    df: Counter[str] = Counter()
    for counts in docs.values():
        df.update(set(counts))
    n = len(docs)
    idf = {term: math.log((n + 1) / (d + 0.5)) for term, d in df.items()}
    vectors = {}
    for number, counts in docs.items():
        vec = {t: (1 + math.log(c)) * idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors[number] = {t: v / norm for t, v in vec.items()}
    return Index(vectors, idf)


def search(text: str, limit: int = 5) -> list[tuple[str, float]]:
    """Articles whose title and dispositions are nearest to ``text`` (cosine, TF-IDF)."""
    idx = index()
    counts = Counter(s for s in stems(text) if s in idx.idf)
    if not counts:
        return []
    query = {t: (1 + math.log(c)) * idx.idf[t] for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
    scores = []
    for number, vec in idx.vectors.items():
        score = sum(w * vec.get(t, 0.0) for t, w in query.items()) / norm
        if score > 0:
            scores.append((number, score))
    scores.sort(key=lambda item: (-item[1], item[0]))
    return scores[:limit]
