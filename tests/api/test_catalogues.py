"""The Kazakh and Russian catalogues of core, accounts, intake and cases are complete.

Every string marked for translation in those apps (and in the API module, whose strings
live in core's catalogue) has a translation with the same ``%(name)s`` placeholders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[2] / "src" / "tergeu"
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None}
APPS = {
    "core": [*sorted((SRC / "core").glob("**/*.py")), SRC / "api.py"],
    "accounts": sorted((SRC / "accounts").glob("**/*.py")),
    "intake": sorted((SRC / "intake").glob("**/*.py")),
    "cases": sorted((SRC / "cases").glob("**/*.py")),
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _marked(files: list[Path]) -> set[str]:
    found = set()
    for path in files:
        if "migrations" in path.parts:
            continue
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            found.add(message)
    return found


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("app", sorted(APPS))
def test_catalogue_is_complete(app: str, language: str) -> None:
    po = SRC / app / "locale" / language / "LC_MESSAGES" / "django.po"
    with po.open("rb") as fh:
        catalogue = read_po(fh, locale=language)
    assert not catalogue.fuzzy
    expected_plurals = {"kk": 2, "ru": 3}[language]
    assert catalogue.num_plurals == expected_plurals
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_marked(APPS[app]) - set(translated))
    assert not missing, f"{po}: not translated: {missing}"
    for msgid, msgstr in translated.items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(str(msgstr))), msgid
