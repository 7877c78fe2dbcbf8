"""Notices to participants in their language: recognition as a victim (on the signed
resolution), termination (to the victims and the applicant), the file ready to study."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.accounts.models import Role
from tergeu.cases.models import Case, Participant, ParticipantStatus
from tergeu.cases.services import move
from tergeu.core import clock
from tergeu.core.errors import NotFound, ValidationFailed
from tergeu.documents import services as documents
from tergeu.intake.models import Source
from tergeu.intake.services import record_report
from tergeu.integrity.models import Event
from tergeu.notifications.models import Message
from tergeu.summons.notices import notify_familiarisation
from tests.documents.conftest import make_participant, make_user

pytestmark = pytest.mark.django_db

#: A phrase of each notice in each language (from the translated templates).
PHRASES = {
    "victim_recognised": {
        "kk": "жәбірленуші деп таныды",
        "ru": "признало вас потерпевшим",
        "en": "recognised you as a victim",
    },
    "case_terminated": {
        "kk": "тергеп-тексеруді тоқтатты",
        "ru": "прекратило досудебное",
        "en": "has terminated the pre-trial",
    },
    "familiarisation": {
        "kk": "материалдарымен танысып",
        "ru": "ознакомиться с материалами",
        "en": "study the case file",
    },
}


def _person(case: Case, status: str, language: str, **contacts: str) -> Participant:
    return make_participant(
        case, status, "Нұрланова", first_name="Айша", language=language, **contacts
    )


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_victim_recognition_is_told_when_the_resolution_is_signed(
    language: str, investigator: Any, case: Case
):
    victim = _person(
        case, ParticipantStatus.VICTIM, language, phone="+77015550011", email="a@example.kz"
    )
    draft = documents.create_draft(
        investigator,
        case.pk,
        "resolution_victim",
        {
            "participant": str(victim.pk),
            "harm": "property",
            "harm_description": "Похищен телефон.",
            "established": "Похищен телефон.",
        },
    )
    assert not Message.objects.filter(kind="victim_recognised").exists()  # not for a draft
    doc = documents.finalise(investigator, draft.pk, draft.version)
    sent = Message.objects.filter(kind="victim_recognised").order_by("channel")
    assert [(m.channel, m.language) for m in sent] == [("email", language), ("sms", language)]
    for message in sent:
        assert message.case_id == case.pk
        assert PHRASES["victim_recognised"][language] in message.body
        assert case.erdr_number in message.subject
    event = Event.objects.get(action="notice.victim_recognised")
    assert event.object_id == str(victim.pk)
    assert str(doc.pk) in event.payload


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_termination_is_told_to_victims_and_the_applicant(
    language: str, investigator: Any, case: Case, organisation: Any
):
    _person(case, ParticipantStatus.VICTIM, language, email="victim@example.kz")
    _person(case, ParticipantStatus.WITNESS, language, email="witness@example.kz")
    duty = make_user(organisation, "duty", role=Role.DUTY_OFFICER)
    report = record_report(
        duty,
        source=Source.IN_PERSON,
        applicant_name="Сейтқали Әлия",
        applicant_phone="+77017770000",
        applicant_language=language,
        description="Из квартиры похищен ноутбук.",
    )
    Case.objects.filter(pk=case.pk).update(report=report)
    move(investigator, case.pk, "terminate", ground="35.1.2")
    sent = Message.objects.filter(kind="case_terminated")
    assert sorted(m.recipient for m in sent) == ["+77017770000", "victim@example.kz"]
    for message in sent:
        assert message.language == language
        assert PHRASES["case_terminated"][language] in message.body
    applicant = sent.get(recipient="+77017770000")
    assert applicant.report_id == report.pk
    assert Event.objects.filter(action="notice.case_terminated", case_id=case.pk).count() == 1


def test_termination_without_contacts_still_terminates(investigator: Any, case: Case):
    _person(case, ParticipantStatus.VICTIM, "ru")
    move(investigator, case.pk, "terminate", ground="35.1.1")
    case.refresh_from_db()
    assert case.stage == "terminated"
    assert not Message.objects.filter(kind="case_terminated").exists()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_familiarisation(language: str, investigator: Any, case: Case):
    victim = _person(case, ParticipantStatus.VICTIM, language, phone="+77015550011")
    until = clock.local(clock.now()).date() + dt.timedelta(days=10)
    sent = notify_familiarisation(
        investigator,
        case.pk,
        [victim.pk],
        place="г. Алматы, ул. Желтоксан, 96, каб. 214",
        until=until,
    )
    assert [(m.channel, m.language) for m in sent] == [("sms", language)]
    assert PHRASES["familiarisation"][language] in sent[0].body
    assert "Желтоксан, 96" in sent[0].body
    event = Event.objects.get(action="notice.familiarisation")
    assert str(victim.pk) in event.payload


def test_familiarisation_bad_input(investigator: Any, case: Case, outsider: Any):
    witness = _person(case, ParticipantStatus.WITNESS, "ru", phone="+77015550012")
    silent = make_participant(case, ParticipantStatus.VICTIM, "Тихий")
    until = clock.local(clock.now()).date() + dt.timedelta(days=10)
    cases = [
        ([witness.pk], "Алматы", until, {"participant_ids"}),
        ([silent.pk], "Алматы", until, {"participant_ids"}),
        (["7d1b3f0e-0000-7000-8000-000000000000"], "Алматы", until, {"participant_ids"}),
        ([], "", "2020-01-01", {"participant_ids", "place", "until"}),
        ([silent.pk], "Алматы", "not a date", {"participant_ids", "until"}),
    ]
    for ids, place, day, fields in cases:
        with pytest.raises(ValidationFailed) as caught:
            notify_familiarisation(investigator, case.pk, ids, place=place, until=day)
        assert set(caught.value.field_texts()) == fields
    with pytest.raises(NotFound):
        notify_familiarisation(outsider, case.pk, [silent.pk], place="Алматы", until=until)
    assert not Message.objects.filter(kind="familiarisation").exists()


def test_familiarisation_api(investigator: Any, case: Case):
    from django.test import Client

    victim = _person(case, ParticipantStatus.VICTIM, "kk", email="v@example.kz")
    client = Client()
    client.force_login(investigator)
    until = (clock.local(clock.now()).date() + dt.timedelta(days=5)).isoformat()
    answer = client.post(
        f"/api/v1/cases/{case.erdr_number}/familiarisation",
        {"participant_ids": [str(victim.pk)], "place": "Алматы, каб. 214", "until": until},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json() == {"messages": 1}
