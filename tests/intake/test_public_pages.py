"""The public report pages with the Django test client (no JavaScript): identity, the code
read from the outbox, the report, the KUI record, the acknowledgement, the status page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tergeu.core import clock
from tergeu.intake.models import OneTimeCode, Report
from tergeu.notifications.models import Message
from tests import factories as f

from .public_helpers import DESCRIPTION, EXE, IIN, JPEG, identity, last_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def confirm(client: Client, **extra: Any) -> str:
    """Give the identity and the code from the outbox; return the phone the code went to."""
    data = identity(**extra)
    r = client.post("/report/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert r["Location"] == "/report/code/"
    recipient = OneTimeCode.objects.order_by("-created_at")[0].recipient
    r = client.post("/report/code/", {"code": last_code(recipient)})
    assert r.status_code == 302
    assert r["Location"] == "/report/new/"
    return recipient


def report_data(**extra: Any) -> dict[str, Any]:
    offence = clock.local(clock.now() - dt.timedelta(hours=3))
    data: dict[str, Any] = {
        "event_kind": "theft",
        "description": DESCRIPTION,
        "offence_at": offence.strftime("%Y-%m-%dT%H:%M"),
        "region_code": "75",
        "district": "75:01",
        "address": "ул. Абая, 10, кв. 5",
        "damage": "on",
        "amount": "450000",
        "dwelling": "on",
        "confirm_liability": "on",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_the_whole_flow_in_kazakh(unit: f.Unit) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="kk")
    r = client.get("/report/")
    assert r.status_code == 200
    assert 'lang="kk"' in r.content.decode()
    confirm(client)
    r = client.get("/report/new/?event_kind=theft")
    assert r.status_code == 200
    page = r.content.decode()
    assert 'name="dwelling"' in page
    assert 'name="cards"' not in page
    assert "419" in page
    photo = SimpleUploadedFile("door.jpg", JPEG, content_type="image/jpeg")
    r = client.post("/report/new/", {**report_data(), "attachments": [photo]})
    assert r.status_code == 302, r.content.decode()[:3000]
    report = Report.objects.get()
    assert report.organisation == unit.police
    assert report.recorded_by is None
    assert report.submitted_online
    assert report.applicant_iin == IIN
    assert report.applicant_language == "kk"
    assert report.attachments.count() == 1
    assert report.facts["amount"] == "450000.00"
    ack = Message.objects.get(kind="report_received")
    assert ack.language == "kk"
    assert ack.recipient == "+77012345678"
    assert report.tracking_number in ack.body
    assert "қабылданды" in ack.subject
    status_url = r["Location"]
    assert status_url in ack.body
    r = client.get(status_url)
    page = r.content.decode()
    assert r.status_code == 200
    assert report.kui_number in page
    assert report.tracking_number in page
    assert 'id="decision-clock"' in page
    assert "Арыз қабылданды" in page  # the acknowledgement in the list of notices


def test_kind_is_chosen_first_without_javascript(unit: f.Unit) -> None:
    client = Client()
    confirm(client)
    r = client.post("/report/new/", {"event_kind": "fraud", "action": "kind"})
    page = r.content.decode()
    assert r.status_code == 200
    assert 'name="cards"' in page
    assert 'name="dwelling"' not in page
    assert not Report.objects.exists()
    r = client.get("/report/new/questions/?event_kind=violence")
    assert 'name="injuries"' in r.content.decode()


def test_errors_are_shown_next_to_the_fields_and_nothing_is_created(unit: f.Unit) -> None:
    client = Client()
    confirm(client)
    future = clock.local(clock.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    exe = SimpleUploadedFile("photo.jpg", EXE, content_type="image/jpeg")
    r = client.post(
        "/report/new/",
        {
            **report_data(offence_at=future, confirm_liability=None, description="Украли."),
            "attachments": [exe],
        },
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert 'id="id_offence_at_error"' in page
    assert 'id="id_confirm_liability_error"' in page
    assert 'id="id_description_error"' in page
    assert 'id="id_attachments_error"' in page
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("data", "error_id"),
    [
        ({"region_code": "98", "district": ""}, "id_region_code_error"),
        ({"district": "75:77"}, "id_district_error"),
        ({"event_kind": "violence", "damage": None}, "id_injuries_error"),
    ],
)
def test_bad_place_or_missing_fact(unit: f.Unit, data: dict[str, Any], error_id: str) -> None:
    client = Client()
    confirm(client)
    r = client.post("/report/new/", report_data(**data))
    assert r.status_code == 200
    assert f'id="{error_id}"' in r.content.decode()
    assert not Report.objects.exists()


def test_no_police_body_for_the_place() -> None:
    f.district("71", "01")
    client = Client()
    confirm(client)
    r = client.post("/report/new/", report_data(region_code="71", district="71:01"))
    assert 'id="id_region_code_error"' in r.content.decode()
    assert "No police body" in r.content.decode()
    assert not Report.objects.exists()


def test_bad_iin_and_wrong_code() -> None:
    client = Client()
    r = client.post("/report/", identity(iin="900101300011"))
    assert r.status_code == 200
    assert 'id="id_iin_error"' in r.content.decode()
    assert not OneTimeCode.objects.exists()
    client.post("/report/", identity())
    code = last_code("+77012345678")
    r = client.post("/report/code/", {"code": "000000" if code != "000000" else "111111"})
    assert r.status_code == 200
    assert 'id="id_code_error"' in r.content.decode()
    r = client.get("/report/new/")
    assert r.status_code == 302
    assert r["Location"] == "/report/"


def test_the_code_is_shown_only_in_a_demo(settings: Any) -> None:
    client = Client()
    client.post("/report/", identity())
    assert 'id="demo-code"' not in client.get("/report/code/").content.decode()
    settings.TERGEU_SHOW_OTP = True
    client.post("/report/", identity(phone="+77015550000"))
    page = client.get("/report/code/").content.decode()
    assert 'id="demo-code"' in page
    assert last_code("+77015550000") in page


def test_flood_of_code_requests_gets_429(settings: Any) -> None:
    settings.TERGEU_PUBLIC_RATE_LIMITS = {"otp_ip": (2, 3600)}
    client = Client()
    for n in range(2):
        assert client.post("/report/", identity(phone=f"+7701000000{n}")).status_code == 302
    r = client.post("/report/", identity(phone="+77010000009"))
    assert r.status_code == 429
    assert "Too many requests" in r.content.decode()
    assert OneTimeCode.objects.count() == 2


def test_flood_of_reports_gets_429_and_creates_nothing(unit: f.Unit, settings: Any) -> None:
    settings.TERGEU_PUBLIC_RATE_LIMITS = {"submit_iin": (2, 86400)}
    client = Client()
    confirm(client)
    for _ in range(2):
        assert client.post("/report/new/", report_data()).status_code == 302
    r = client.post("/report/new/", report_data())
    assert r.status_code == 429
    assert Report.objects.count() == 2


def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(settings: Any) -> None:
    settings.TERGEU_PUBLIC_RATE_LIMITS = {"otp_ip": (1, 3600)}
    client = Client()
    hdr = {"HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert client.post("/report/", identity(phone="+77010000001"), **hdr).status_code == 302
    hdr = {"HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert client.post("/report/", identity(phone="+77010000002"), **hdr).status_code == 429
    settings.TERGEU_TRUSTED_PROXY_HOPS = 1
    assert client.post("/report/", identity(phone="+77010000003"), **hdr).status_code == 302


def test_unknown_status_token_is_404_in_the_users_language() -> None:
    r = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/report/status/not-a-real-token/")
    assert r.status_code == 404
    assert 'lang="ru"' in r.content.decode()


def test_lookup_by_tracking_number_and_iin(unit: f.Unit) -> None:
    client = Client()
    confirm(client)
    client.post("/report/new/", report_data())
    report = Report.objects.get()
    r = Client().post("/report/status/", {"tracking_number": report.tracking_number, "iin": IIN})
    assert r.status_code == 200
    assert report.kui_number in r.content.decode()
    r = Client().post(
        "/report/status/", {"tracking_number": report.tracking_number, "iin": "000000000000"}
    )
    assert report.kui_number not in r.content.decode()
    assert 'id="id_tracking_number_error"' in r.content.decode()


def test_staff_see_facts_and_download_files_of_their_body_only(unit: f.Unit) -> None:
    client = Client()
    confirm(client)
    photo = SimpleUploadedFile("door.jpg", JPEG, content_type="image/jpeg")
    client.post("/report/new/", {**report_data(), "attachments": [photo]})
    report = Report.objects.get()
    staff = Client()
    staff.force_login(unit.duty)
    page = staff.get(f"/reports/{report.pk}/").content.decode()
    assert 'id="public-facts"' in page
    assert "door.jpg" in page
    attachment = report.attachments.get()
    r = staff.get(f"/report/attachment/{attachment.pk}/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == JPEG  # type: ignore[attr-defined]
    from tergeu.integrity.models import Event

    assert Event.objects.filter(action="report.attachment_read", actor=unit.duty).exists()
    stranger = Client()
    stranger.force_login(f.Unit(region_code="71").duty)
    assert stranger.get(f"/report/attachment/{attachment.pk}/").status_code == 404
    assert re.search(r"Recorded by</dt><dd>—", page)


def test_status_page_shows_the_decision_reasons_appeal_and_notices(unit: f.Unit) -> None:
    from tergeu.intake.services import move_to_incident

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    confirm(client, language="ru")
    status_url = client.post("/report/new/", report_data())["Location"]
    report = Report.objects.get()
    move_to_incident(unit.duty, report.pk, reason="Гражданско-правовой спор о долге.")
    # Without a choice on the site the link opens in the applicant's language (Russian) ...
    assert '<html lang="ru"' in client.get(status_url).content.decode()
    # ... and in the language they chose on the site when they did.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(status_url).content.decode()
    assert '<html lang="en"' in page
    assert 'id="decision"' in page
    assert "moved to the incidents" in page
    assert "Гражданско-правовой спор о долге." in page
    assert "investigating judge" in page
    assert page.count("<li><time") == 2  # acknowledgement and the notice of the decision
    notice = Message.objects.get(kind="report_incident")
    assert notice.language == "ru"


def test_flood_of_code_tries_and_look_ups_gets_429(settings: Any) -> None:
    settings.TERGEU_PUBLIC_RATE_LIMITS = {"code_ip": (2, 3600), "lookup_ip": (1, 3600)}
    client = Client()
    client.post("/report/", identity())
    for _ in range(2):
        assert client.post("/report/code/", {"code": "999999x"}).status_code == 200
    assert client.post("/report/code/", {"code": last_code("+77012345678")}).status_code == 429
    assert not OneTimeCode.objects.filter(verified_at__isnull=False).exists()
    look = {"tracking_number": "ABCD-EFGH", "iin": IIN}
    assert client.post("/report/status/", look).status_code == 200
    assert client.post("/report/status/", look).status_code == 429
