"""Compiling the gettext catalogues (.po to .mo) with Babel, so no system gettext is needed.

The .mo files are build output and are not committed; they are made at start-up when a
.po file is newer than its .mo.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def compile_catalogues(root: Path = ROOT) -> list[Path]:
    """Compile every ``locale/*/LC_MESSAGES/*.po`` under ``root`` that is out of date."""
    written = []
    for po in sorted(root.glob("**/locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        # Write beside and rename: a process reading the catalogue meanwhile (tests of
        # another app, a running server) sees the old file or the new one, never half.
        fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".django-", suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)
            os.chmod(tmp, 0o644)
            os.replace(tmp, mo)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(mo)
    return written
