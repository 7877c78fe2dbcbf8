"""The evidence page with Django's test client: rendering, the forms, errors, downloads."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tergeu.accounts.models import OrgKind
from tergeu.core import blobs
from tergeu.evidence import services
from tergeu.evidence.models import CustodyEvent, EvidenceFile, EvidenceItem, ItemStatus
from tergeu.integrity.models import Event
from tests import factories as f

from .conftest import attach, jpeg, register, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(unit: f.Unit) -> Client:
    client = Client()
    client.force_login(unit.investigator)
    return client


def _url(case: Any) -> str:
    return f"/cases/{case.pk}/evidence/"


def test_the_case_card_links_to_the_evidence_page(web: Client, case: Any) -> None:
    html = web.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="{_url(case)}"' in html


def test_the_page_lists_items_files_and_custody(
    web: Client, unit: f.Unit, case: Any, item: EvidenceItem
) -> None:
    row = attach(unit.investigator, item, jpeg(b"page"), name="место.jpg")
    services.transfer(unit.investigator, item.pk, to_holder="Камера хранения №2")
    response = web.get(_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Item No. 1" in html
    assert "Мобильный телефон Samsung" in html
    assert "место.jpg" in html
    assert f"/evidence/files/{row.pk}/" in html
    assert "<wbr>".join(row.sha256[i : i + 16] for i in range(0, 64, 16)) in html
    assert "✓ verified" in html
    assert "Камера хранения №2" in html
    assert "CPC art. 221(3), 221(5)" in html
    assert 'enctype="multipart/form-data"' in html
    assert f'action="/evidence/{item.pk}/custody/send_for_examination/"' in html
    assert "receive_from_examination" not in html  # not open to an item in custody


def test_a_changed_file_is_marked_on_the_page(
    web: Client, unit: f.Unit, case: Any, item: EvidenceItem
) -> None:
    row = attach(unit.investigator, item, jpeg(b"tamper"))
    path = blobs.path_of(row.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    html = web.get(_url(case)).content.decode()
    assert "✗ altered or missing" in html
    response = web.get(f"/evidence/files/{row.pk}/")
    assert response.status_code == 302
    page = web.get(response["Location"]).content.decode()
    assert "no longer matches its SHA-256" in page


def test_registering_an_item_through_the_form(web: Client, case: Any) -> None:
    response = web.post(
        f"/cases/{case.pk}/evidence/new/",
        {
            "description": "Нож кухонный со следами вещества бурого цвета",
            "kind": "object",
            "seized_at": "2025-03-03T14:20",
            "seized_where": "ул. Абая 1, кв. 5, при обыске",
            "holder": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_url(case)}#item-1"
    item = EvidenceItem.objects.get(case=case)
    assert item.seized_at.isoformat() == "2025-03-03T09:20:00+00:00"  # entered in UTC+5
    assert "Item No. 1 is registered." in web.get(response["Location"]).content.decode()


def test_form_errors_are_shown_at_the_fields_in_the_users_language(web: Client, case: Any) -> None:
    web.cookies["tergeu_language"] = "ru"
    response = web.post(
        f"/cases/{case.pk}/evidence/new/",
        {"description": "", "kind": "object", "seized_at": "2099-01-01T10:00", "seized_where": ""},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert '<details class="action spaced" id="register-item" open>' in html
    assert html.count("Это поле обязательно.") == 2
    assert "Это время ещё не наступило." in html
    assert not EvidenceItem.objects.exists()


def test_upload_through_the_multipart_form(
    web: Client, unit: f.Unit, case: Any, item: EvidenceItem
) -> None:
    data = jpeg(b"form")
    upload = SimpleUploadedFile("осмотр.jpg", data, content_type="image/jpeg")
    response = web.post(f"/evidence/{item.pk}/files/", {"file": upload})
    assert response.status_code == 302
    row = EvidenceFile.objects.get(item=item)
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert blobs.read_bytes(row.sha256) == data
    download = web.get(f"/evidence/files/{row.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data  # type: ignore[attr-defined]
    assert download["Content-Type"] == "image/jpeg"
    assert "attachment" in download["Content-Disposition"]
    read = Event.objects.get(action="evidence.file_read", actor=unit.investigator)
    assert read.case_id == case.pk


def test_a_renamed_program_is_refused_at_the_file_field(web: Client, item: EvidenceItem) -> None:
    web.cookies["tergeu_language"] = "kk"
    before = stored()
    upload = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 500, "image/jpeg")
    response = web.post(f"/evidence/{item.pk}/files/", {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="item-{item.number}-upload" open' in html
    assert "«photo.jpg» файлының мазмұны рұқсат етілген форматтағы" in html
    assert stored() == before
    assert not EvidenceFile.objects.exists()


def test_custody_moves_through_the_forms(web: Client, case: Any, item: EvidenceItem) -> None:
    forensic = f.org(OrgKind.FORENSIC)
    response = web.post(
        f"/evidence/{item.pk}/custody/send_for_examination/",
        {"to_holder": "", "to_organisation": forensic.code, "note": "Пост. №7", "version": 1},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.UNDER_EXAMINATION
    assert item.holder_organisation == forensic
    # a stale form (the version it was shown with) is refused, not applied twice
    again = web.post(f"/evidence/{item.pk}/custody/return_from_examination/", {"version": 1})
    assert again.status_code == 409
    assert "The item was changed meanwhile" in again.content.decode()
    web.post(f"/evidence/{item.pk}/custody/return_from_examination/", {"version": 2})
    refused = web.post(f"/evidence/{item.pk}/custody/destroy/", {"note": "", "version": 3})
    assert refused.status_code == 422
    assert "Give the decision this is based on" in refused.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_CUSTODY
    assert CustodyEvent.objects.filter(item=item).count() == 3


def test_a_rule_violation_is_shown_with_its_article(
    web: Client, unit: f.Unit, item: EvidenceItem
) -> None:
    services.destroy(unit.investigator, item.pk, note="Приговор от 12.05.2025")
    response = web.post(
        f"/evidence/{item.pk}/custody/transfer/", {"to_holder": "Склад", "version": 2}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "while the item is “Destroyed”. (CPC art. 221(3), 221(5))" in html
    assert f'id="item-{item.number}-transfer" open' in html


def test_another_units_official_gets_404_everywhere(
    unit: f.Unit, case: Any, item: EvidenceItem
) -> None:
    row = attach(unit.investigator, item, jpeg(b"secret"))
    stranger = f.Unit(district_code="02").investigator
    client = Client()
    client.force_login(stranger)
    upload = SimpleUploadedFile("x.jpg", jpeg(b"x"), "image/jpeg")
    for response in (
        client.get(_url(case)),
        client.post(f"/cases/{case.pk}/evidence/new/", {"description": "x"}),
        client.post(f"/evidence/{item.pk}/files/", {"file": upload}),
        client.post(f"/evidence/{item.pk}/custody/transfer/", {"to_holder": "x"}),
        client.get(f"/evidence/files/{row.pk}/"),
    ):
        assert response.status_code == 404
    assert Event.objects.filter(action="access.denied", actor=stranger).count() == 5
    assert EvidenceFile.objects.count() == 1


def test_the_prosecutor_sees_the_page_without_forms(
    unit: f.Unit, case: Any, item: EvidenceItem
) -> None:
    client = Client()
    client.force_login(unit.prosecutor)
    html = client.get(_url(case)).content.decode()
    assert "Item No. 1" in html
    assert '<form method="post" action="/evidence/' not in html
    assert "Register an item of evidence" not in html
    response = client.post(f"/evidence/{item.pk}/custody/transfer/", {"to_holder": "x"})
    assert response.status_code == 403


def test_queries_do_not_grow_with_items_files_and_moves(
    web: Client, unit: f.Unit, case: Any, django_assert_max_num_queries: Any
) -> None:
    f.org(OrgKind.FORENSIC)

    def add(n: int) -> None:
        for i in range(n):
            item = register(unit, case, description=f"Предмет {i}")
            attach(unit.investigator, item, jpeg(f"{i}-a".encode()))
            attach(unit.investigator, item, jpeg(f"{i}-b".encode()))
            services.transfer(unit.investigator, item.pk, to_holder="Склад")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert web.get(_url(case)).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    few = count()
    add(8)
    # session, user, case and grants (twice: read access, then the right to work), count and
    # page of items, files, custody, forensic centres, the user's body, savepoints, session
    with django_assert_max_num_queries(18):
        web.get(_url(case))
    assert count() == few
