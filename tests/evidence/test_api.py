"""The evidence API under /api/v1 with bearer tokens: items, upload, download, custody."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openapi_spec_validator import validate

from tergeu.accounts.models import OrgKind
from tergeu.accounts.tokens import issue_token
from tergeu.core import blobs
from tergeu.evidence.models import EvidenceFile
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

from .conftest import jpeg, pdf, stored

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


class Api:
    """Django's test client with a bearer token of ``user``."""

    def __init__(self, user: Any) -> None:
        _row, token = issue_token(user, name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, path: str) -> Any:
        return self.client.get(BASE + path)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(BASE + path, json.dumps(body), content_type="application/json")

    def upload(self, path: str, name: str, data: bytes, ctype: str) -> Any:
        return self.client.post(BASE + path, {"file": SimpleUploadedFile(name, data, ctype)})


ITEM = {
    "description": "Видеорегистратор с картой памяти 32 ГБ",
    "kind": "digital",
    "seized_at": "2025-03-03T15:40:00+05:00",
    "seized_where": "Автомобиль Toyota Camry, г/н 123ABC02",
}


def test_the_life_of_an_item_over_the_api(unit: f.Unit, case: Any) -> None:
    api = Api(unit.investigator)
    created = api.post(f"/cases/{case.erdr_number}/evidence", ITEM)
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["number"] == 1
    assert item["status"] == "in_custody"
    assert item["seized_at"] == "2025-03-03T10:40:00Z"
    assert [c["kind"] for c in item["custody"]] == ["received"]
    assert {m["name"] for m in item["moves"]} == {
        "transfer",
        "send_for_examination",
        "return_to_owner",
        "destroy",
    }

    data = jpeg(b"api")
    uploaded = api.upload(f"/evidence/{item['id']}/files", "кадр.jpg", data, "image/jpeg")
    assert uploaded.status_code == 201, uploaded.content
    file = uploaded.json()
    digest = hashlib.sha256(data).hexdigest()
    assert (file["sha256"], file["size"], file["name"]) == (digest, len(data), "кадр.jpg")
    assert blobs.read_bytes(digest) == data

    download = api.client.get(f"{BASE}/evidence/files/{file['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    b64 = base64.b64encode(bytes.fromhex(digest)).decode()
    assert download["Repr-Digest"] == f"sha-256=:{b64}:"
    assert Event.objects.filter(action="evidence.file_read", case_id=case.pk).count() == 1

    forensic = f.org(OrgKind.FORENSIC)
    moved = api.post(
        f"/evidence/{item['id']}/custody",
        {"move": "send_for_examination", "to_organisation": forensic.code, "version": 1},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "under_examination"
    assert moved.json()["holder_organisation"] == forensic.code
    history = api.get(f"/evidence/{item['id']}/custody").json()
    assert history["total"] == 2
    sent = history["items"][1]
    assert (sent["kind"], sent["rule"]) == ("examination_sent", "CPC art. 272(1), 276(1)")
    event = Event.objects.get(uid=sent["journal_event_uid"])
    assert payload_of(event)["data"]["files"] == [
        {"sha256": digest, "size": len(data), "name": "кадр.jpg"}
    ]
    page = api.get(f"/cases/{case.pk}/evidence?size=1").json()
    assert (page["total"], page["size"], page["items"][0]["files"][0]["sha256"]) == (1, 1, digest)
    check = api.get(f"/cases/{case.pk}/evidence/verification").json()
    assert (check["checked"], check["failed"]) == (1, 0)


def test_refusals_have_the_api_error_shape(unit: f.Unit, case: Any) -> None:
    api = Api(unit.investigator)
    item = api.post(f"/cases/{case.pk}/evidence", ITEM).json()
    before = stored()
    exe = api.upload(f"/evidence/{item['id']}/files", "photo.jpg", b"MZ" + b"\x00" * 300, "")
    assert exe.status_code == 422
    assert exe.json()["code"] == "validation_failed"
    assert exe.json()["fields"]["file"][0].startswith("The content of “photo.jpg” is not")
    assert stored() == before
    assert not EvidenceFile.objects.exists()
    illegal = api.post(f"/evidence/{item['id']}/custody", {"move": "return_from_examination"})
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "rule_violation"
    assert illegal.json()["rule"] == "CPC art. 276(6), 221(2)"
    bad = api.post(f"/cases/{case.pk}/evidence", {**ITEM, "kind": "ufo", "seized_at": "soon"})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"kind", "seized_at"}
    ru = api.client.post(
        f"{BASE}/evidence/{item['id']}/custody",
        json.dumps({"move": "destroy"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert ru.json()["fields"] == {
        "note": ["Укажите решение, на основании которого это делается (постановление, приговор)."]
    }


def test_a_stranger_gets_not_found_over_the_api(unit: f.Unit, case: Any) -> None:
    api = Api(unit.investigator)
    item = api.post(f"/cases/{case.pk}/evidence", ITEM).json()
    file = api.upload(f"/evidence/{item['id']}/files", "a.pdf", pdf(b"a"), "application/pdf")
    stranger = f.Unit(district_code="02").investigator
    other = Api(stranger)
    for response in (
        other.get(f"/cases/{case.pk}/evidence"),
        other.get(f"/evidence/{item['id']}"),
        other.get(f"/evidence/files/{file.json()['id']}"),
        other.upload(f"/evidence/{item['id']}/files", "b.pdf", pdf(b"b"), "application/pdf"),
        other.post(f"/evidence/{item['id']}/custody", {"move": "transfer", "to_holder": "x"}),
    ):
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Not found."}
    assert Event.objects.filter(action="access.denied", actor=stranger).count() == 5
    assert EvidenceFile.objects.count() == 1


def test_the_openapi_description_stays_valid() -> None:
    spec = Client().get(f"{BASE}/openapi.json").json()
    validate(spec)
    paths = spec["paths"]
    upload = paths["/api/v1/evidence/{item_id}/files"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    download = paths["/api/v1/evidence/files/{file_id}"]["get"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]
    assert {"page", "size"} <= {
        p["name"] for p in paths["/api/v1/cases/{key}/evidence"]["get"]["parameters"]
    }
