"""The integrity app's catalogues (the journal API, the export button and its messages):
every string of its code and templates is translated into Kazakh and Russian with the same
placeholders, and the three catalogues hold the same ids. The PKI has its own catalogues
(tests/pki/test_translations.py)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file, extract_python
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

APP = Path(__file__).resolve().parents[2] / "src" / "tergeu" / "integrity"
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _catalogue(language: str) -> Catalog:
    with (APP / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as fh:
        return read_po(fh, locale=language)


def _marked() -> set[str]:
    """Strings marked for translation in the app's modules and templates (not the PKI's)."""
    found: set[str] = set()
    for path in APP.glob("**/*.py"):
        if "migrations" in path.parts or "pki" in path.relative_to(APP).parts:
            continue
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            found.add(message)
    for path in APP.glob("templates/**/*.html"):
        code = templatize(path.read_text(), origin=str(path))
        for _line, _func, message, _comments in extract_python(
            io.BytesIO(code.encode()), ["gettext", "pgettext", "ngettext"], [], {}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_extraction_sees_the_code_and_the_templates() -> None:
    marked = _marked()
    assert "Download verifiable export" in marked  # the button's template
    assert any(m.startswith("Only the case team") for m in marked)  # export.py


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_string_is_translated_with_its_placeholders(language: str) -> None:
    catalogue = _catalogue(language)
    assert not catalogue.fuzzy
    assert catalogue.num_plurals == {"kk": 2, "ru": 3}[language]
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_marked() - set(translated))
    assert not missing, f"{language}: not translated: {missing}"
    for msgid, msgstr in translated.items():
        assert sorted(PLACEHOLDER.findall(str(msgid))) == sorted(
            PLACEHOLDER.findall(str(msgstr))
        ), msgid
        assert msgstr != msgid, f"{language}: {msgid!r} is left in English"


def test_the_three_catalogues_hold_the_same_strings() -> None:
    ids = [{m.id for m in _catalogue(lang) if m.id} for lang in ("kk", "ru", "en")]
    assert ids[0] == ids[1] == ids[2]
    assert ids[0] == _marked(), "strings no longer used, or new ones missing"
