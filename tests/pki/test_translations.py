"""The PKI's catalogues: every message translated in kk and ru with its placeholders, and
the reasons of a refused signature in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tergeu.integrity.pki import services

PACKAGE = Path(services.__file__).resolve().parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalogue(language: str) -> Catalog:
    with (PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as fh:
        return read_po(fh, locale=language)


def _source_ids() -> set[str]:
    return {
        msg
        for _f, _l, msg, _c, _ctx in extract_from_dir(
            str(PACKAGE),
            method_map=[("**.py", "python")],
            keywords={"_": None, "gettext": None, "gettext_lazy": None},
        )
    }


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_catalogue_is_complete(language: str) -> None:
    catalogue = _catalogue(language)
    assert catalogue.plural_forms.startswith(f"nplurals={3 if language == 'ru' else 2};")
    ids = {str(m.id) for m in catalogue if m.id}
    assert ids == _source_ids()
    for message in catalogue:
        if not message.id:
            continue
        assert not message.fuzzy
        assert message.string, f"{language}: {message.id!r} is not translated"
        assert set(PLACEHOLDER.findall(str(message.string))) == set(
            PLACEHOLDER.findall(str(message.id))
        )
        if language != "en":
            assert message.string != message.id or message.id == "subject"


@pytest.mark.django_db
def test_reasons_in_the_readers_language(pki: None) -> None:
    verdict = services.verify_detached_cms(b"data", b"garbage")
    with translation.override("ru"):
        assert verdict.texts() == ["Это не подпись CMS (PKCS#7)."]
    with translation.override("kk"):
        assert verdict.texts() == ["Бұл CMS (PKCS#7) қолтаңбасы емес."]
    reason = services.Reason(
        "revoked",
        _("The signer's certificate was revoked on %(date)s."),
        {"date": "2026-11-29 10:00 UTC"},
    )
    with translation.override("kk"):
        assert str(reason) == (
            "Қол қоюшының тіркеу куәлігі 2026-11-29 10:00 UTC кері қайтарылып алынған."
        )
    with translation.override("ru"):
        assert str(reason) == "Сертификат подписавшего отозван 2026-11-29 10:00 UTC."
