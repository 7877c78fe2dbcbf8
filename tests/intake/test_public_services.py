"""Public reports at the service layer: code, verification, filing, rate limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tergeu.core import blobs, clock
from tergeu.core.errors import ValidationFailed
from tergeu.intake import public
from tergeu.intake.models import OneTimeCode, Report, ReportAttachment, Source
from tergeu.intake.ratelimit import RateLimited
from tergeu.integrity.models import Event
from tergeu.notifications.models import Message
from tests import factories as f

from .public_helpers import DESCRIPTION, EXE, JPEG, PDF, identity, last_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def confirmed(**extra: Any) -> OneTimeCode:
    challenge, _code = public.request_code(**identity(**extra))
    return public.verify_code(challenge.pk, last_code(challenge.recipient))


def file(challenge: OneTimeCode, **extra: Any) -> public.Submitted:
    data: dict[str, Any] = {
        "event_kind": "theft",
        "description": DESCRIPTION,
        "offence_at": clock.now() - dt.timedelta(hours=5),
        "region_code": "75",
        "district_code": "01",
        "address": "ул. Абая, 10, кв. 5",
        "answers": {"damage": True, "amount": "450 000", "dwelling": True},
        "confirm_liability": True,
        "site_url": "https://tergeu.example.kz/",
    }
    data.update(extra)
    return public.submit_report(challenge.pk, **data)


def test_code_is_hashed_sent_and_not_journaled() -> None:
    challenge, code = public.request_code(**identity())
    assert challenge.channel == "sms"
    assert challenge.recipient == "+77012345678"
    assert code not in challenge.code_hmac
    assert challenge.code_hmac == public.code_hmac(challenge.pk, code)
    message = Message.objects.get(kind="otp")
    assert code in message.body
    assert message.language == "kk"
    assert not Event.objects.filter(payload__contains=code).exists()


def test_email_gets_the_code_when_there_is_no_phone() -> None:
    challenge, _ = public.request_code(**identity(phone="", email="aliya@example.kz"))
    assert (challenge.channel, challenge.recipient) == ("email", "aliya@example.kz")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"iin": "900101300011"}, "iin"),
        ({"iin": ""}, "iin"),
        ({"full_name": " "}, "full_name"),
        ({"phone": "", "email": ""}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"email": "nope"}, "email"),
        ({"language": "de"}, "language"),
    ],
)
def test_bad_identity_sends_nothing(extra: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        public.request_code(**identity(**extra))
    assert field in exc.value.fields
    assert not OneTimeCode.objects.exists()
    assert not Message.objects.exists()


def test_wrong_expired_and_exhausted_codes() -> None:
    start = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        challenge, code = public.request_code(**identity())
    wrong = "000000" if code != "000000" else "111111"
    with clock.frozen(start + dt.timedelta(minutes=1)), pytest.raises(ValidationFailed) as exc:
        public.verify_code(challenge.pk, wrong)
    assert "wrong" in exc.value.field_texts()["code"][0]
    challenge.refresh_from_db()
    assert challenge.attempts == 1
    assert challenge.verified_at is None
    with clock.frozen(start + dt.timedelta(minutes=11)):
        with pytest.raises(ValidationFailed) as exc:
            public.verify_code(challenge.pk, code)
        assert "expired" in exc.value.field_texts()["code"][0]
    with clock.frozen(start):
        challenge, code = public.request_code(**identity(phone="+77019998877"))
        for _ in range(public.MAX_ATTEMPTS):
            with pytest.raises(ValidationFailed):
                public.verify_code(challenge.pk, wrong)
        with pytest.raises(ValidationFailed) as exc:
            public.verify_code(challenge.pk, code)
    assert "no longer works" in exc.value.field_texts()["code"][0]
    challenge.refresh_from_db()
    assert challenge.voided
    assert challenge.verified_at is None


def test_a_report_is_filed_in_the_police_body_of_the_place(unit: f.Unit) -> None:
    other = f.Unit(district_code="02")
    challenge = confirmed()
    upload = SimpleUploadedFile("door.jpg", JPEG, content_type="image/jpeg")
    scan = SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf")
    done = file(challenge, attachments=[upload, scan])
    report = done.report
    assert report.organisation == unit.police != other.police
    assert report.source == Source.ELECTRONIC
    assert report.submitted_online
    assert report.recorded_by is None
    year = clock.local(report.received_at).year
    assert report.kui_number.startswith(f"{year}-{unit.police.code}-")
    assert report.applicant_iin == challenge.iin
    assert report.applicant_language == "kk"
    assert report.facts["event_kind"] == "theft"
    assert report.facts["amount"] == "450000.00"
    assert report.facts["dwelling"] is True
    assert report.facts["offence_date"]
    # The proposals are made at once: a theft from a dwelling (CC art. 188(2)).
    assert report.assessment["kind"] == "crime"
    assert report.assessment["candidates"][0]["article"] == "188"
    assert report.allocation_proposal["own_body"] is True
    assert report.assessed_at is not None
    assert public.report_by_token(done.token) == report
    assert done.token not in report.status_token_sha256
    files = list(ReportAttachment.objects.filter(report=report).order_by("filename"))
    assert [(a.filename, a.content_type) for a in files] == [
        ("door.jpg", "image/jpeg"),
        ("receipt.pdf", "application/pdf"),
    ]
    assert blobs.read_bytes(files[0].sha256) == JPEG
    event = Event.objects.get(action="report.submitted_online")
    assert files[0].sha256 in event.payload
    ack = Message.objects.get(kind="report_received")
    assert ack.report == report
    assert ack.language == "kk"
    assert report.tracking_number in ack.body
    assert done.status_url in ack.body
    assert done.status_url.startswith("https://tergeu.example.kz/report/status/")


def test_region_level_body_when_the_district_has_none() -> None:
    regional = f.org(code="750099", region_code="75", district_code="01")
    regional.district = None
    regional.save()
    done = file(confirmed(), district_code="")
    assert done.report.organisation == regional


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"description": "Украли."}, "description"),
        ({"offence_at": None}, "offence_at"),
        ({"region_code": "98"}, "region_code"),
        ({"district_code": "77"}, "district_code"),
        ({"address": ""}, "address"),
        ({"confirm_liability": False}, "confirm_liability"),
        ({"event_kind": "witchcraft"}, "event_kind"),
        ({"answers": {"damage": True, "amount": ""}}, "amount"),
        ({"event_kind": "violence", "answers": {}}, "injuries"),
        ({"event_kind": "vehicle", "answers": {}}, "vehicle_plate"),
        ({"answers": {"suspects_known": True}}, "suspects"),
    ],
)
def test_bad_report_creates_nothing(unit: f.Unit, extra: dict[str, Any], field: str) -> None:
    challenge = confirmed()
    with pytest.raises(ValidationFailed) as exc:
        file(challenge, **extra)
    assert field in exc.value.fields
    assert not Report.objects.exists()
    assert not Message.objects.filter(kind="report_received").exists()


def test_future_time_is_refused(unit: f.Unit) -> None:
    with pytest.raises(ValidationFailed) as exc:
        file(confirmed(), offence_at=clock.now() + dt.timedelta(days=1))
    assert "future" in exc.value.field_texts()["offence_at"][0]
    assert not Report.objects.exists()


def test_no_body_for_the_place() -> None:
    f.region("71")
    with pytest.raises(ValidationFailed) as exc:
        file(confirmed(), region_code="71", district_code="")
    assert "No police body" in exc.value.field_texts()["region_code"][0]
    assert not Report.objects.exists()


def test_attachments_are_checked_by_content_size_and_count(unit: f.Unit, settings: Any) -> None:
    challenge = confirmed()
    renamed = SimpleUploadedFile("photo.jpg", EXE, content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        file(challenge, attachments=[renamed])
    assert "photo.jpg" in exc.value.field_texts()["attachments"][0]
    settings.TERGEU_PUBLIC_MAX_FILE_BYTES = 100
    big = SimpleUploadedFile("big.jpg", JPEG, content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        file(challenge, attachments=[big])
    assert "larger than" in exc.value.field_texts()["attachments"][0]
    settings.TERGEU_PUBLIC_MAX_FILE_BYTES = None
    settings.TERGEU_PUBLIC_MAX_FILES = 1
    two = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(2)]
    with pytest.raises(ValidationFailed) as exc:
        file(challenge, attachments=two)
    assert "At most 1" in exc.value.field_texts()["attachments"][0]
    assert not Report.objects.exists()
    assert not ReportAttachment.objects.exists()


def test_expired_identity_files_nothing(unit: f.Unit) -> None:
    start = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        challenge = confirmed()
    with clock.frozen(start + dt.timedelta(minutes=61)), pytest.raises(public.IdentityExpired):
        file(challenge, offence_at=start - dt.timedelta(hours=1))
    assert not Report.objects.exists()


def test_rate_limits(unit: f.Unit, settings: Any) -> None:
    settings.TERGEU_PUBLIC_RATE_LIMITS = {"otp_contact": (2, 600), "submit_iin": (2, 86400)}
    public.request_code(**identity())
    public.request_code(**identity())
    with pytest.raises(RateLimited):
        public.request_code(**identity())
    assert OneTimeCode.objects.count() == 2
    challenge = public.verify_code(
        OneTimeCode.objects.order_by("-created_at")[0].pk, last_code("+77012345678")
    )
    file(challenge)
    file(challenge)
    with pytest.raises(RateLimited) as exc:
        file(challenge)
    assert exc.value.status == 429
    assert Report.objects.count() == 2


def test_the_api_shows_an_online_report_without_an_officer(unit: f.Unit) -> None:
    from tergeu.intake.api import report_out

    data = report_out(file(confirmed()).report)
    assert data["recorded_by"] is None
    assert data["submitted_online"] is True
    assert data["source"] == "electronic"
