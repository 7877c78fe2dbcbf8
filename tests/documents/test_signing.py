"""Finalising signs the PDF (PAdES, RFC 3161), others countersign; pdfsig agrees.

The PKI is the real one (``tergeu.integrity.pki``): certificates are issued on the first
signature, keys stay in key custody, the timestamp comes from the built-in TSA.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from tergeu.cases.models import Case
from tergeu.core import blobs, clock
from tergeu.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from tergeu.documents import services
from tergeu.documents.models import Document, DocumentSignature, SignatureRole
from tergeu.documents.signatures import check_signatures, latest_pdf_sha256
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tergeu.integrity.pki import services as pki
from tergeu.integrity.pki.models import Certificate
from tergeu.integrity.signing import sign_pdf, verify_pdf

from .samples import sample_fields
from .tools import nss_database, pdfsig, pdftotext

pytestmark = pytest.mark.django_db

ACCEPT = "resolution_acceptance"


def _final(user: Any, case: Case, people: dict[str, str], language: str = "kk") -> Document:
    doc = services.create_draft(user, case.pk, ACCEPT, sample_fields(ACCEPT, people), language)
    return services.finalise(user, doc.pk, version=1)


def _pdf(doc: Document) -> bytes:
    sha = latest_pdf_sha256(doc)
    assert sha is not None
    return blobs.read_bytes(sha)


@pytest.fixture
def nss(tmp_path: Path) -> str:
    """An NSS database that trusts our root CA (as a relying party would set one up)."""
    pki.ensure_pki()
    return nss_database(tmp_path / "nssdb", [root.dump() for root in pki.trust_roots()])


def test_finalise_signs_the_pdf_and_pdfsig_trusts_it(
    case: Case, investigator: Any, people: dict[str, str], nss: str, tmp_path: Path
) -> None:
    doc = _final(investigator, case, people)
    stored = Document.objects.get(pk=doc.pk)
    assert stored.pdf_sha256
    assert blobs.verify(stored.pdf_sha256)
    pdf = blobs.read_bytes(stored.pdf_sha256)

    [verdict] = verify_pdf(pdf)
    assert verdict.ok, verdict.problems
    assert (verdict.intact, verdict.valid, verdict.trusted, verdict.timestamp_ok) == (True,) * 4
    assert verdict.certification
    assert verdict.whole_document
    assert verdict.field == "tergeu-author"
    assert verdict.signer == "Серикова Айгерим Болатовна"
    assert verdict.reason == "Құжатты жасады және қол қойды"
    assert verdict.location == case.organisation.region.name_kk
    cert = Certificate.objects.get(user=investigator, revoked_at__isnull=True)
    assert verdict.serial == cert.serial

    [row] = DocumentSignature.objects.filter(document=doc)
    assert (row.sequence, row.role, row.signer_id) == (1, SignatureRole.AUTHOR, investigator.pk)
    assert (row.pdf_sha256, row.certificate_serial) == (stored.pdf_sha256, cert.serial)
    assert row.case_id == case.pk

    [report] = pdfsig(pdf, nss, tmp_path)
    assert report["Signature Validation"] == "Signature is Valid."
    assert report["Certificate Validation"] == "Certificate is Trusted."
    assert report["Signature Type"] == "ETSI.CAdES.detached"
    assert "Total document signed" in report
    text = pdftotext(pdf, tmp_path)  # signing did not disturb the text
    assert "ҚАУЛЫ" in text
    assert stored.content_sha256 in text


def test_the_journal_carries_the_hashes_of_the_content_and_the_pdf(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people, language="ru")
    stored = Document.objects.get(pk=doc.pk)
    data = payload_of(Event.objects.get(action="document.finalised"))["data"]
    assert data["content_sha256"] == stored.content_sha256
    assert data["pdf_sha256"] == stored.pdf_sha256
    assert data["certificate"] == DocumentSignature.objects.get(document=doc).certificate_serial
    # The signed PDF begins with the reproducible rendering, byte for byte.
    from tergeu.documents.pdf import render_pdf

    rendered = render_pdf(Document.objects.select_related("case").get(pk=doc.pk))
    assert hashlib.sha256(rendered).hexdigest() == data["rendered_pdf_sha256"]
    assert blobs.read_bytes(data["pdf_sha256"]).startswith(rendered)
    assert Event.objects.filter(action="pki.certificate_issued", actor=investigator).exists()


def test_head_and_prosecutor_countersign_incrementally(
    case: Case,
    investigator: Any,
    head: Any,
    prosecutor: Any,
    people: dict[str, str],
    nss: str,
    tmp_path: Path,
) -> None:
    doc = _final(investigator, case, people)
    first = latest_pdf_sha256(doc)
    assert services.countersign_roles(head, doc) == [SignatureRole.APPROVAL]
    assert services.countersign_roles(prosecutor, doc) == [SignatureRole.PROSECUTOR]
    assert services.countersign_roles(investigator, doc) == []

    services.countersign(head, doc.pk, role=SignatureRole.APPROVAL)
    two = _pdf(doc)
    assert two.startswith(blobs.read_bytes(first))  # an incremental update
    verdicts = verify_pdf(two)
    assert [v.field for v in verdicts] == ["tergeu-author", "tergeu-approval"]
    assert all(v.ok for v in verdicts), [v.problems for v in verdicts]
    assert [v.whole_document for v in verdicts] == [False, True]
    assert verdicts[1].signer == "Оспанов Бауыржан Болатовна"
    assert not verdicts[1].certification
    assert [r["Certificate Validation"] for r in pdfsig(two, nss, tmp_path)] == [
        "Certificate is Trusted."
    ] * 2

    services.countersign(prosecutor, doc.pk, role=SignatureRole.PROSECUTOR)
    three = _pdf(doc)
    verdicts = verify_pdf(three)
    assert [v.field for v in verdicts] == ["tergeu-author", "tergeu-approval", "tergeu-prosecutor"]
    assert all(v.ok for v in verdicts), [v.problems for v in verdicts]
    assert verdicts[2].reason == "Келісілді (қадағалаушы прокурор)"
    reports = pdfsig(three, nss, tmp_path)
    assert [r["Signature Validation"] for r in reports] == ["Signature is Valid."] * 3
    assert [r["Certificate Validation"] for r in reports] == ["Certificate is Trusted."] * 3

    rows = list(DocumentSignature.objects.filter(document=doc).order_by("sequence"))
    assert [(r.sequence, r.role) for r in rows] == [
        (1, "author"),
        (2, "approval"),
        (3, "prosecutor"),
    ]
    assert rows[-1].pdf_sha256 == hashlib.sha256(three).hexdigest()
    events = Event.objects.filter(action="document.countersigned").order_by("seq")
    data = [payload_of(e)["data"] for e in events]
    assert [d["role"] for d in data] == ["approval", "prosecutor"]
    assert data[0]["previous_pdf_sha256"] == first
    assert data[1]["pdf_sha256"] == rows[-1].pdf_sha256
    # The document row itself never changed.
    assert Document.objects.get(pk=doc.pk).pdf_sha256 == first
    checks = check_signatures(Document.objects.select_related("case").get(pk=doc.pk))
    assert [c.ok for c in checks] == [True, True, True]
    assert services.countersign_roles(head, doc) == []


def test_each_role_signs_once_and_nobody_twice(
    case: Case, investigator: Any, head: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people)
    services.countersign(head, doc.pk, role=SignatureRole.APPROVAL)
    with pytest.raises(Conflict, match="already bears this signature"):
        services.countersign(head, doc.pk, role=SignatureRole.APPROVAL)
    with pytest.raises(ValidationFailed) as excinfo:
        services.countersign(head, doc.pk, role=SignatureRole.AUTHOR)
    assert "role" in excinfo.value.fields
    draft = services.create_draft(investigator, case.pk, ACCEPT, sample_fields(ACCEPT, people))
    with pytest.raises(Conflict, match="Only a finalised document"):
        services.countersign(head, draft.pk, role=SignatureRole.APPROVAL)
    # The head drafted and signed a document of their own: they do not approve it too.
    own = _final(head, case, people)
    with pytest.raises(Conflict, match="already signed this document"):
        services.countersign(head, own.pk, role=SignatureRole.APPROVAL)
    assert DocumentSignature.objects.filter(document=doc).count() == 2


def test_finalising_twice_is_a_conflict_and_signs_nothing_more(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people)
    blobs_before = latest_pdf_sha256(doc)
    with pytest.raises(Conflict, match="already finalised"):
        services.finalise(investigator, doc.pk, version=2)
    assert DocumentSignature.objects.filter(document=doc).count() == 1
    assert latest_pdf_sha256(doc) == blobs_before
    assert Event.objects.filter(action="document.finalised").count() == 1


def test_countersigning_without_the_right_is_refused_and_journaled(
    case: Case,
    investigator: Any,
    outsider: Any,
    head: Any,
    prosecutor: Any,
    people: dict[str, str],
) -> None:
    doc = _final(investigator, case, people)
    attempts = [
        (investigator, SignatureRole.APPROVAL, AccessDenied),  # works on the case, not its head
        (prosecutor, SignatureRole.APPROVAL, AccessDenied),
        (head, SignatureRole.PROSECUTOR, AccessDenied),
        (outsider, SignatureRole.APPROVAL, NotFound),  # no grant: the case is not revealed
    ]
    for user, role, error in attempts:
        with pytest.raises(error):
            services.countersign(user, doc.pk, role=role)
    with pytest.raises(NotFound):
        services.countersign(head, "not-a-document", role=SignatureRole.APPROVAL)
    denials = [payload_of(e) for e in Event.objects.filter(action="access.denied")]
    assert [d["actor"] for d in denials[:4]] == [
        str(u.pk) for u in (investigator, prosecutor, head, outsider)
    ]
    assert {d["data"]["service"] for d in denials} == {"countersign"}
    assert DocumentSignature.objects.filter(document=doc).count() == 1
    assert not Event.objects.filter(action="document.countersigned").exists()


def test_a_changed_byte_in_the_stored_pdf_is_reported(
    case: Case, investigator: Any, head: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people)
    services.countersign(head, doc.pk, role=SignatureRole.APPROVAL)
    sha = latest_pdf_sha256(doc)
    assert sha is not None
    path = blobs.path_of(sha)
    data = bytearray(path.read_bytes())
    at = data.index(b"stream\n", 2000) + 20  # inside the first page's content
    data[at] ^= 0x01
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    try:
        verdicts = verify_pdf(bytes(data))
        assert [v.intact for v in verdicts] == [False, False]
        assert all("broken" in v.problems for v in verdicts)
        checks = check_signatures(Document.objects.select_related("case").get(pk=doc.pk))
        assert all("broken" in c.problems for c in checks)
        assert not blobs.verify(sha)
        with pytest.raises(Conflict, match="no longer matches"):
            services.countersign(make_prosecutor(case), doc.pk, role=SignatureRole.PROSECUTOR)
    finally:
        path.unlink()
    checks = check_signatures(Document.objects.select_related("case").get(pk=doc.pk))
    assert [c.problems for c in checks] == [("missing",), ("missing",)]


def make_prosecutor(case: Case) -> Any:
    """A prosecutor granted to ``case`` (for a test that already has its other people)."""
    from tergeu.accounts.models import Organisation, OrgKind, Role
    from tergeu.cases.models import Grant, GrantRole

    from .conftest import make_user

    office = Organisation.objects.create(
        code="750198",
        kind=OrgKind.PROSECUTOR,
        region=case.region,
        name_kk="Прокуратура",
        name_ru="Прокуратура",
        name_en="Prosecutor's office",
    )
    user = make_user(office, "prosecutor2", role=Role.PROSECUTOR)
    Grant.objects.create(case=case, user=user, role=GrantRole.PROSECUTOR, granted_at=clock.now())
    return user


def test_a_revoked_signer_is_not_trusted_after_the_revocation(
    case: Case, investigator: Any, admin: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people)
    pdf = _pdf(doc)
    signed_at = DocumentSignature.objects.get(document=doc).signed_at
    cert = Certificate.objects.get(user=investigator, revoked_at__isnull=True)
    later = clock.now() + dt.timedelta(hours=1)
    with clock.frozen(later):
        pki.revoke(admin, cert.pk, "key_compromise")
    with clock.frozen(later + dt.timedelta(hours=1)):
        [now] = verify_pdf(pdf)
        [then] = verify_pdf(pdf, at=signed_at)
    assert now.intact
    assert now.valid
    assert not now.trusted
    assert now.revoked
    assert "revoked" in now.problems
    assert "untrusted" in now.problems
    assert then.ok, then.problems  # at the time of signing the certificate was good


def test_a_revoked_certificate_cannot_sign(
    case: Case, investigator: Any, admin: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people)
    cert = Certificate.objects.get(user=investigator, revoked_at__isnull=True)
    pki.revoke(admin, cert.pk, "key_compromise")
    # Signing enrols a fresh certificate; the old one is no longer used.
    again = sign_pdf(_pdf(doc), investigator, reason="test", location="Алматы", field_name="extra")
    verdicts = verify_pdf(again)
    assert verdicts[0].revoked
    assert not verdicts[0].trusted
    assert verdicts[1].ok
    assert verdicts[1].serial != cert.serial


def test_signatures_are_append_only_in_the_database(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people)
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentSignature.objects.filter(document=doc).update(pdf_sha256="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentSignature.objects.filter(document=doc).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Document.objects.filter(pk=doc.pk).update(pdf_sha256="0" * 64)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {row[0] for row in cursor.fetchall()}
        assert {
            "documents_document_no_update",
            "documents_document_no_delete",
            "documents_documentsignature_no_update",
            "documents_documentsignature_no_delete",
        } <= names


def test_a_person_without_an_iin_cannot_finalise(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    investigator.iin = None
    investigator.save(update_fields=["iin"])
    doc = services.create_draft(investigator, case.pk, ACCEPT, sample_fields(ACCEPT, people))
    with pytest.raises(Conflict) as excinfo:
        services.finalise(investigator, doc.pk, version=1)
    assert excinfo.value.text().startswith("You cannot sign: A signing certificate needs")
    stored = Document.objects.get(pk=doc.pk)
    assert (stored.status, stored.pdf_sha256) == ("draft", None)
    assert not DocumentSignature.objects.exists()


@pytest.mark.skipif(os.environ.get("CI") is None, reason="only asserts the CI contract")
def test_on_ci_the_verifiers_are_installed() -> None:
    from .tools import tool

    for name in ("pdfsig", "pdftotext", "certutil"):
        assert tool(name)
