"""The catalogues compiled before messages are rendered in Kazakh and Russian."""

from __future__ import annotations

import fcntl
import tempfile
from pathlib import Path

import pytest
from django.utils.translation.reloader import translation_file_changed

from tergeu.web.translations import compile_catalogues


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """The .po files compiled to .mo (build output), under the lock the other suites take."""
    lock = Path(tempfile.gettempdir()) / "tergeu-compile-catalogues.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            written = compile_catalogues()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if written:
        translation_file_changed(None, written[0])
