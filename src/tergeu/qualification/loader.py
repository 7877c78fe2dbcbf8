"""Loading the Criminal Code (K1400000226) from its packaged JSON Lines file into the database.

The source (``data/kz-criminal-code.ru.jsonl.gz``, see ``data/README.md``) has one row per
part of an article. Each row's text starts with a header line ``[УК | Статья N. Title |
часть K]`` that the loader strips. Its quirks, and what the loader makes of them:

- ``unit_type`` null: an article without numbered parts; stored as one part numbered ``""``.
- ``unit_type`` ``подпункт``: the items of article 3 (definitions), one row each, every row
  repeating the article's opening sentence; merged into one ``""`` part whose paragraphs
  are the item numbers (``1``, ``1-1``, ...).
- ``hier_dup_seq``: the numbered notes (примечания) that follow the last part of an
  article, which ends with ``Примечания.``; appended to that part's text. (In article 467
  they continue the quoted amendment at the end of part 3, so the same rule holds.)
- ``[intro]`` block before the header: text that belongs before the unit. For an article
  without parts it is the opening sentence; an editorial footnote of the publisher
  (``Сноска``, ``Примечание ИЗПИ``) is dropped; before part 2 of an article with no part
  1 it is part 1 itself, published without its number (article 379).
- ``status`` ``repealed`` (``СТАТЬЯ ИСКЛЮЧЕНА``): the article is kept, marked repealed,
  without parts. Repealed parts are not in the source at all (articles 140, 318, 343
  start with part 2), and repealed paragraphs are missing from a part's text (article
  188 part 2 has paragraphs 1 and 4).
- ``hier_path.code_part`` ``CH2``: the Special Part, the articles that define offences;
  article 467 (entry into force) is filed there but defines none (:data:`NOT_OFFENCES`).

Loading is an idempotent upsert in two bulk statements; articles and parts that are no
longer in the file are marked repealed rather than deleted, because cases refer to them.
It runs from migration ``0002_load_code`` with the migration's historical models.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

#: The packaged Criminal Code of the Republic of Kazakhstan, Russian text.
DATA_FILE = Path(__file__).resolve().parent / "data" / "kz-criminal-code.ru.jsonl.gz"

#: ``hier_path.code_part`` of the Special Part (articles 99 onwards).
SPECIAL_PART = "CH2"

#: Articles of the Special Part that define no offence, with the reason.
NOT_OFFENCES: dict[str, str] = {
    "467": "Final provisions: entry into force of the Code, repeal of earlier acts.",
}

_HEADER = re.compile(r"^\[УК \| Статья [^\]]*\](?:\n|$)")
_INTRO = re.compile(r"^\[intro\]\n(?P<intro>.*?)\n*(?=\[УК \| )", re.S)
_EDITORIAL = re.compile(r"^(?:Сноска\.|Примечание ИЗПИ)|ИЗПИ!")
_PARAGRAPH = re.compile(r"^(\d+(?:-\d+)?)\)\s")
_NOTE = re.compile(r"^Примечани[ея]")
_NUMBER = re.compile(r"^(\d+)(?:-(\d+))?$")


def sort_key(number: str) -> int:
    """Order of an article or part number: ``24`` < ``24-1`` < ``24-2`` < ``25``."""
    match = _NUMBER.match(number)
    if not match:
        raise ValueError(f"not an article number: {number!r}")
    base, sub = match.groups()
    return int(base) * 1000 + int(sub or 0)


def parse_paragraphs(text: str) -> list[str]:
    """Numbers of the paragraphs (``1) ...`` lines) of a part, before any notes."""
    numbers: list[str] = []
    for line in text.splitlines():
        if _NOTE.match(line):
            break
        match = _PARAGRAPH.match(line)
        if match and match.group(1) not in numbers:
            numbers.append(match.group(1))
    return numbers


def split_text(text: str) -> tuple[str, str]:
    """Split a row's text into its ``[intro]`` block (or ``""``) and its body sans header."""
    intro = ""
    match = _INTRO.match(text)
    if match:
        intro = match.group("intro").strip()
        text = text[match.end() :]
    return intro, _HEADER.sub("", text, count=1).strip()


@dataclass
class ParsedPart:
    """A part as it will be stored: number (``""`` for a whole article), text, paragraphs."""

    number: str
    text: str
    paragraphs: list[str] | None = None  # None: parse them from the text


@dataclass
class ParsedArticle:
    """An article as it will be stored, with its parts in the order of the Code."""

    number: str
    title: str
    chapter: str
    repealed: bool
    special_part: bool
    parts: list[ParsedPart] = field(default_factory=list)

    @property
    def sort_key(self) -> int:
        return sort_key(self.number)


def read_rows(path: Path = DATA_FILE) -> Iterator[dict[str, Any]]:
    """The rows of the packaged file (gzip or plain JSON Lines)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _add_row(article: ParsedArticle, row: dict[str, Any]) -> None:
    """Fold one source row into ``article`` (see the module docstring for the rules)."""
    meta = row["meta"]
    intro, body = split_text(row["text"])
    if meta["status"] == "repealed":
        return
    if meta.get("hier_dup_seq") and article.parts:
        article.parts[-1].text += "\n" + body
        return
    unit_type, number = meta["unit_type"], meta["unit_number"]
    if unit_type is None:
        article.parts.append(ParsedPart("", f"{intro}\n{body}" if intro else body))
    elif unit_type == "подпункт":
        lines = body.splitlines()
        start = next((i for i, ln in enumerate(lines) if ln.startswith(f"{number})")), 0)
        merged = next((p for p in article.parts if p.number == ""), None)
        if merged is None:
            merged = ParsedPart("", "\n".join(lines[:start]), [])
            article.parts.append(merged)
        merged.text = "\n".join(filter(None, [merged.text, *lines[start:]]))
        merged.paragraphs = [*(merged.paragraphs or []), number]
    else:
        if intro and not _EDITORIAL.search(intro):
            if not article.parts and number == "2":
                article.parts.append(ParsedPart("1", intro))
            elif article.parts:
                article.parts[-1].text += "\n" + intro
            else:
                body = f"{intro}\n{body}"
        article.parts.append(ParsedPart(number, body))


def parse_code(rows: Iterable[dict[str, Any]]) -> list[ParsedArticle]:
    """Group the source rows into articles with their parts, in the order of the Code."""
    articles: dict[str, ParsedArticle] = {}
    for row in rows:
        meta = row["meta"]
        number = meta["article"]
        article = articles.get(number)
        if article is None:
            hier = meta.get("hier_path") or {}
            article = articles[number] = ParsedArticle(
                number=number,
                title=meta["article_title"].strip(),
                chapter=hier.get("chapter") or "",
                repealed=meta["status"] == "repealed",
                special_part=hier.get("code_part") == SPECIAL_PART and number not in NOT_OFFENCES,
            )
        _add_row(article, row)
    for article in articles.values():
        for part in article.parts:
            part.text = part.text.strip()
            if part.paragraphs is None:
                part.paragraphs = parse_paragraphs(part.text)
    return list(articles.values())


@dataclass
class LoadResult:
    """How many articles and parts the file holds, and how many were marked repealed."""

    articles: int
    parts: int
    marked_repealed: int = 0


def load_code(
    path: Path | None = None,
    *,
    article_model: Any = None,
    part_model: Any = None,
    using: str = "default",
) -> LoadResult:
    """Upsert the Code from ``path`` (the packaged file by default); safe to run again.

    ``article_model``/``part_model`` default to the current models; a data migration
    passes its historical ones (``apps.get_model``).
    """
    if article_model is None or part_model is None:
        from .models import Article, ArticlePart

        article_model, part_model = article_model or Article, part_model or ArticlePart
    parsed = parse_code(read_rows(path or DATA_FILE))
    articles = [
        article_model(
            number=a.number,
            title=a.title,
            chapter=a.chapter,
            sort_key=a.sort_key,
            repealed=a.repealed,
            special_part=a.special_part,
        )
        for a in parsed
    ]
    parts = [
        part_model(article_id=a.number, number=p.number, text=p.text, paragraphs=p.paragraphs or [])
        for a in parsed
        for p in a.parts
    ]
    wanted_parts = {(a.number, p.number) for a in parsed for p in a.parts}
    with transaction.atomic(using=using):
        article_model.objects.using(using).bulk_create(
            articles,
            update_conflicts=True,
            unique_fields=["number"],
            update_fields=["title", "chapter", "sort_key", "repealed", "special_part"],
        )
        part_model.objects.using(using).bulk_create(
            parts,
            update_conflicts=True,
            unique_fields=["article", "number"],
            update_fields=["text", "paragraphs", "repealed"],
        )
        numbers = {a.number for a in parsed}
        gone_articles = [
            n
            for n in article_model.objects.using(using)
            .filter(repealed=False)
            .values_list("number", flat=True)
            if n not in numbers
        ]
        gone_parts = [
            pk
            for pk, article_id, number in part_model.objects.using(using)
            .filter(repealed=False)
            .values_list("pk", "article_id", "number")
            if (article_id, number) not in wanted_parts
        ]
        marked = 0
        for i in range(0, len(gone_articles), 500):
            marked += (
                article_model.objects.using(using)
                .filter(number__in=gone_articles[i : i + 500])
                .update(repealed=True)
            )
        for i in range(0, len(gone_parts), 500):
            marked += (
                part_model.objects.using(using)
                .filter(pk__in=gone_parts[i : i + 500])
                .update(repealed=True)
            )
    return LoadResult(articles=len(articles), parts=len(parts), marked_repealed=marked)


def ensure_code(using: str = "default", apps: Any = None) -> LoadResult | None:
    """Load the Code if its table exists but is empty; ``None`` when nothing was to do.

    Connected to ``post_migrate``: ``flush`` (run by transactional tests after each test)
    empties every table, migration 0002's rows included, and then sends that signal.
    """
    from django.apps import apps as global_apps
    from django.db import connections

    registry = apps or global_apps
    try:
        article_model = registry.get_model("qualification", "Article")
        part_model = registry.get_model("qualification", "ArticlePart")
    except LookupError:  # migrated back to zero
        return None
    connection = connections[using]
    if article_model._meta.db_table not in connection.introspection.table_names():
        return None
    if article_model.objects.using(using).exists():
        return None
    return load_code(article_model=article_model, part_model=part_model, using=using)
