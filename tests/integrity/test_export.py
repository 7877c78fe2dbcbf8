"""The verifiable export of a case: what the archive holds, who may make it, the button, the
API and the command; the archive verifies offline, in a process with no database.

The builders here (:func:`build`, the ``log_key`` and ``built`` fixtures) are shared by
``test_verify_archive.py`` and ``test_tamper.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tergeu import cli
from tergeu.accounts.models import Role
from tergeu.cases.models import Case, Grant, GrantRole
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, NotFound
from tergeu.documents import services as documents
from tergeu.documents.models import Document, SignatureRole
from tergeu.evidence import services as evidence
from tergeu.evidence.models import EvidenceFile
from tergeu.integrity import checkpoints
from tergeu.integrity.export import export_case, may_export, sha256_file
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tergeu.integrity.verify_archive import verify_archive
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def png(tag: bytes = b"") -> bytes:
    """Bytes that start as a PNG, unique per call (the blob store is shared by the tests)."""
    return b"\x89PNG\r\n\x1a\n" + tag + os.urandom(256)


@dataclass
class Built:
    """A case with a countersigned document and an item of evidence with a photo."""

    unit: f.Unit
    case: Case
    document: Document
    file: EvidenceFile
    photo: bytes


def build(unit: f.Unit | None = None) -> Built:
    """Register a case, finalise and countersign a document, register an item with a file."""
    unit = unit or f.Unit()
    case = unit.case()
    draft = documents.create_draft(
        unit.investigator,
        case.pk,
        "resolution_acceptance",
        {"established": "Дело передано по подследственности. Әлия Қайратқызы."},
        "ru",
    )
    doc = documents.finalise(unit.investigator, draft.pk, version=1)
    documents.countersign(unit.head, doc.pk, role=SignatureRole.APPROVAL)
    item = evidence.register_item(
        unit.investigator,
        case.pk,
        description="Мобильный телефон Samsung, IMEI 356789104512345",
        kind="object",
        seized_at=dt.datetime(2025, 3, 3, 10, 15, tzinfo=dt.UTC),
        seized_where="г. Алматы, ул. Абая 1",
    )
    photo = png()
    row = evidence.attach_file(
        unit.investigator,
        item.pk,
        name="фото места.png",
        content_type="image/png",
        stream=io.BytesIO(photo),
        size=len(photo),
    )
    return Built(unit=unit, case=case, document=doc, file=row, photo=photo)


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """The .po files compiled to .mo (build output), under the lock the other suites take."""
    import fcntl
    import tempfile

    from django.utils.translation.reloader import translation_file_changed

    from tergeu.web.translations import compile_catalogues

    lock = Path(tempfile.gettempdir()) / "tergeu-compile-catalogues.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            written = compile_catalogues()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if written:
        translation_file_changed(None, written[0])


@pytest.fixture
def log_key(settings: Any, tmp_path: Path) -> Path:
    """The journal's signing key, in the test's own directory."""
    path = checkpoints.generate_key(tmp_path / "journal-ed25519.pem")
    settings.TERGEU_LOG_KEY_FILE = str(path)
    return path


@pytest.fixture
def built(db: Any, log_key: Path) -> Built:
    return build()


def grant(case: Case, role: str, user_role: str) -> Any:
    """A user with a grant of ``role`` on ``case``."""
    user = f.user(user_role, f.org())
    Grant.objects.create(case=case, user=user, role=role, granted_at=clock.now())
    return user


# ---------------------------------------------------------------- the archive


def test_the_archive_holds_everything_and_verifies(built: Built, tmp_path: Path) -> None:
    path = export_case(built.unit.investigator, built.case.erdr_number, output=tmp_path / "a.zip")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        pdf = z.read("documents/001-resolution_acceptance.pdf")
        photo = z.read("evidence/001/01-фото места.png")
        events = z.read("events.jsonl").decode().splitlines()
    assert names[:4] == ["checkpoint.txt", "log-key.vkey", "events.jsonl", "proofs.json"]
    assert names[-2:] == ["manifest.json", "manifest.json.p7s"]
    assert any(n.startswith("pki/crl/") for n in names)
    assert any(n.startswith("pki/tsa/") for n in names)
    assert photo == built.photo
    [doc] = manifest["documents"]
    assert doc["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert [s["role"] for s in doc["signatures"]] == ["author", "approval"]
    assert all(v["ok"] for v in doc["verdict_at_export"])
    assert manifest["case"]["erdr_number"] == built.case.erdr_number
    listed = {m["path"]: m["sha256"] for m in manifest["members"]}
    assert set(listed) == set(names) - {"manifest.json", "manifest.json.p7s"}
    # each line of events.jsonl is the leaf exactly as hashed into the tree
    from tergeu.integrity import tree

    first = Event.objects.filter(case_id=built.case.pk).order_by("seq").first()
    assert first is not None
    assert events[0].encode() == tree.event_leaf_bytes(first)
    assert manifest["journal"]["event_count"] == len(events)

    report = verify_archive(path)
    assert report.ok, report.render()
    assert report.self_asserted
    assert report.find("document No. 1 resolution_acceptance")[0].ok
    assert report.find("evidence item No. 1 file фото места.png")[0].ok
    assert report.find("manifest signature")[0].ok
    assert len(report.find("event #")) == len(events)
    assert "SELF-ASSERTED" in report.render()


def test_the_export_is_journaled_with_the_archives_hash(built: Built, tmp_path: Path) -> None:
    path = export_case(built.unit.prosecutor, built.case.pk, output=tmp_path / "p.zip")
    event = Event.objects.filter(action="case.exported").get()
    data = payload_of(event)["data"]
    assert event.actor_id == built.unit.prosecutor.pk
    assert event.case_id == built.case.pk
    assert data["archive_sha256"] == sha256_file(path)
    with zipfile.ZipFile(path) as z:
        assert data["manifest_sha256"] == hashlib.sha256(z.read("manifest.json")).hexdigest()
    assert (data["documents"], data["evidence_files"], data["files_included"]) == (1, 1, True)
    # the next export carries the previous one's event
    again = export_case(built.unit.prosecutor, built.case.pk, output=tmp_path / "q.zip")
    with zipfile.ZipFile(again) as z:
        assert b'"case.exported"' in z.read("events.jsonl")
    assert verify_archive(again).ok


def test_hashes_only_without_files(built: Built, tmp_path: Path) -> None:
    path = export_case(
        built.unit.investigator, built.case.pk, include_files=False, output=tmp_path / "h.zip"
    )
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.startswith("evidence/")]
        manifest = json.loads(z.read("manifest.json"))
    [entry] = manifest["evidence"][0]["files"]
    assert (entry["path"], entry["sha256"]) == (None, built.file.sha256)
    report = verify_archive(path)
    assert report.ok, report.render()
    [finding] = report.find("file фото места.png")
    assert "hash only" in finding.detail


def test_drafts_are_not_exported(built: Built, tmp_path: Path) -> None:
    documents.create_draft(
        built.unit.investigator, built.case.pk, "resolution_acceptance", {"established": "x"}
    )
    path = export_case(built.unit.investigator, built.case.pk, output=tmp_path / "d.zip")
    with zipfile.ZipFile(path) as z:
        assert [n for n in z.namelist() if n.startswith("documents/")] == [
            "documents/001-resolution_acceptance.pdf"
        ]


# ---------------------------------------------------------------- who may export


@pytest.mark.parametrize("who", ["investigator", "head", "prosecutor"])
def test_the_team_and_the_prosecutor_may_export(built: Built, who: str) -> None:
    user = getattr(built.unit, who)
    assert may_export(user, built.case)
    path = export_case(user, built.case.pk)
    try:
        assert verify_archive(path).ok
    finally:
        path.unlink()


def test_the_court_may_export(built: Built) -> None:
    judge = grant(built.case, GrantRole.COURT, Role.JUDGE)
    assert may_export(judge, built.case)
    export_case(judge, built.case.pk).unlink()


@pytest.mark.parametrize("role", [GrantRole.DEFENDER, GrantRole.EXPERT, GrantRole.REGISTRAR])
def test_others_with_a_grant_are_refused_and_it_is_journaled(built: Built, role: str) -> None:
    user = grant(built.case, role, Role.INVESTIGATOR)
    assert not may_export(user, built.case)
    before = Event.objects.count()
    with pytest.raises(AccessDenied) as caught:
        export_case(user, built.case.pk)
    assert "the court may export" in caught.value.text()
    denial = Event.objects.get(action="access.denied", actor=user)
    assert payload_of(denial)["data"]["attempted"] == "case.export"
    assert Event.objects.count() == before + 1
    assert not Event.objects.filter(action="case.exported").exists()


def test_a_stranger_gets_not_found(built: Built) -> None:
    stranger = f.user(Role.INVESTIGATOR, f.org())
    with pytest.raises(NotFound):
        export_case(stranger, built.case.erdr_number)
    assert Event.objects.filter(action="access.denied", actor=stranger).exists()


# ---------------------------------------------------------------- the button and the API


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_button_shows_for_the_team_and_downloads_the_archive(built: Built) -> None:
    client = _client(built.unit.investigator)
    page = client.get(f"/cases/{built.case.pk}/").content.decode()
    assert "Download verifiable export" in page
    assert f'action="/cases/{built.case.pk}/export/"' in page
    response = client.post(f"/cases/{built.case.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"case-{built.case.erdr_number}-" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert zipfile.ZipFile(io.BytesIO(body)).read("manifest.json")
    digest = hashlib.sha256(body).digest()
    import base64

    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"


@pytest.mark.parametrize(
    ("language", "label"),
    [("ru", "Скачать проверяемую выгрузку"), ("kk", "Тексерілетін көшірмені жүктеп алу")],
)
def test_the_button_is_translated(built: Built, language: str, label: str) -> None:
    client = _client(built.unit.investigator)
    client.cookies["tergeu_language"] = language
    page = client.get(f"/cases/{built.case.pk}/").content.decode()
    assert f'lang="{language}"' in page
    assert label in page


def test_no_button_for_a_defender_and_the_post_is_refused(built: Built) -> None:
    defender = grant(built.case, GrantRole.DEFENDER, Role.INVESTIGATOR)
    client = _client(defender)
    page = client.get(f"/cases/{built.case.pk}/")
    if page.status_code == 200:
        assert "Download verifiable export" not in page.content.decode()
    assert client.post(f"/cases/{built.case.pk}/export/").status_code == 403
    assert client.get(f"/cases/{built.case.pk}/export/").status_code == 405


def test_the_api_answers_the_zip(built: Built) -> None:
    client = _client(built.unit.prosecutor)
    response = client.get(f"/api/v1/cases/{built.case.erdr_number}/export?files=false")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("manifest.json"))
    assert manifest["files_included"] is False
    stranger = f.user(Role.INVESTIGATOR, f.org())
    answer = _client(stranger).get(f"/api/v1/cases/{built.case.pk}/export")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


# ---------------------------------------------------------------- the commands


def test_tergeu_export_case_prints_the_path_and_hash(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "case.zip"
    code = cli.main(["export-case", built.case.erdr_number, "--output", str(target)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out == [str(target), f"SHA-256 {sha256_file(target)}"]
    exported = Event.objects.get(action="case.exported")
    assert exported.actor_id == built.unit.investigator.pk  # the default: the investigator
    code = cli.main(
        ["export-case", built.case.erdr_number, "-o", str(target), "--as", built.unit.head.username]
    )
    assert code == 0
    assert Event.objects.filter(action="case.exported", actor=built.unit.head).exists()


def test_tergeu_export_case_refusals(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["export-case", "000000000000000"]) == 1
    assert "no case with ERDR number" in capsys.readouterr().err
    defender = grant(built.case, GrantRole.DEFENDER, Role.INVESTIGATOR)
    target = tmp_path / "out" / "x.zip"
    code = cli.main(
        ["export-case", built.case.erdr_number, "-o", str(target), "--as", defender.username]
    )
    assert code == 1
    assert "refused" in capsys.readouterr().err
    assert not list(target.parent.glob("*"))  # nothing, not even a partial file


def offline_env(tmp_path: Path) -> dict[str, str]:
    """An environment in which any database access or data directory would fail."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        TERGEU_DATA_DIR=str(tmp_path / "nonexistent" / "data"),
        TERGEU_BLOB_DIR=str(tmp_path / "nonexistent" / "blobs"),
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def run_verify(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``tergeu verify ...`` in a fresh process with no usable database."""
    return subprocess.run(
        [sys.executable, "-m", "tergeu.cli", "verify", *args],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tergeu_verify_needs_no_database(built: Built, tmp_path: Path) -> None:
    path = export_case(built.unit.investigator, built.case.pk, output=tmp_path / "c.zip")
    proc = run_verify(tmp_path, str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "VERDICT: OK" in proc.stdout
    assert "SELF-ASSERTED" in proc.stdout
    assert not (tmp_path / "nonexistent").exists()  # no data directory was made


def test_tergeu_verify_with_the_published_root_and_log_key(built: Built, tmp_path: Path) -> None:
    from tergeu.integrity.pki import services as pki

    path = export_case(built.unit.investigator, built.case.pk, output=tmp_path / "c.zip")
    root = tmp_path / "root.der"
    root.write_bytes(pki.ca_der("root"))
    vkey = tmp_path / "log.vkey"
    vkey.write_text(checkpoints.vkey() + "\n")
    proc = run_verify(tmp_path, str(path), "--root", str(root), "--log-key", str(vkey))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "GIVEN by you (--root)" in proc.stdout
    assert "GIVEN by you (--log-key)" in proc.stdout
    assert "SELF-ASSERTED" not in proc.stdout
    # the vkey itself on the command line works as well
    proc = run_verify(tmp_path, str(path), "--log-key", checkpoints.vkey())
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_tergeu_verify_unusable_input_exits_2(tmp_path: Path) -> None:
    (tmp_path / "not.zip").write_bytes(b"hello")
    proc = run_verify(tmp_path, str(tmp_path / "not.zip"))
    assert proc.returncode == 2
    assert "is not a ZIP archive" in proc.stderr
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as z:
        z.writestr("readme.txt", "no manifest")
    proc = run_verify(tmp_path, str(tmp_path / "empty.zip"))
    assert proc.returncode == 2
    assert "no readable manifest.json" in proc.stderr
    proc = run_verify(tmp_path)
    assert proc.returncode == 2
    assert "give an ARCHIVE" in proc.stderr


# ---------------------------------------------------------------- by hand (docs/export-format.md)


def _doc_script() -> str:
    text = (ROOT / "docs" / "export-format.md").read_text()
    start = text.index("```python", text.index("verify_export.py DIRECTORY"))
    return text[start + len("```python") : text.index("```", start + 3)]


def test_the_archive_verifies_by_hand_as_the_documentation_says(
    built: Built, tmp_path: Path
) -> None:
    from tests.documents.tools import nss_database, pdfsig, tool

    path = export_case(built.unit.investigator, built.case.pk, output=tmp_path / "c.zip")
    out = tmp_path / "x"
    with zipfile.ZipFile(path) as z:
        z.extractall(out)
    # the documentation's Python script: members, events in the tree, PDFs and files
    script = tmp_path / "verify_export.py"
    script.write_text(_doc_script())
    proc = subprocess.run(
        [sys.executable, "-I", str(script), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK: ")
    # openssl: the manifest's CMS signature against the root
    openssl = tool("openssl")
    root = tmp_path / "root.pem"
    subprocess.run(
        [openssl, "x509", "-inform", "DER", "-in", out / "pki/ca/root.crt", "-out", root],
        check=True,
    )
    proc = subprocess.run(
        [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in",
         out / "manifest.json.p7s", "-content", out / "manifest.json", "-CAfile", root,
         "-purpose", "any", "-out", "/dev/null"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "CMS Verification successful" in proc.stderr, proc.stderr
    # pdfsig: the exported PDF, trusting only the exported root
    db = nss_database(tmp_path / "nssdb", [(out / "pki/ca/root.crt").read_bytes()])
    pdf = (out / "documents/001-resolution_acceptance.pdf").read_bytes()
    reports = pdfsig(pdf, db, tmp_path)
    assert [r["Signature Validation"] for r in reports] == ["Signature is Valid."] * 2
    assert [r["Certificate Validation"] for r in reports] == ["Certificate is Trusted."] * 2
