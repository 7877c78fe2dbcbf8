"""Signed checkpoints: the C2SP signed-note format, keys, issuing, consistency, schedule."""

from __future__ import annotations

import base64
import logging
import threading
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from tergeu.core.triggers import maintenance
from tergeu.integrity import checkpoints, merkle, schedule, tree
from tergeu.integrity.journal import record
from tergeu.integrity.models import Checkpoint, TreeNode
from tergeu.integrity.tasks import issue_checkpoint_task

ORIGIN = "tergeu.test/journal"

# golang.org/x/mod/sumdb/note's example (package documentation and example_test.go).
GO_SKEY_SEED = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
    "qfqdngotpRZb6KE6RyyBwJnAM=\n"
)
GO_ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWL"
    "ox33WWd1RvMc+QQ=\n"
)
# C2SP signed-note specification, example.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3"
    "mFXmRKuwHjG1Yu72IneyaQM=\n"
)


@pytest.fixture
def log_key(settings: Any, tmp_path: Path) -> Path:
    """A journal signing key of this test, and a test origin."""
    path = checkpoints.generate_key(tmp_path / "journal.pem")
    settings.TERGEU_LOG_KEY_FILE = str(path)
    settings.TERGEU_LOG_ORIGIN = ORIGIN
    return path


# ---------------------------------------------------------------- the note format


def test_signing_matches_the_go_reference_implementation() -> None:
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(GO_SKEY_SEED)[1:])
    assert checkpoints.vkey("PeterNeumann", key.public_key()) == GO_VKEY
    note, _ = checkpoints.sign_note(GO_TEXT, "PeterNeumann", key)
    assert note == GO_TEXT + "\n" + GO_SIG
    assert checkpoints.open_note(note, GO_VKEY) == GO_TEXT
    assert checkpoints.open_note(note, key.public_key()) == GO_TEXT


def test_notes_of_other_implementations_verify() -> None:
    assert checkpoints.open_note(SPEC_NOTE, SPEC_VKEY) == "This is an example message.\n"
    both = GO_TEXT + "\n" + GO_SIG + GO_ENOCH_SIG
    assert checkpoints.open_note(both, GO_VKEY) == GO_TEXT
    assert checkpoints.open_note(both, GO_ENOCH_VKEY) == GO_TEXT
    with pytest.raises(checkpoints.CheckpointError, match="no signature by this key"):
        checkpoints.open_note(GO_TEXT + "\n" + GO_SIG, GO_ENOCH_VKEY)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (GO_TEXT.replace("answer", "Answer") + "\n" + GO_SIG, "does not verify"),
        (GO_TEXT + GO_SIG, "blank line"),
        (GO_TEXT + "\n" + GO_SIG.replace("—", "-"), "em dash"),
        (GO_TEXT + "\n" + GO_SIG.replace("=\n", "\n"), "not base64"),
        (GO_TEXT + "\n" + GO_SIG.rstrip("\n"), "blank line"),
        (GO_TEXT + "\n" + GO_SIG.replace(" x08", "  x08"), "signature line is"),
        (GO_TEXT + "\n" + "— PeterNeumann AAAA\n", "too short"),
    ],
    ids=["text", "no-blank", "dash", "base64", "newline", "spaces", "short"],
)
def test_malformed_or_forged_notes_are_refused(note: str, message: str) -> None:
    with pytest.raises(checkpoints.CheckpointError, match=message):
        checkpoints.open_note(note, GO_VKEY)


def test_a_verifier_key_with_a_plus_in_its_base64_is_read() -> None:
    """transparency-dev/formats' test key: the base64 of the key contains a '+'."""
    name, key = checkpoints.parse_vkey("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
    assert name == "TEST"
    assert checkpoints.vkey(name, key) == (
        "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
    )


@pytest.mark.parametrize(
    "vkey",
    [GO_VKEY.replace("c74f20a3", "c74f20a4"), "PeterNeumann+c74f20a3", "x+00000000+AAAA"],
)
def test_bad_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(checkpoints.CheckpointError):
        checkpoints.parse_vkey(vkey)


# ---------------------------------------------------------------- keys


def test_the_key_is_created_in_the_data_directory_with_mode_0600(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    monkeypatch.delenv("TERGEU_LOG_KEY_FILE", raising=False)
    settings.TERGEU_LOG_KEY_FILE = ""
    monkeypatch.setattr(checkpoints, "DATA_DIR", tmp_path)
    key = checkpoints.private_key()
    path = tmp_path / "keys" / "journal-ed25519.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    assert checkpoints.private_key().public_key() == key.public_key()  # read, not remade


def test_a_configured_key_file_must_exist(settings: Any, tmp_path: Path) -> None:
    settings.TERGEU_LOG_KEY_FILE = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured, match="no key file"):
        checkpoints.private_key()
    (tmp_path / "missing.pem").write_text("not a key")
    with pytest.raises(ValueError):  # noqa: PT011 (cryptography's own message)
        checkpoints.private_key()


@pytest.mark.parametrize("origin", ["has space", "a+b", ""])
def test_an_origin_that_cannot_name_a_key_is_refused(settings: Any, origin: str) -> None:
    settings.TERGEU_LOG_ORIGIN = origin or " "
    with pytest.raises(ImproperlyConfigured):
        checkpoints.origin()


# ---------------------------------------------------------------- issuing


@pytest.mark.django_db
def test_a_checkpoint_verifies_with_the_public_key_and_not_when_changed(log_key: Path) -> None:
    for i in range(5):
        record("test.happened", data={"i": i})
    checkpoint = checkpoints.issue_checkpoint()
    assert checkpoint.size == 5
    assert bytes(checkpoint.root_hash) == tree.root(5)
    root_b64 = base64.b64encode(tree.root(5)).decode()
    assert checkpoint.note.startswith(f"{ORIGIN}\n5\n{root_b64}\n\n— {ORIGIN} ")
    for key in (checkpoints.public_key(), checkpoints.vkey()):
        assert checkpoints.verify_note(checkpoint.note, key, expected_origin=ORIGIN) == (
            ORIGIN,
            5,
            tree.root(5),
        )

    other = base64.b64encode(merkle.EMPTY_ROOT).decode()
    with pytest.raises(checkpoints.CheckpointError, match="does not verify"):
        checkpoints.verify_note(checkpoint.note.replace(root_b64, other), checkpoints.vkey())
    with pytest.raises(checkpoints.CheckpointError, match="does not verify"):
        checkpoints.verify_note(checkpoint.note.replace("\n5\n", "\n6\n"), checkpoints.vkey())
    stranger = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(checkpoints.CheckpointError, match="no signature"):
        checkpoints.verify_note(checkpoint.note, stranger)
    with pytest.raises(checkpoints.CheckpointError, match="origin"):
        checkpoints.verify_note(checkpoint.note, checkpoints.vkey(), expected_origin="x.y/z")


@pytest.mark.django_db
def test_checkpoint_bodies_are_checked() -> None:
    key = Ed25519PrivateKey.generate()
    root = base64.b64encode(merkle.EMPTY_ROOT).decode()
    for body, message in [
        (f"o\n05\n{root}\n", "decimal"),
        (f"o\n-1\n{root}\n", "decimal"),
        ("o\n5\nAAAA\n", "SHA-256"),
        ("o\n5\n", "origin, a size"),
        (f"\n5\n{root}\n", "origin line"),
    ]:
        note, _ = checkpoints.sign_note(body, "o", key)
        with pytest.raises(checkpoints.CheckpointError, match=message):
            checkpoints.verify_note(note, key.public_key())
    note, _ = checkpoints.sign_note(f"o\n5\n{root}\nextension line\n", "o", key)
    assert checkpoints.verify_note(note, key.public_key())[1] == 5


@pytest.mark.django_db
def test_a_new_checkpoint_only_when_the_tree_grew(log_key: Path) -> None:
    first = checkpoints.issue_checkpoint()  # the very first: even of an empty tree
    assert first.size == 0
    assert checkpoints.issue_checkpoint().pk == first.pk
    record("test.happened")
    second = checkpoints.issue_checkpoint()
    assert second.size == 1
    assert checkpoints.issue_checkpoint().pk == second.pk
    for _ in range(3):
        record("test.happened")
    third = checkpoints.issue_checkpoint()
    assert third.size == 4
    assert checkpoints.latest() == third
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [0, 1, 4]
    assert not Checkpoint.objects.filter(size__gt=4).exists()


@pytest.mark.django_db
def test_a_rewritten_history_is_refused_and_alerted(
    log_key: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for i in range(4):
        record("test.happened", data={"i": i})
    checkpoints.issue_checkpoint()
    record("test.happened", data={"i": 4})
    with maintenance(connection):  # someone rewrites the subtree the checkpoint signed
        TreeNode.objects.filter(level=2, index=0).update(hash=b"\x11" * 32)
    with (
        caplog.at_level(logging.CRITICAL, logger="tergeu.integrity"),
        pytest.raises(checkpoints.InconsistentLog),
    ):
        checkpoints.issue_checkpoint()
    assert "JOURNAL INCONSISTENT" in caplog.text
    assert checkpoints.latest().size == 4  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_task_and_the_command_issue_checkpoints(log_key: Path) -> None:
    record("test.happened")
    result = issue_checkpoint_task.call()
    assert result["size"] == 1
    assert result["new"] is True
    assert issue_checkpoint_task.call()["new"] is False

    record("test.happened")
    out, err = StringIO(), StringIO()
    call_command("checkpoint", stdout=out, stderr=err)
    assert "of 2 events issued" in err.getvalue()
    assert checkpoints.verify_note(out.getvalue(), checkpoints.vkey())[1] == 2
    out = StringIO()
    call_command("checkpoint", "--show", stdout=out, stderr=StringIO())
    assert out.getvalue() == checkpoints.latest().note  # type: ignore[union-attr]
    out = StringIO()
    call_command("checkpoint", "--vkey", stdout=out)
    assert out.getvalue().strip() == checkpoints.vkey()
    out = StringIO()
    call_command("checkpoint", "--pem", stdout=out)
    assert out.getvalue().startswith("-----BEGIN PUBLIC KEY-----")


@pytest.mark.django_db(transaction=True)
def test_the_schedule_issues_checkpoints_until_stopped(log_key: Path) -> None:
    record("test.happened")
    stop = threading.Event()
    thread = threading.Thread(target=schedule.run_schedule, args=(stop, 0.05))
    thread.start()
    try:
        for _ in range(200):
            if Checkpoint.objects.filter(size=1).exists():
                break
            stop.wait(0.05)
        record("test.happened")
        for _ in range(200):
            if Checkpoint.objects.filter(size=2).exists():
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [1, 2]


def test_the_schedule_can_be_turned_off(settings: Any) -> None:
    settings.TERGEU_CHECKPOINT_SECONDS = 0
    assert schedule.interval() == 0
    schedule.run_schedule(threading.Event())  # returns at once
