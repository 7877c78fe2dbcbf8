"""PDF rendering: Kazakh and Russian text survive extraction, output is reproducible."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tergeu.cases.models import Case
from tergeu.core import clock
from tergeu.documents.content import content_hash
from tergeu.documents.models import DocStatus, Document
from tergeu.documents.pdf import FONT_DIR, render_pdf

from .tools import pdftotext

pytestmark = pytest.mark.django_db

KAZAKH = "Ә Ғ Қ Ң Ө Ұ Ү Һ І ә ғ қ ң ө ұ ү һ і"
KAZAKH_TEXT = "Қылмыстық істің материалдарын қарап, тергеуші анықтады: күдікті Әлиев Ұ. Һ."
RUSSIAN_TEXT = "Следователь, рассмотрев материалы уголовного дела, УСТАНОВИЛ: «Ёжик» съел щи."


def _final(case: Case, investigator: Any, body: str, language: str = "kk") -> Document:
    """A finalised document row made directly (the PDF renderer only reads it)."""
    moment = dt.datetime(2025, 3, 10, 4, 0, tzinfo=dt.UTC)
    doc = Document(
        case=case,
        doc_type="resolution_acceptance",
        number=7,
        title="Қылмыстық істі өз іс жүргізуіне қабылдау туралы қаулы",
        fields={},
        body=body,
        language=language,
        author=investigator,
        status=DocStatus.FINAL,
        finalised_at=moment,
        finalised_by=investigator,
    )
    doc.content_sha256 = content_hash(doc)
    with clock.frozen(moment):
        doc.save()
    return doc


def test_the_vendored_fonts_and_their_licence_are_packaged() -> None:
    names = {p.name for p in FONT_DIR.iterdir()}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"} <= names
    assert "Bitstream" in (FONT_DIR / "LICENSE").read_text()


def test_kazakh_and_russian_come_out_of_pdftotext_as_written(
    case: Case, investigator: Any, tmp_path: Path
) -> None:
    body = f"ҚАУЛЫ\n\n{KAZAKH}\n{KAZAKH_TEXT}\n\n{RUSSIAN_TEXT}\n"
    doc = _final(case, investigator, body)
    text = pdftotext(render_pdf(doc), tmp_path)
    assert KAZAKH in text
    assert KAZAKH_TEXT in text
    assert RUSSIAN_TEXT in text
    assert "ҚАУЛЫ" in text
    # Header and footer: issuing body, ERDR number, number and date, hash, pages.
    assert case.organisation.name_kk in text
    assert f"СДТБТ № {case.erdr_number}" in text
    assert "Құжат № 7" in text
    assert "2025 жылғы 10 наурыз" in text
    assert doc.content_sha256 in text
    assert "Бет 1/1" in text


def test_a_long_russian_document_breaks_into_numbered_pages(
    case: Case, investigator: Any, tmp_path: Path
) -> None:
    body = "ПОСТАНОВЛЕНИЕ\n\n" + "\n".join(f"{i}. {RUSSIAN_TEXT}" for i in range(1, 120))
    doc = _final(case, investigator, body, language="ru")
    pdf = render_pdf(doc)
    pages = int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])
    assert pages > 2
    text = pdftotext(pdf, tmp_path)
    assert f"ЕРДР № {case.erdr_number}" in text
    assert "Документ № 7" in text
    assert "«10» марта 2025 года" in text
    for page in range(1, pages + 1):
        assert f"Стр. {page}/{pages}" in text
    assert text.count(f"ЕРДР № {case.erdr_number}") == pages  # the header on every page
    assert f"119. {RUSSIAN_TEXT}" in text


def test_the_pdf_is_reproducible_and_carries_its_content(case: Case, investigator: Any) -> None:
    doc = _final(case, investigator, f"ҚАУЛЫ\n\n{KAZAKH_TEXT}\n")
    first = render_pdf(doc)
    again = render_pdf(Document.objects.select_related("case").get(pk=doc.pk))
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(again).hexdigest()
    assert b"/PDF/A" not in first  # PDF/A is declared in XMP, not as a name
    assert b"pdfaid:part>3<" in first
    reader = PdfFileReader(io.BytesIO(first))
    files = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert files[0] == "content.json"
    stream = files[1]["/EF"]["/F"].get_object()
    content = stream.data
    assert hashlib.sha256(content).hexdigest() == doc.content_sha256
    assert json.loads(content)["body"] == doc.body


def test_a_draft_renders_as_an_unsigned_preview(
    case: Case, investigator: Any, tmp_path: Path
) -> None:
    doc = _final(case, investigator, "ПОСТАНОВЛЕНИЕ\n\nТекст проекта.\n", language="ru")
    draft = Document(
        case=case,
        doc_type=doc.doc_type,
        number=8,
        title="Проект",
        fields={},
        body="ПОСТАНОВЛЕНИЕ\n\nТекст проекта.\n",
        language="ru",
        author=investigator,
        created_at=doc.created_at,
        updated_at=doc.updated_at,
    )
    text = pdftotext(render_pdf(draft), tmp_path)
    assert "ПРОЕКТ — не подписан" in text
    assert "Текст проекта." in text
