"""Evidence services: registration, files by SHA-256, chain of custody, refusals, access."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from tergeu.accounts.models import OrgKind
from tergeu.core import blobs
from tergeu.core.errors import AccessDenied, Conflict, NotFound, RuleViolation, ValidationFailed
from tergeu.evidence import services
from tergeu.evidence.models import (
    CustodyEvent,
    CustodyKind,
    EvidenceFile,
    EvidenceItem,
    ItemStatus,
)
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

from .conftest import attach, jpeg, pdf, register, stored

pytestmark = pytest.mark.django_db


def _events(case: Any, prefix: str = "evidence.") -> list[Event]:
    return list(Event.objects.filter(case_id=case.pk, action__startswith=prefix).order_by("seq"))


def test_registration_is_the_receipt_numbered_in_the_case(unit: f.Unit, case: Any) -> None:
    first = register(unit, case)
    second = register(unit, case, kind="document", description="Договор купли-продажи")
    assert (first.number, second.number) == (1, 2)
    assert first.status == ItemStatus.IN_CUSTODY
    assert first.holder_user == unit.investigator  # no holder given: the registering official
    receipt = CustodyEvent.objects.get(item=first)
    assert receipt.kind == CustodyKind.RECEIVED
    assert receipt.rule == "CPC art. 118(2), 221(2)"
    event = Event.objects.get(uid=receipt.journal_event_uid)
    assert event.action == "evidence.received"
    assert event.case_id == case.pk
    data = payload_of(event)["data"]
    assert data["number"] == 1
    assert data["custody"] == str(receipt.pk)
    assert data["item_kind"] == "object"
    assert data["files"] == []
    assert unit.case().evidence_items.count() == 0  # numbers are per case


def test_registration_checks_every_field_and_writes_nothing(unit: f.Unit, case: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.register_item(
            unit.investigator,
            case.pk,
            description=" ",
            kind="spaceship",
            seized_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
            seized_where="",
            holder_organisation="999999",
        )
    assert err.value.field_texts() == {
        "description": ["This field is required."],
        "kind": ["Choose one of the offered values."],
        "seized_at": ["This time is in the future."],
        "seized_where": ["This field is required."],
        "holder_organisation": ["No organisation with this code."],
    }
    assert not EvidenceItem.objects.exists()
    assert not _events(case)


def test_upload_is_stored_by_its_sha256(unit: f.Unit, item: EvidenceItem) -> None:
    data = jpeg(b"scene")
    row = attach(unit.investigator, item, data, name="C:\\Фото\\место происшествия.JPG")
    digest = hashlib.sha256(data).hexdigest()
    assert row.sha256 == digest
    assert row.size == len(data)
    assert row.name == "место происшествия.JPG"
    assert row.content_type == "image/jpeg"
    assert row.case_id == item.case_id
    assert blobs.exists(digest)
    assert blobs.read_bytes(digest) == data
    assert blobs.path_of(digest).name == digest
    event = Event.objects.get(uid=row.journal_event_uid)
    assert event.action == "evidence.file_attached"
    assert payload_of(event)["data"] == {
        "number": 1,
        "item": str(item.pk),
        "sha256": digest,
        "size": len(data),
        "name": "место происшествия.JPG",
        "content_type": "image/jpeg",
        "declared_type": "image/jpeg",
    }


def test_the_same_content_is_stored_once(unit: f.Unit, case: Any, item: EvidenceItem) -> None:
    other = register(unit, case, description="Копия видеозаписи")
    data = jpeg(b"same")
    before = stored()
    a = attach(unit.investigator, item, data, name="a.jpg")
    b = attach(unit.investigator, other, data, name="b.jpg")
    assert a.sha256 == b.sha256
    assert len(stored() - before) == 1  # one blob, two rows
    with pytest.raises(Conflict) as err:
        attach(unit.investigator, item, data, name="again.jpg")
    assert err.value.text() == "This file is already attached to item No. 1 as “a.jpg”."
    assert EvidenceFile.objects.count() == 2


def test_content_decides_the_type_not_the_name(unit: f.Unit, item: EvidenceItem) -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 2000
    before, events = stored(), Event.objects.count()
    with pytest.raises(ValidationFailed) as err:
        attach(unit.investigator, item, exe, name="photo.jpg", ctype="image/jpeg")
    (message,) = err.value.field_texts()["file"]
    assert message.startswith("The content of “photo.jpg” is not a photo, recording, scan")
    assert "JPEG, PNG" in message
    with pytest.raises(ValidationFailed) as err:
        attach(unit.investigator, item, pdf(), name="x.exe", ctype="application/x-msdownload")
    assert err.value.field_texts() == {
        "file": [
            "Files of type application/x-msdownload cannot be attached. Allowed formats: "
            "JPEG, PNG, TIFF, HEIC, HEIF, WebP, PDF, MP3, WAV, OGG, M4A, AMR, FLAC, MP4, MOV, "
            "3GP, WebM, MKV, AVI."
        ]
    }
    with pytest.raises(ValidationFailed) as err:
        attach(unit.investigator, item, b"", name="empty.jpg")
    assert err.value.field_texts() == {"file": ["The file “empty.jpg” is empty."]}
    assert stored() == before
    assert Event.objects.count() == events
    assert not EvidenceFile.objects.exists()
    # a PDF declared as octet-stream is fine: the content decides
    row = attach(unit.investigator, item, pdf(b"ok"), name="scan.pdf", ctype="")
    assert row.content_type == "application/pdf"


def test_an_oversized_file_is_refused_and_nothing_is_left(
    unit: f.Unit, item: EvidenceItem, settings: Any
) -> None:
    settings.TERGEU_EVIDENCE_MAX_BYTES = 1024 * 1024
    data = jpeg(b"big", size=1024 * 1024 + 1)
    before, events = stored(), Event.objects.count()
    expected = {"file": ["The file “big.jpg” is larger than 1 MB, the most a file may be."]}
    with pytest.raises(ValidationFailed) as err:  # announced size
        attach(unit.investigator, item, data, name="big.jpg")
    assert err.value.field_texts() == expected
    with pytest.raises(ValidationFailed) as err:  # size unknown: stopped while copying
        services.attach_file(
            unit.investigator,
            item.pk,
            name="big.jpg",
            content_type="image/jpeg",
            stream=io.BytesIO(data),
        )
    assert err.value.field_texts() == expected
    assert stored() == before  # not even a temporary file
    assert Event.objects.count() == events
    assert not EvidenceFile.objects.exists()


def test_custody_chain_is_journaled_with_the_files_sha256(
    unit: f.Unit, case: Any, item: EvidenceItem
) -> None:
    forensic = f.org(OrgKind.FORENSIC)
    photo, scan = jpeg(b"1"), pdf(b"2")
    attach(unit.investigator, item, photo)
    attach(unit.investigator, item, scan, name="protocol.pdf", ctype="application/pdf")
    inv = unit.investigator
    services.transfer(inv, item.pk, to_holder="Камера хранения ДП г. Алматы", note="Опись №4")
    services.send_for_examination(inv, item.pk, to_organisation=forensic.code, note="Пост. №7")
    services.return_from_examination(inv, item.pk)
    item = services.return_to_owner(
        inv, item.pk, to_holder="Жумабеков Д. М.", note="Постановление о прекращении от 01.04"
    )
    assert item.status == ItemStatus.RETURNED
    assert item.holder == "Жумабеков Д. М."
    chain = list(CustodyEvent.objects.filter(item=item).order_by("at", "id"))
    assert [c.kind for c in chain] == [
        "received",
        "transferred",
        "examination_sent",
        "examination_returned",
        "returned_to_owner",
    ]
    assert chain[2].to_organisation == forensic
    assert chain[3].to_user == inv  # back from examination: the receiving official holds it
    events = {e.uid: e for e in _events(case)}
    digests = [
        {"sha256": hashlib.sha256(photo).hexdigest(), "size": len(photo), "name": "photo.jpg"},
        {"sha256": hashlib.sha256(scan).hexdigest(), "size": len(scan), "name": "protocol.pdf"},
    ]
    for link in chain[1:]:
        event = events[link.journal_event_uid]
        assert event.action == f"evidence.{link.kind}"
        data = payload_of(event)["data"]
        assert data["files"] == digests
        assert data["number"] == item.number
        assert data["custody"] == str(link.pk)
        assert data["rule"] == link.rule
    sent = payload_of(events[chain[2].journal_event_uid])["data"]
    assert sent["from"] == "Камера хранения ДП г. Алматы"
    assert sent["to"] == {"text": "", "organisation": forensic.code, "user": None}
    assert (sent["status_from"], sent["status_to"]) == ("transferred", "under_examination")


def test_illegal_moves_are_refused_with_the_article(unit: f.Unit, item: EvidenceItem) -> None:
    inv = unit.investigator
    with pytest.raises(RuleViolation) as err:
        services.return_from_examination(inv, item.pk)
    assert err.value.rule == "CPC art. 276(6), 221(2)"
    assert err.value.text() == (
        "“Receive back from examination” is not possible while the item is “In custody”. "
        "(CPC art. 276(6), 221(2))"
    )
    services.destroy(inv, item.pk, note="Приговор от 12.05.2025, акт уничтожения №3")
    for call in (
        lambda: services.transfer(inv, item.pk, to_holder="Склад"),
        lambda: services.return_to_owner(inv, item.pk, to_holder="Владелец", note="x"),
        lambda: services.destroy(inv, item.pk, note="again"),
    ):
        with pytest.raises(RuleViolation) as err:
            call()
        assert "while the item is “Destroyed”" in err.value.text()
    assert err.value.rule == "CPC art. 118(3), 221(4)"
    assert CustodyEvent.objects.filter(item=item).count() == 2


def test_moves_check_their_fields(unit: f.Unit, item: EvidenceItem) -> None:
    inv = unit.investigator
    police = unit.police
    with pytest.raises(ValidationFailed) as err:
        services.move_item(inv, item.pk, "transfer")
    assert err.value.field_texts() == {"to_holder": ["Say to whom the item goes."]}
    with pytest.raises(ValidationFailed) as err:
        services.send_for_examination(inv, item.pk, to_organisation=police.code)
    assert err.value.field_texts() == {
        "to_organisation": ["Items are sent for examination to a forensic centre."]
    }
    with pytest.raises(ValidationFailed) as err:
        services.destroy(inv, item.pk, note="")
    assert err.value.field_texts() == {
        "note": ["Give the decision this is based on (resolution, sentence)."]
    }
    with pytest.raises(ValidationFailed) as err:
        services.move_item(inv, item.pk, "teleport")
    assert err.value.field_texts() == {"move": ["Unknown custody action."]}
    with pytest.raises(Conflict):
        services.transfer(inv, item.pk, to_holder="Склад", version=7)
    item.refresh_from_db()
    assert (item.status, item.version) == (ItemStatus.IN_CUSTODY, 1)


def test_another_units_official_gets_not_found_and_it_is_journaled(
    unit: f.Unit, item: EvidenceItem
) -> None:
    row = attach(unit.investigator, item, jpeg(b"x"))
    stranger = f.Unit(district_code="02").investigator
    calls = [
        lambda: services.items_of(stranger, item.case_id),
        lambda: services.get_item(stranger, item.pk),
        lambda: services.read_file(stranger, row.pk),
        lambda: services.transfer(stranger, item.pk, to_holder="Склад"),
        lambda: attach(stranger, item, jpeg(b"y")),
        lambda: services.register_item(
            stranger,
            item.case_id,
            description="x",
            kind="object",
            seized_at=item.seized_at,
            seized_where="x",
        ),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    denials = Event.objects.filter(action="access.denied", actor=stranger)
    assert denials.count() == len(calls)
    assert all(json.loads(d.payload)["data"]["detail"] == "no grant" for d in denials)
    assert EvidenceFile.objects.count() == 1
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_CUSTODY


def test_the_prosecutor_reads_but_does_not_move(unit: f.Unit, item: EvidenceItem) -> None:
    """The supervising prosecutor (granted at registration) has VIEW, not WORK."""
    row = attach(unit.investigator, item, jpeg(b"p"))
    assert services.read_file(unit.prosecutor, row.pk) == row
    read = Event.objects.get(action="evidence.file_read", actor=unit.prosecutor)
    assert payload_of(read)["data"]["sha256"] == row.sha256
    with pytest.raises(AccessDenied):
        services.transfer(unit.prosecutor, item.pk, to_holder="Склад")


def test_a_changed_byte_is_detected(unit: f.Unit, case: Any, item: EvidenceItem) -> None:
    good = attach(unit.investigator, item, jpeg(b"good"), name="good.jpg")
    bad = attach(unit.investigator, item, jpeg(b"bad"), name="bad.jpg")
    assert [(r.name, ok) for r, ok in services.verify_files(case)] == [
        ("good.jpg", True),
        ("bad.jpg", True),
    ]
    path = blobs.path_of(bad.sha256)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    assert [(r.name, ok) for r, ok in services.verify_files(case)] == [
        ("good.jpg", True),
        ("bad.jpg", False),
    ]
    assert services.blob_ok(good.sha256)
    assert not services.blob_ok(bad.sha256)
    with pytest.raises(Conflict) as err:
        services.open_verified(bad)
    assert "“bad.jpg” no longer matches its SHA-256" in err.value.text()
    with services.open_verified(good) as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == good.sha256


def test_files_and_custody_events_are_append_only(unit: f.Unit, item: EvidenceItem) -> None:
    row = attach(unit.investigator, item, jpeg(b"z"))
    receipt = CustodyEvent.objects.get(item=item)
    for qs in (EvidenceFile.objects.filter(pk=row.pk), CustodyEvent.objects.filter(pk=receipt.pk)):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            qs.update(note="x") if qs.model is CustodyEvent else qs.update(name="x.jpg")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            qs.delete()
