"""``tergeu qualification evaluate FILE.jsonl``: how well the assistant does on a labelled set.

Each line is ``{"text": ..., "lang": ..., "label": {"article": "188", "part": "2"}}`` for a
criminal offence or ``{"text": ..., "label": {"kind": "not_crime"}}`` for anything else
(``lang`` is optional). Reports accuracy@1 and @3 by article and by article+part over the
crime lines, crime/not-crime accuracy over all lines, and the most frequent confusions.
Bad input exits with code 2 and names the line.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO


class BadInput(ValueError):
    """The evaluation file cannot be read; the message names the line."""


@dataclass
class Example:
    line: int
    text: str
    lang: str | None
    article: str  # "" for not_crime
    part: str


def read_examples(path: Path) -> list[Example]:
    """The examples of ``path``; raises :class:`BadInput` naming the first bad line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot be read: {exc}") from None
    examples = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(item, dict):
            raise BadInput(f"{where}: a line must be a JSON object")
        text, label = item.get("text"), item.get("label")
        if not isinstance(text, str) or not text.strip():
            raise BadInput(f'{where}: missing "text"')
        if not isinstance(label, dict):
            raise BadInput(f'{where}: missing "label"')
        lang = item.get("lang")
        if lang is not None and not isinstance(lang, str):
            raise BadInput(f'{where}: "lang" must be a string')
        if label.get("kind") == "not_crime":
            examples.append(Example(number, text, lang, "", ""))
        elif isinstance(label.get("article"), str) and label["article"].strip():
            part = label.get("part") or ""
            examples.append(Example(number, text, lang, label["article"].strip(), str(part)))
        else:
            raise BadInput(
                f'{where}: the label needs "article" (and "part") or "kind": "not_crime"'
            )
    if not examples:
        raise BadInput(f"{path}: no examples")
    return examples


@dataclass
class Report:
    total: int = 0
    crimes: int = 0
    kind_correct: int = 0
    article_at1: int = 0
    article_at3: int = 0
    part_at1: int = 0
    part_at3: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def ratio(self, value: int, of: int) -> float:
        return round(value / of, 3) if of else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "examples": self.total,
            "crime_examples": self.crimes,
            "crime_not_crime_accuracy": self.ratio(self.kind_correct, self.total),
            "article_accuracy_at_1": self.ratio(self.article_at1, self.crimes),
            "article_accuracy_at_3": self.ratio(self.article_at3, self.crimes),
            "article_part_accuracy_at_1": self.ratio(self.part_at1, self.crimes),
            "article_part_accuracy_at_3": self.ratio(self.part_at3, self.crimes),
            "confusions": [
                {"expected": e, "got": g, "count": n}
                for (e, g), n in self.confusions.most_common(10)
            ],
        }


def evaluate(examples: list[Example], on: datetime.date | None = None) -> Report:
    """Run the assistant on every example and count."""
    from .assistant import assess

    report = Report()
    for ex in examples:
        result = assess(ex.text, ex.lang, on=on)
        report.total += 1
        predicted_crime = result.kind == "crime"
        expected_crime = bool(ex.article)
        if predicted_crime == expected_crime:
            report.kind_correct += 1
        if not expected_crime:
            if predicted_crime:
                top = result.candidates[0].article if result.candidates else "crime"
                report.confusions[("not_crime", top)] += 1
                report.errors.append({"line": ex.line, "expected": "not_crime", "got": top})
            continue
        report.crimes += 1
        articles = [c.article for c in result.candidates] if predicted_crime else []
        pairs = [(c.article, c.part) for c in result.candidates] if predicted_crime else []
        report.article_at1 += ex.article in articles[:1]
        report.article_at3 += ex.article in articles[:3]
        report.part_at1 += (ex.article, ex.part) in pairs[:1]
        report.part_at3 += (ex.article, ex.part) in pairs[:3]
        got = articles[0] if articles else result.kind
        if got != ex.article:
            report.confusions[(ex.article, got)] += 1
            report.errors.append({"line": ex.line, "expected": ex.article, "got": got})
        elif pairs[0][1] != ex.part:
            label = f"{ex.article}({ex.part})"
            report.confusions[(label, f"{ex.article}({pairs[0][1]})")] += 1
    return report


def print_report(report: Report, out: TextIO) -> None:
    data = report.as_json()
    out.write(f"examples: {data['examples']} ({data['crime_examples']} criminal offences)\n")
    out.write(f"crime/not-crime accuracy: {data['crime_not_crime_accuracy']:.3f}\n")
    out.write(f"article accuracy@1: {data['article_accuracy_at_1']:.3f}\n")
    out.write(f"article accuracy@3: {data['article_accuracy_at_3']:.3f}\n")
    out.write(f"article+part accuracy@1: {data['article_part_accuracy_at_1']:.3f}\n")
    out.write(f"article+part accuracy@3: {data['article_part_accuracy_at_3']:.3f}\n")
    out.write("most frequent confusions (expected -> got):\n")
    if not data["confusions"]:
        out.write("  none\n")
    for item in data["confusions"]:
        out.write(f"  {item['expected']} -> {item['got']}: {item['count']}\n")


def command(path: str, *, as_json: bool = False, on: str | None = None) -> int:
    """The CLI command: 0 when it ran, 2 on bad input."""
    try:
        examples = read_examples(Path(path))
        date = datetime.date.fromisoformat(on) if on else None
    except BadInput as exc:
        sys.stderr.write(f"tergeu qualification evaluate: {exc}\n")
        return 2
    except ValueError:
        sys.stderr.write(f"tergeu qualification evaluate: --on {on!r} is not a date\n")
        return 2
    report = evaluate(examples, on=date)
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        print_report(report, sys.stdout)
    return 0
