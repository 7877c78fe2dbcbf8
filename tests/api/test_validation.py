"""Bad input: 422 with a message for each wrong field, and nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.cases.models import Case, Participant
from tergeu.core.iin import make_iin
from tergeu.intake.models import Report
from tergeu.integrity.models import Event
from tests import factories as f

from .conftest import ApiClient, client_for, report_body

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Report.objects.count(),
        Case.objects.count(),
        Participant.objects.count(),
        Event.objects.exclude(action="access.denied").count(),
    )


def _refused(client: ApiClient, method: str, path: str, body: Any) -> dict[str, list[str]]:
    """Send ``body``, expect 422 and no change, return the field messages."""
    before = _counts()
    r = getattr(client, method)(path, body)
    assert r.status_code == 422, r.content
    data = r.json()
    assert data["code"] == "validation_failed"
    assert data["message"] == "Please correct the errors below."
    assert _counts() == before
    return data["fields"]  # type: ignore[no-any-return]


def _wrong_check_digit() -> str:
    iin = make_iin(dt.date(1990, 5, 31), True, 42)
    return iin[:11] + str((int(iin[11]) + 1) % 10)


@pytest.fixture
def duty(unit: f.Unit) -> ApiClient:
    return client_for(unit.duty)


def test_invalid_iin_and_phone_of_the_applicant(duty: ApiClient) -> None:
    fields = _refused(
        duty,
        "post",
        "/reports",
        report_body(applicant_iin=_wrong_check_digit(), applicant_phone="12345"),
    )
    assert fields["applicant_iin"] == ["The IIN check digit is wrong; please check the number."]
    assert fields["applicant_phone"] == ["Enter a phone number like +7 701 234 56 78."]


def test_missing_and_mistyped_fields(duty: ApiClient) -> None:
    fields = _refused(duty, "post", "/reports", {"source": "pigeon", "received_at": [12]})
    assert fields["description"] == ["This field is required."]
    assert fields["source"] == ["Choose one of the offered values."]
    assert fields["received_at"]


def test_times_need_a_zone_and_must_be_valid(duty: ApiClient) -> None:
    fields = _refused(duty, "post", "/reports", report_body(offence_at="2025-01-10T22:00:00"))
    assert fields["offence_at"] == ["Give the time zone, e.g. 2025-01-31T14:30:00+05:00."]
    fields = _refused(duty, "post", "/reports", report_body(offence_at="yesterday"))
    assert fields["offence_at"] == ["Enter a date and time like 2025-01-31T14:30:00+05:00."]


def test_offence_after_the_report(duty: ApiClient) -> None:
    fields = _refused(
        duty,
        "post",
        "/reports",
        report_body(
            received_at="2025-01-10T10:00:00+05:00", offence_at="2025-01-10T12:00:00+05:00"
        ),
    )
    assert fields["offence_at"] == ["The offence cannot be later than the report."]


def test_oversized_fields(duty: ApiClient) -> None:
    fields = _refused(
        duty, "post", "/reports", report_body(description="x" * 20_001, address="y" * 501)
    )
    assert fields["description"] == ["At most 20000 characters, please."]
    assert fields["address"] == ["At most 500 characters, please."]


def test_body_that_is_not_json_or_not_an_object(duty: ApiClient) -> None:
    r = duty.post("/reports", "{not json")
    assert (r.status_code, r.json()["code"]) == (400, "bad_request")
    fields = _refused(duty, "post", "/reports", [1, 2])
    assert fields["description"] == ["This field is required."]


def test_registration_with_unknown_article_or_future_offence(unit: f.Unit) -> None:
    report = unit.report()
    duty = client_for(unit.duty)
    path = f"/reports/{report.pk}/register"
    fields = _refused(duty, "post", path, {"article": "9999"})
    assert list(fields) == ["article"]
    assert fields["article"][0]
    fields = _refused(
        duty, "post", path, {"article": "188", "part": "1", "offence_at": "2999-01-01T00:00:00Z"}
    )
    assert fields["offence_at"] == ["The offence cannot be later than its registration."]
    fields = _refused(duty, "post", path, {"article": "188", "part": "1", "investigator_id": "x"})
    assert fields["investigator_id"] == ["Enter a whole number."]
    fields = _refused(
        duty, "post", path, {"article": "188", "part": "1", "investigator_id": unit.prosecutor.pk}
    )
    assert fields["investigator_id"] == ["Choose an investigator or inquiry officer of your body."]
    report.refresh_from_db()
    assert report.status == "new"


def test_bad_participant(unit: f.Unit) -> None:
    case = unit.case()
    inv = client_for(unit.investigator)
    path = f"/cases/{case.erdr_number}/participants"
    fields = _refused(
        inv,
        "post",
        path,
        {
            "status": "victim",
            "last_name": "Ахметов",
            "first_name": "Ерлан",
            "iin": "12345",
            "email": "nope",
        },
    )
    assert fields["iin"] == ["An IIN has exactly 12 digits."]
    assert fields["email"] == ["Enter a valid e-mail address."]
    fields = _refused(
        inv,
        "post",
        path,
        {"status": "victim", "last_name": "Ахметов", "first_name": "Ерлан", "birth_date": "31.05"},
    )
    assert fields["birth_date"] == ["Enter a date like 1990-05-31."]
    fields = _refused(inv, "post", path, {"status": "victim", "last_name": 5, "first_name": ""})
    assert fields["last_name"] == ["Enter text."]


def test_bad_patch_changes_nothing(unit: f.Unit) -> None:
    case = unit.case()
    inv = client_for(unit.investigator)
    person = inv.post(
        f"/cases/{case.pk}/participants",
        {"status": "witness", "last_name": "Ахметов", "first_name": "Ерлан"},
    ).json()
    fields = _refused(inv, "patch", f"/participants/{person['id']}", {"last_name": None})
    assert fields["last_name"] == ["This field is required."]
    fields = _refused(inv, "patch", f"/participants/{person['id']}", {"status": "hero"})
    assert fields["status"] == ["Choose one of the offered values."]
    assert Participant.objects.get(pk=person["id"]).last_name == "Ахметов"


def test_move_without_its_ground_or_with_unknown_name(unit: f.Unit) -> None:
    case = unit.case()
    inv = client_for(unit.investigator)
    path = f"/cases/{case.erdr_number}/moves"
    fields = _refused(inv, "post", path, {"transition": "interrupt", "ground": "45.7.99"})
    assert fields["ground"] == ["Choose the legal ground (CPC art. 45(7))."]
    fields = _refused(inv, "post", path, {"transition": "teleport"})
    assert fields["transition"] == ["Unknown procedural action."]
    fields = _refused(inv, "post", path, {"transition": "interrupt", "version": 0})
    assert fields["version"] == ["The smallest allowed value is 1."]


def test_list_parameters_are_checked(duty: ApiClient) -> None:
    for query, field in (("size=201", "size"), ("page=0", "page"), ("status=lost", "status")):
        r = duty.get(f"/reports?{query}")
        assert r.status_code == 422
        assert field in r.json()["fields"]
    r = duty.get("/cases?date_from=tomorrow")
    assert r.json()["fields"] == {"date_from": ["Enter a date like 1990-05-31."]}


def test_oversized_request_is_400(duty: ApiClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = _counts()
    r = duty.post("/reports", report_body(description="x" * 2000))
    assert r.status_code == 400
    assert r.json() == {"code": "bad_request", "message": "The request is malformed or too large."}
    assert _counts() == before
