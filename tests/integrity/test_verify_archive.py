"""Offline verification of an export: every kind of tampering with the archive is caught,
and named: a byte of a PDF, an event, a proof, the checkpoint, a missing or extra member,
the manifest; and an archive forged whole fails against the root and log key one trusts."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from tergeu.integrity import checkpoints
from tergeu.integrity.export import export_case
from tergeu.integrity.export_format import (
    NoteError,
    UnusableArchive,
    parse_log_key,
    verify_checkpoint,
)
from tergeu.integrity.verify_archive import Report, verify_archive

from . import test_export as shared
from .test_export import Built, run_verify

# The fixtures of test_export.py, shared.
_compiled_catalogues = shared._compiled_catalogues
log_key = shared.log_key
built = shared.built

Change = Callable[[bytes], bytes | None]


def rewrite(
    source: Path, target: Path, changes: dict[str, Change], add: dict[str, bytes] | None = None
) -> Path:
    """Copy an archive member by member, changing (or dropping, on None) some of them."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data: bytes | None = old.read(info.filename)
            if info.filename in changes:
                data = changes[info.filename](data)  # type: ignore[arg-type]
            if data is not None:
                new.writestr(info, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def flip(offset: int) -> Change:
    """Change one byte of a member."""

    def change(data: bytes) -> bytes:
        return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]

    return change


@pytest.fixture
def archive(built: Built, tmp_path: Path) -> Path:
    return export_case(built.unit.investigator, built.case.pk, output=tmp_path / "case.zip")


def failed(report: Report) -> dict[str, str]:
    return {f.name: f.detail for f in report.failures}


def _events(path: Path) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as z:
        return [json.loads(line) for line in z.read("events.jsonl").splitlines()]


def _event_named(path: Path, action: str) -> dict[str, Any]:
    return next(e for e in _events(path) if e["action"] == action)


# ---------------------------------------------------------------- the documents and files


def test_a_changed_byte_of_a_pdf_is_named(archive: Path, tmp_path: Path) -> None:
    pdf = "documents/001-resolution_acceptance.pdf"
    with zipfile.ZipFile(archive) as z:
        size = len(z.read(pdf))
    bad = rewrite(archive, tmp_path / "bad.zip", {pdf: flip(size // 2)})
    report = verify_archive(bad)
    assert report.exit_code == 1
    problems = failed(report)
    [name] = [n for n in problems if n.startswith("document No. 1 resolution_acceptance")]
    assert "the PDF differs from the recorded one" in problems[name]
    assert "signatures:" in problems[name]  # pyHanko sees the signed bytes changed
    assert set(problems) == {name}  # nothing else is blamed


def test_a_byte_changed_inside_the_zip_is_named(archive: Path, tmp_path: Path) -> None:
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("evidence/001/01-фото места.png")
    offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 40
    data[offset] ^= 0xFF
    bad = tmp_path / "raw.zip"
    bad.write_bytes(bytes(data))
    problems = failed(verify_archive(bad))
    [detail] = [d for n, d in problems.items() if n.startswith("evidence item No. 1 file фото")]
    assert "missing from the archive or damaged" in detail


def test_a_replaced_evidence_file_is_named(archive: Path, tmp_path: Path) -> None:
    name = "evidence/001/01-фото места.png"
    bad = rewrite(archive, tmp_path / "bad.zip", {name: lambda d: d + b"\x00"})
    problems = failed(verify_archive(bad))
    [detail] = [d for n, d in problems.items() if "file фото места.png" in n]
    assert "the file differs from the recorded one" in detail


def test_a_missing_and_an_extra_member_are_named(archive: Path, tmp_path: Path) -> None:
    name = "evidence/001/01-фото места.png"
    bad = rewrite(archive, tmp_path / "bad.zip", {name: lambda d: None}, add={"extra.txt": b"x"})
    problems = failed(verify_archive(bad))
    assert f"missing: {name}" in problems["manifest"]
    assert "not listed (extra): extra.txt" in problems["manifest"]
    assert any(n.startswith("evidence item No. 1") for n in problems)


# ---------------------------------------------------------------- the journal


def test_a_changed_event_is_named(archive: Path, tmp_path: Path) -> None:
    event = _event_named(archive, "case.registered")

    def change(data: bytes) -> bytes:
        return data.replace(event["actor_label"].encode(), b"Someone Else", 1)

    bad = rewrite(archive, tmp_path / "bad.zip", {"events.jsonl": change})
    problems = failed(verify_archive(bad))
    name = f"event #{event['seq']} case.registered"
    assert "its inclusion proof fails" in problems[name]
    assert "differs from the manifest" in problems["member events.jsonl"]


def test_an_event_with_a_consistent_new_payload_still_fails(archive: Path, tmp_path: Path) -> None:
    """Rewriting the payload and its hash together does not help: the leaf is in the tree."""
    event = _event_named(archive, "document.finalised")
    original = json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    payload = event["payload"].replace('"number":1', '"number":7')
    forged = {**event, "payload": payload}
    forged["payload_sha256"] = hashlib.sha256(payload.encode()).hexdigest()
    line = json.dumps(forged, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def change(data: bytes) -> bytes:
        assert original.encode() in data
        return data.replace(original.encode(), line.encode())

    bad = rewrite(archive, tmp_path / "bad.zip", {"events.jsonl": change})
    problems = failed(verify_archive(bad))
    assert "its inclusion proof fails" in problems[f"event #{event['seq']} document.finalised"]


def test_a_removed_event_is_named_and_breaks_the_chain_of_its_document(
    archive: Path, tmp_path: Path
) -> None:
    event = _event_named(archive, "document.countersigned")

    def drop(data: bytes) -> bytes:
        lines = data.split(b"\n")
        return b"\n".join(line for line in lines if f'"seq":{event["seq"]},'.encode() not in line)

    bad = rewrite(archive, tmp_path / "bad.zip", {"events.jsonl": drop})
    problems = failed(verify_archive(bad))
    assert "it has a proof but is not in events.jsonl" in problems[f"event #{event['seq']}"]
    [doc] = [d for n, d in problems.items() if n.startswith("document No. 1")]
    assert "no journal event records its SHA-256" in doc
    assert "events.jsonl has" in problems["events"]


def test_a_changed_proof_is_named(archive: Path, tmp_path: Path) -> None:
    target = _event_named(archive, "evidence.file_attached")

    def change(data: bytes) -> bytes:
        proofs = json.loads(data)
        for proof in proofs["proofs"]:
            if proof["seq"] == target["seq"]:
                raw = bytearray(base64.b64decode(proof["hashes"][0]))
                raw[0] ^= 1
                proof["hashes"][0] = base64.b64encode(bytes(raw)).decode()
        return json.dumps(proofs).encode()

    bad = rewrite(archive, tmp_path / "bad.zip", {"proofs.json": change})
    problems = failed(verify_archive(bad))
    name = f"event #{target['seq']} evidence.file_attached"
    assert "its inclusion proof fails" in problems[name]
    # and the file whose hash it records is no longer proven
    [file_problem] = [d for n, d in problems.items() if n.startswith("evidence item No. 1")]
    assert "is not proven" in file_problem


def test_a_changed_checkpoint_is_named(archive: Path, tmp_path: Path) -> None:
    def change(data: bytes) -> bytes:
        origin, size, rest = data.decode().split("\n", 2)
        return f"{origin}\n{int(size) + 1}\n{rest}".encode()

    bad = rewrite(archive, tmp_path / "bad.zip", {"checkpoint.txt": change})
    problems = failed(verify_archive(bad))
    assert "its signature does not verify" in problems["checkpoint"]
    assert all(
        "no verified checkpoint" in d for n, d in problems.items() if n.startswith("event #")
    )


def test_a_garbled_crl_is_named_and_does_not_stop_the_rest(archive: Path, tmp_path: Path) -> None:
    bad = rewrite(archive, tmp_path / "bad.zip", {"pki/crl/root.crl": lambda d: b"garbage"})
    report = verify_archive(bad)
    problems = failed(report)
    assert "differs from the manifest" in problems["member pki/crl/root.crl"]
    assert report.find("document No. 1")  # the documents were still checked


# ---------------------------------------------------------------- the manifest and trust


def test_a_changed_manifest_breaks_its_signature(archive: Path, tmp_path: Path) -> None:
    def change(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["case"]["fabula"] = "Ничего не случилось."
        return json.dumps(manifest).encode()

    bad = rewrite(archive, tmp_path / "bad.zip", {"manifest.json": change})
    problems = failed(verify_archive(bad))
    assert "the manifest was changed after it was signed" in problems["manifest signature"]
    gone = rewrite(archive, tmp_path / "gone.zip", {"manifest.json.p7s": lambda d: None})
    assert "missing" in failed(verify_archive(gone))["manifest signature"]


def _other_root(tmp_path: Path) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Forger Root CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_against_a_root_one_trusts_a_foreign_archive_fails(archive: Path, tmp_path: Path) -> None:
    report = verify_archive(archive, trusted_root=_other_root(tmp_path))
    text = report.render()
    assert "GIVEN by you (--root)" in text
    assert "Forger Root CA" in text
    assert "the archive carries a different root" in text
    problems = failed(report)
    assert "untrusted" in next(d for n, d in problems.items() if n.startswith("document No. 1"))
    assert "does not chain to a trust anchor" in problems["manifest signature"]


def test_against_a_log_key_one_trusts_a_foreign_checkpoint_fails(archive: Path) -> None:
    other = checkpoints.vkey("tergeu.example/journal", Ed25519PrivateKey.generate().public_key())
    report = verify_archive(archive, log_key=other)
    assert "no signature by this key" in failed(report)["checkpoint"]
    assert "the archive carries a different key" in report.render()
    # the right key, as PEM, works
    good = verify_archive(archive, log_key=checkpoints.public_key_pem())
    assert good.ok, good.render()


def test_the_command_exits_1_and_names_the_failure(archive: Path, tmp_path: Path) -> None:
    pdf = "documents/001-resolution_acceptance.pdf"
    bad = rewrite(archive, tmp_path / "bad.zip", {pdf: flip(100)})
    proc = run_verify(tmp_path, str(bad))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL  document No. 1 resolution_acceptance" in proc.stdout
    assert "VERDICT: FAILED" in proc.stdout


# ---------------------------------------------------------------- unusable input


def test_unusable_manifests(tmp_path: Path) -> None:
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", "{not json")
    with pytest.raises(UnusableArchive, match="is not JSON"):
        verify_archive(path)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", json.dumps({"format": "tergeu-case-export", "version": 99}))
    with pytest.raises(UnusableArchive, match="newer than this verifier"):
        verify_archive(path)
    with pytest.raises(UnusableArchive, match="no such file"):
        verify_archive(tmp_path / "absent.zip")


# ---------------------------------------------------------------- the note verifier


def test_the_offline_note_verifier_agrees_with_the_journals(log_key: Path, db: Any) -> None:
    checkpoint = checkpoints.issue_checkpoint()
    vkey = checkpoints.vkey()
    note = checkpoint.note
    key = parse_log_key(vkey)
    assert verify_checkpoint(note, key) == checkpoints.verify_note(note, vkey)
    assert verify_checkpoint(note, parse_log_key(checkpoints.public_key_pem())) == (
        checkpoints.verify_note(note, checkpoints.public_key())
    )
    lines = note.split("\n")
    forgeries = [
        note.replace(lines[1], str(int(lines[1]) + 1), 1),  # another size
        note[:-2] + ("A" if note[-2] != "A" else "B") + "\n",  # another signature
        note.replace("\n\n", "\n", 1),  # no blank line
        "\n".join(lines[:3]) + "\n",  # no signature
    ]
    for forged in forgeries:
        with pytest.raises(checkpoints.CheckpointError):
            checkpoints.verify_note(forged, vkey)
        with pytest.raises(NoteError):
            verify_checkpoint(forged, key)
    with pytest.raises(NoteError):
        parse_log_key(vkey[:-4] + "AAA=")


# ---------------------------------------------------------------- pyHanko's hex strings


@pytest.mark.parametrize(
    "text",
    [
        b"<48656c6c6f>",
        b"<48 65\n6c\t6C\r6f>",
        b"<486>",
        b"<>",
        b"<FEFF0041>",
        b"<48 % a comment\n 65>",
        b"<48656c6c6f",
        b"<4g>",
    ],
)
def test_fast_hex_strings_read_as_pyhankos_own(text: bytes) -> None:
    import io

    from pyhanko.pdf_utils import generic

    fast = generic.read_hex_string_from_stream
    assert getattr(fast, "_tergeu_fast", False)

    def outcome(reader: Any) -> tuple[Any, int]:
        stream = io.BytesIO(b"xx" + text + b" /Next")
        stream.seek(2)
        try:
            result: Any = reader(stream)
        except Exception as exc:  # the same kind of error, too
            result = type(exc)
        return result, stream.tell()

    assert outcome(fast) == outcome(fast.original)


# ---------------------------------------------------------------- many documents


def test_pdfs_verified_in_worker_processes_give_the_same_report(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from tergeu.integrity import verify_pdfs as module

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the PDFs are verified in process")
    in_process = verify_archive(archive).render()
    pdf = "documents/001-resolution_acceptance.pdf"
    bad = rewrite(archive, tmp_path / "bad.zip", {pdf: flip(200)})
    bad_in_process = verify_archive(bad).render()
    used: list[bool] = []
    original = module.in_parallel

    def spy(*args: Any) -> Any:
        result = original(*args)
        used.append(result is not None)
        return result

    monkeypatch.setattr(module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(module, "in_parallel", spy)
    assert verify_archive(archive).render() == in_process
    assert verify_archive(bad).render() == bad_in_process
    assert used == [True, True]
