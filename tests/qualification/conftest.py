"""Fixtures of the Criminal Code tests: the Code in the database, compiled catalogues."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.utils.translation.reloader import translation_file_changed

import tergeu.qualification
from tergeu.qualification.loader import load_code
from tergeu.qualification.models import Article

APP_DIR = Path(tergeu.qualification.__file__).resolve().parent


@pytest.fixture
def code(db: None) -> None:
    """The Code as migration 0002 loads it (again, if a transactional test emptied it)."""
    if not Article.objects.exists():
        load_code()


@pytest.fixture(scope="session")
def catalogues() -> None:
    """This app's .po files compiled to .mo (atomically: xdist workers run side by side)."""
    for po in APP_DIR.glob("locale/*/LC_MESSAGES/django.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        os.replace(tmp, po.with_suffix(".mo"))
    translation_file_changed(sender=None, file_path=Path("django.mo"))
