"""``tergeu qualification evaluate``: figures on a labelled file, clear errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tergeu.cli import main

GOOD = [
    {
        "text": "У меня в автобусе украли телефон",
        "lang": "ru",
        "label": {"article": "188", "part": "1"},
    },
    {"text": "Двое парней ударили меня и отобрали сумку", "label": {"article": "191", "part": "2"}},
    {"text": "Соседи громко слушают музыку ночью", "lang": "ru", "label": {"kind": "not_crime"}},
    {
        "text": "My friend borrowed money and does not pay back the debt",
        "label": {"kind": "not_crime"},
    },
    # deliberately mislabelled: shows up as a confusion
    {"text": "Сосед угрожал убить меня", "lang": "ru", "label": {"article": "188", "part": "1"}},
]


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_figures_on_a_good_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, [json.dumps(item, ensure_ascii=False) for item in GOOD])
    assert main(["qualification", "evaluate", str(path), "--on", "2025-06-01"]) == 0
    out = capsys.readouterr().out
    assert "examples: 5 (3 criminal offences)" in out
    assert "crime/not-crime accuracy: 1.000" in out
    assert "article accuracy@1: 0.667" in out
    assert "188 -> 115: 1" in out


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, [json.dumps(item, ensure_ascii=False) for item in GOOD[:3]])
    assert main(["qualification", "evaluate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["examples"] == 3
    assert data["article_accuracy_at_3"] == 1.0
    assert data["article_part_accuracy_at_1"] == 1.0


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"text": "x", "label": {"kind": "not_crime"}}', "{not json"], ":2: not valid JSON"),
        (['{"text": "украли телефон"}'], ':1: missing "label"'),
        (['{"label": {"kind": "not_crime"}}'], ':1: missing "text"'),
        (['{"text": "x", "label": {"part": "2"}}'], ':1: the label needs "article"'),
        (["[1, 2]"], ":1: a line must be a JSON object"),
        ([""], "no examples"),
    ],
)
def test_bad_lines_exit_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], message: str
) -> None:
    path = _write(tmp_path, lines)
    assert main(["qualification", "evaluate", str(path)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qualification", "evaluate", str(tmp_path / "none.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
