"""Every app's catalogues: each marked string (Python and templates) translated into kk, ru
and en, placeholders kept, and Kazakh and Russian not left in English.

Python strings are found with Babel's extractor; template strings from ``{% translate %}``
and ``{% blocktranslate %}`` (whose ``{{ name }}`` becomes ``%(name)s``, as Django does).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[1] / "src" / "tergeu"
#: app -> (templates checked, English words a translation may keep as they are)
APPS = {
    "allocation": ("**/*.html", set()),
    "deadlines": ("**/*.*", {"SMS"}),
    "documents": ("**/*.html", {"SHA-256", "PDF", "ERDR"}),
    "qualification": ("**/*.html", {"SHA-256", "PDF", "ERDR"}),
    "intake": ("**/*.*", {"SMS"}),
    "legalaid": ("**/*.*", {"SMS"}),
    "notifications": ("**/*.*", {"SMS"}),
    "summons": ("**/*.*", {"SMS", "PDF", "ERDR"}),
}
LANGUAGES = ("kk", "ru", "en")
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None}
TRANSLATE = re.compile(r"""\{%\s*translate\s+(?:"([^"]*)"|'([^']*)')""")
BLOCK = re.compile(r"\{%\s*blocktranslate[^%]*%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.S)
VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _marked(app: str) -> set[str]:
    root = SRC / app
    found: set[str] = set()
    for path in sorted(root.glob("**/*.py")):
        if "migrations" in path.parts:
            continue
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    for path in sorted((root / "templates").glob(APPS[app][0])):
        text = path.read_text()
        for match in TRANSLATE.finditer(text):
            found.add(match.group(1) if match.group(1) is not None else match.group(2))
        for match in BLOCK.finditer(text):
            found.add(VARIABLE.sub(r"%(\1)s", match.group(1)))
    return found


def _catalogue(app: str, language: str) -> Catalog:
    with (SRC / app / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as fh:
        return read_po(fh, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("app", sorted(APPS))
def test_every_marked_string_is_translated(app: str, language: str) -> None:
    catalogue = _catalogue(app, language)
    translated = {str(m.id): str(m.string) for m in catalogue if m.id and m.string}
    missing = sorted(_marked(app) - set(translated))
    assert not missing, f"{app} {language}: not translated: {missing}"
    for message in catalogue:
        if message.id:
            assert not message.fuzzy, message.id
            wanted = sorted(PLACEHOLDER.findall(str(message.id)))
            assert sorted(PLACEHOLDER.findall(str(message.string))) == wanted, message.id


@pytest.mark.parametrize("app", sorted(APPS))
def test_kazakh_and_russian_are_not_english(app: str) -> None:
    """A translation that merely copies the English is a missing translation."""
    allowed = APPS[app][1]
    for language in ("kk", "ru"):
        for message in _catalogue(app, language):
            text = str(message.string)
            if message.id and text == message.id and text not in allowed:
                assert not re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", text)), (language, text)
