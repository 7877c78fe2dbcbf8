"""Every reason, label and message of allocation is translated to Kazakh and Russian."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

APP = Path(__file__).resolve().parents[2] / "src" / "tergeu" / "allocation"
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _marked() -> set[str]:
    found = set()
    for path in sorted(APP.glob("**/*.py")):
        if "migrations" in path.parts:
            continue
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            found.add(message)
    return found


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_catalogue_is_complete(language: str) -> None:
    with (APP / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as fh:
        catalogue = read_po(fh, locale=language)
    assert not catalogue.fuzzy
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    assert not sorted(_marked() - set(translated))
    for msgid, msgstr in translated.items():
        assert sorted(PLACEHOLDER.findall(str(msgid))) == sorted(PLACEHOLDER.findall(str(msgstr)))
