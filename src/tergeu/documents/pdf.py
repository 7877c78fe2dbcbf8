"""A procedural document as PDF (PDF/A-3B, DejaVu fonts embedded), ready to be signed.

The page carries a header (the body that issues the document, the ERDR number, the
document's number, type and date), the text rendered by :mod:`.rendering` in the
document's own language, and a footer with the SHA-256 of the signed content and the page
number. The canonical content (:func:`.content.content_of`) is attached as
``content.json`` (an associated file, relationship ``Source``), so the PDF alone is enough
to recompute ``content_sha256``.

The output is deterministic: the same finalised document gives byte-identical PDF
(creation date = ``finalised_at``, the file identifier derived from the content hash, no
"now" anywhere), so the hash of the unsigned PDF can be reproduced from the database.
Labels are in the document's language, not the reader's, as the rest of its text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from html import escape
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from tergeu.core.clock import local
from tergeu.integrity.journal import canonical_json

from .content import content_of
from .models import Document
from .rendering import format_date

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
PRODUCER = "Tergeu"

#: Words of the header and footer, in the document's language.
LABELS: dict[str, dict[str, str]] = {
    "kk": {
        "erdr": "СДТБТ №",
        "number": "Құжат №",
        "date": "Күні",
        "page": "Бет {page}/{pages}",
        "draft": "ЖОБА — қол қойылмаған",
        "sha": "Мазмұнның SHA-256",
    },
    "ru": {
        "erdr": "ЕРДР №",
        "number": "Документ №",
        "date": "Дата",
        "page": "Стр. {page}/{pages}",
        "draft": "ПРОЕКТ — не подписан",
        "sha": "SHA-256 содержания",
    },
    "en": {
        "erdr": "ERDR No.",
        "number": "Document No.",
        "date": "Date",
        "page": "Page {page}/{pages}",
        "draft": "DRAFT — not signed",
        "sha": "SHA-256 of the content",
    },
}

_XMP = """<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Tergeu">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
    <rdf:Description rdf:about=""
        xmp:CreatorTool="{producer}"
        xmp:CreateDate="{when}"
        xmp:ModifyDate="{when}"
        xmp:MetadataDate="{when}"
        pdf:Producer="{producer}">
      <pdfaid:part>3</pdfaid:part>
      <pdfaid:conformance>B</pdfaid:conformance>
      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
      <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
      <dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>
    </rdf:Description>
  </rdf:RDF>
</x:xmpmeta>"""


class _Page(FPDF):
    """A4 pages with the document's header and footer."""

    def __init__(self, header: list[str], footer: str, labels: dict[str, str], file_id: str):
        super().__init__(format="A4", enforce_compliance="PDFA_3B")
        self._header_lines = header
        self._footer_text = footer
        self._labels = labels
        self._file_id = file_id

    def file_id(self) -> str:
        """A fixed identifier (derived from the document), so the output is reproducible."""
        return self._file_id

    def header(self) -> None:
        """Issuing body, ERDR number, number/type/date of the document; a rule below."""
        self.set_font(FONT, "", 8)
        self.set_text_color(60, 60, 60)
        for line in self._header_lines:
            self.multi_cell(0, 4, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y = self.get_y() + 1
        self.set_draw_color(150, 150, 150)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_y(y + 4)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        """The content hash and the page number."""
        self.set_y(-15)
        self.set_font(FONT, "", 7)
        self.set_text_color(90, 90, 90)
        page = self._labels["page"].format(page=self.page_no(), pages="{nb}")
        self.cell(self.epw - 30, 4, self._footer_text)
        self.cell(30, 4, page, align="R")


def _file_id(doc: Document) -> str:
    seed = hashlib.sha256(f"tergeu-document:{doc.pk}:{doc.content_sha256}".encode())
    part = seed.hexdigest()[:32].upper()
    return f"<{part}><{part}>"


def _moment(doc: Document) -> dt.datetime:
    moment = doc.finalised_at or doc.updated_at or doc.created_at
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def header_lines(doc: Document) -> list[str]:
    """The header's lines: issuing body; ERDR number; number, type and date."""
    language = doc.language if doc.language in LABELS else "ru"
    labels = LABELS[language]
    org = doc.case.organisation
    body = getattr(org, f"name_{language}", "") or org.name_ru
    when = local(_moment(doc)).date()
    return [
        body,
        f"{labels['erdr']} {doc.case.erdr_number}",
        f"{labels['number']} {doc.number} · {doc.title} · "
        f"{labels['date']}: {format_date(when, language)}",
    ]


def render_pdf(doc: Document) -> bytes:
    """The document as an unsigned PDF; byte-identical for the same finalised document.

    A draft renders too (a preview): its footer says it is a draft and not signed.
    """
    language = doc.language if doc.language in LABELS else "ru"
    labels = LABELS[language]
    moment = _moment(doc)
    if doc.is_final and doc.content_sha256:
        footer = f"{labels['sha']}: {doc.content_sha256}"
    else:
        footer = labels["draft"]
    pdf = _Page(header_lines(doc), footer, labels, _file_id(doc))
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(moment)
    pdf.set_producer(PRODUCER)
    pdf.set_creator(PRODUCER)
    pdf.set_title(doc.title)
    pdf.set_author(_author(doc))
    pdf.set_lang(language)
    pdf.set_xmp_metadata(
        _XMP.format(
            producer=PRODUCER,
            when=moment.isoformat(),
            title=escape(doc.title),
            author=escape(_author(doc)),
            language=language,
        )
    )
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 15, 15)
    pdf.add_page()
    _body(pdf, doc.body)
    if doc.is_final:
        pdf.embed_file(
            bytes=canonical_json(content_of(doc)).encode(),
            basename="content.json",
            desc="Canonical content (RFC 8785); its SHA-256 is content_sha256",
            creation_date=moment,
            modification_date=moment,
            mime_type="application/json",
            associated_file_relationship="Source",
        )
    return bytes(pdf.output())


def _author(doc: Document) -> str:
    user: Any = doc.finalised_by if doc.finalised_by_id else doc.author
    full = " ".join(p for p in (user.last_name, user.first_name, user.patronymic) if p)
    return full or user.username


def _body(pdf: FPDF, text: str) -> None:
    """The text: the heading lines (up to the first blank line) bold and centred."""
    lines = text.rstrip("\n").split("\n")
    heading = True
    for line in lines:
        if heading and not line.strip():
            heading = False
        if heading:
            pdf.set_font(FONT, "B", 12)
            pdf.multi_cell(0, 6, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            continue
        pdf.set_font(FONT, "", 11)
        if not line.strip():
            pdf.ln(3)
            continue
        pdf.multi_cell(0, 5.5, line, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
