"""The web UI's catalogues: Kazakh and Russian complete, placeholders kept, headers right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "src" / "tergeu" / "web" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%\(\w+\)0\d[sd]")


def _catalogue(language: str) -> Catalog:
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as fh:
        return read_po(fh, locale=language)


def _ids(language: str) -> set[object]:
    return {(m.context, str(m.id)) for m in _catalogue(language) if m.id}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_string_is_translated_with_its_placeholders(language: str) -> None:
    catalogue = _catalogue(language)
    assert catalogue.plural_forms.startswith(f"nplurals={2 if language == 'kk' else 3};")
    for message in catalogue:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), f"{language}: {message.id!r} is not translated"
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, (language, message.id, text)


def test_the_three_catalogues_hold_the_same_strings() -> None:
    assert _ids("kk") == _ids("ru") == _ids("en")
