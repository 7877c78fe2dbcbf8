"""The operator and user documentation stays true to the code it describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from tergeu.cases.access import Perm
from tergeu.cases.models import Stage
from tergeu.cases.stages import TRANSITIONS
from tergeu.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
#: How the user guide names the holder of each permission.
WHO = {
    Perm.WORK: "team",
    Perm.SUPERVISE: "prosecutor",
    Perm.ADJUDICATE: "court",
    Perm.MANAGE: "head",
}


def _doc(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def _stage_table() -> dict[str, list[str]]:
    rows = {}
    for line in _doc("docs/user-guide.md").splitlines():
        match = re.match(r"^\| `(\w+)` \|", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return rows


def test_the_stage_table_of_the_user_guide_is_the_stage_machine() -> None:
    rows = _stage_table()
    assert set(rows) == set(TRANSITIONS)
    with translation.override("en"):
        for name, t in TRANSITIONS.items():
            _code, label, sources, target, who, _needs, law = rows[name]
            assert label.startswith(f"{t.label} / "), name
            assert target.startswith(str(Stage(t.target).label)), name
            assert {str(Stage(s).label) for s in t.sources} == set(sources.split(", ")), name
            assert (who, law) == (WHO[t.perm], t.rule), name


def test_every_setting_read_from_the_environment_is_documented() -> None:
    code = "".join(p.read_text() for p in ROOT.glob("src/tergeu/**/*.py"))
    names = set(re.findall(r"""env_(?:str|bool|int|list)\(\s*"(\w+)\"""", code))
    names |= set(re.findall(r"""os\.environ\.get\(\s*"(\w+)\"""", code))
    names |= set(re.findall(r"""_key_kind\(\s*"(\w+)\"""", code))
    assert {"DATABASE_URL", "TERGEU_DATA_DIR", "TERGEU_SECRET_KEY"} <= names
    documented = set(re.findall(r"^\| `(\w+)` \|", _doc("docs/operations.md"), re.M))
    assert names <= documented


def test_every_tergeu_command_is_documented() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    operations = _doc("docs/operations.md")
    for command in commands:
        assert f"`tergeu {command}" in operations, command


@pytest.mark.parametrize("name", ["README.md", "docs/operations.md", "docs/user-guide.md"])
def test_links_between_the_documents_lead_somewhere(name: str) -> None:
    base = (ROOT / name).parent
    for target in re.findall(r"\]\(([^)#:]+)\)", _doc(name)):
        assert (base / target).exists(), target
