"""Electronic summons end to end: the signed document, sending, the person's link (opened,
confirmed), the PDF, access, delivery and the fallback to the next channel."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from tergeu.cases.models import Case, Participant, ParticipantStatus
from tergeu.cases.services import remove_participant
from tergeu.core.errors import Conflict, NotFound, ValidationFailed
from tergeu.documents import services as documents
from tergeu.integrity.models import Event
from tergeu.notifications.models import Message, MessageStatus
from tergeu.notifications.services import record_receipt
from tergeu.notifications.signals import emit, message_sent
from tergeu.summons.models import Summons, SummonsStatus
from tergeu.summons.services import send_summons

from .conftest import SITE, make_participant, signed_summons, summons_fields

pytestmark = pytest.mark.django_db


def _accepted(message: Message, peer_id: str) -> None:
    """The peer accepted ``message`` (as the worker records it), signal included."""
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, peer_id=peer_id)
    emit(message_sent, Message.objects.get(pk=message.pk))


def test_send_open_confirm(investigator: Any, case: Case, witness: Participant, summons_doc: Any):
    summons, token = send_summons(
        investigator, case.pk, summons_doc.pk, ["sms", "email"], site_url=SITE
    )
    assert summons.status == SummonsStatus.QUEUED
    assert summons.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    message = summons.message
    assert message is not None
    assert (message.channel, message.recipient, message.language) == ("sms", "+77011112233", "kk")
    assert f"{SITE}s/{token}/" in message.body
    assert "куә" in message.body  # the capacity in Kazakh, the person's language
    assert "шақырыласыз" in message.body
    # the link is in the message only: neither the journal nor the summons row holds it
    assert not Event.objects.filter(payload__contains=token).exists()
    queued = Event.objects.get(action="summons.queued")
    assert queued.case_id == case.pk

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/s/{token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ким Ольга" in text
    assert "Желтоксан" in text
    assert "214" in text
    assert "куә" in text  # the page speaks the person's language
    assert page["Content-Language"] == "kk"
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.OPENED
    assert summons.opened_at is not None
    client.get(f"/s/{token}/")
    assert Event.objects.filter(action="summons.opened").count() == 1

    confirmed = client.post(f"/s/{token}/")
    assert confirmed.status_code == 302
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.CONFIRMED
    assert summons.confirmed_at is not None
    assert Event.objects.filter(action="summons.confirmed").count() == 1
    again = client.get(f"/s/{token}/")
    assert 'id="summons-confirmed"' in again.content.decode()

    pdf = client.get(f"/s/{token}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert Event.objects.filter(action="document.read", object_id=str(summons_doc.pk)).exists()

    # a late receipt does not move a confirmed summons back
    _accepted(message, "smsc-1")
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.CONFIRMED
    assert summons.sent_at is not None


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_unknown_token_is_404_in_the_users_language(language: str, db: Any):
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/s/not-a-token/")
    assert page.status_code == 404
    assert page["Content-Language"] == language


def test_expired_link_is_404(investigator: Any, case: Case, summons_doc: Any):
    summons, token = send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)
    Summons.objects.filter(pk=summons.pk).update(expires_at=summons.created_at)
    assert Client().get(f"/s/{token}/").status_code == 404


def test_link_is_rate_limited(investigator: Any, case: Case, summons_doc: Any, settings: Any):
    settings.TERGEU_PUBLIC_RATE_LIMITS = {"lookup_ip": (2, 3600)}
    _summons, token = send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)
    client = Client()
    assert client.get(f"/s/{token}/").status_code == 200
    assert client.get("/s/guess/").status_code == 404
    assert client.get(f"/s/{token}/").status_code == 429


def test_only_the_case_team_sends(outsider: Any, case: Case, summons_doc: Any):
    with pytest.raises(NotFound):
        send_summons(outsider, case.pk, summons_doc.pk, site_url=SITE)
    assert not Summons.objects.exists()
    assert Event.objects.filter(action="access.denied", actor=outsider).exists()
    client = Client()
    client.force_login(outsider)
    answer = client.post(
        f"/api/v1/cases/{case.pk}/summons",
        {"document_id": str(summons_doc.pk)},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert client.get(f"/cases/{case.pk}/summons/").status_code == 404


def test_api_send_and_list(investigator: Any, case: Case, summons_doc: Any):
    client = Client()
    client.force_login(investigator)
    answer = client.post(
        f"/api/v1/cases/{case.erdr_number}/summons",
        {"document_id": str(summons_doc.pk), "channels": ["email", "sms"]},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["channel"] == "email"
    assert body["status"] == "queued"
    assert "token" not in body
    listed = client.get(f"/api/v1/cases/{case.pk}/summons").json()
    assert [row["id"] for row in listed["items"]] == [body["id"]]
    again = client.post(
        f"/api/v1/cases/{case.pk}/summons",
        {"document_id": str(summons_doc.pk)},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_case_page_shows_the_status(investigator: Any, case: Case, summons_doc: Any):
    client = Client()
    client.force_login(investigator)
    card = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/summons/" in card
    sent = client.post(
        f"/cases/{case.pk}/summons/send/",
        {"document_id": str(summons_doc.pk), "channels": ["sms", "email"]},
    )
    assert sent.status_code == 302
    page = client.get(f"/cases/{case.pk}/summons/").content.decode()
    assert "Ким Ольга" in page
    assert "+77011112233" in page
    assert "badge-queued" in page


def test_fallback_to_email_when_the_sms_is_dead(
    investigator: Any, case: Case, witness: Participant, summons_doc: Any
):
    summons, token = send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)
    sms = summons.message
    assert sms is not None
    _accepted(sms, "smsc-7")
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.SENT
    record_receipt("sms", "smsc-7", delivered=False, error="absent subscriber")
    summons.refresh_from_db()
    mail = summons.message
    assert mail is not None
    assert mail.pk != sms.pk
    assert (mail.channel, mail.recipient, mail.language) == ("email", "kim@example.kz", "kk")
    assert summons.channel == "email"
    assert summons.status == SummonsStatus.QUEUED
    assert Event.objects.filter(action="summons.channel_failed").count() == 1
    assert Event.objects.filter(action="summons.fallback").count() == 1
    # a new link went with the e-mail; the one in the undelivered SMS no longer works
    assert Client().get(f"/s/{token}/").status_code == 404
    link = next(w for w in mail.body.split() if w.startswith(f"{SITE}s/"))
    assert Client().get(link.removeprefix(SITE.rstrip("/"))).status_code == 200

    _accepted(mail, "<mail-1@tergeu.example>")
    record_receipt("email", "<mail-1@tergeu.example>", delivered=True)
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.OPENED  # opened above; delivery is recorded too
    assert summons.delivered_at is not None


def test_all_channels_failing_is_failed(investigator: Any, case: Case, summons_doc: Any):
    summons, _token = send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)
    for number in (1, 2):
        summons.refresh_from_db()
        assert summons.message is not None
        _accepted(summons.message, f"peer-{number}")
        record_receipt(summons.message.channel, f"peer-{number}", delivered=False)
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.FAILED
    assert summons.failed_at is not None
    assert Event.objects.filter(action="summons.failed").count() == 1
    client = Client()
    client.force_login(investigator)
    assert "badge-failed" in client.get(f"/cases/{case.pk}/summons/").content.decode()


def test_channels_without_a_contact_are_skipped(investigator: Any, case: Case, victim: Any):
    doc = signed_summons(investigator, case, victim, capacity="victim")
    summons, _token = send_summons(investigator, case.pk, doc.pk, ["sms", "email"], site_url=SITE)
    assert summons.channels == ["email"]
    assert summons.message is not None
    assert summons.message.language == "ru"
    assert "потерпевший" in summons.message.body


# --- bad input --------------------------------------------------------------------------


def _fields(exc: ValidationFailed) -> set[str]:
    return set(exc.field_texts())


def test_person_without_contacts(investigator: Any, case: Case):
    person = make_participant(case, ParticipantStatus.WITNESS, "Оспанов")
    doc = signed_summons(investigator, case, person)
    with pytest.raises(ValidationFailed) as caught:
        send_summons(investigator, case.pk, doc.pk, site_url=SITE)
    assert _fields(caught.value) == {"channels"}
    assert not Message.objects.filter(kind="summons").exists()


def test_draft_document(investigator: Any, case: Case, witness: Participant):
    draft = documents.create_draft(investigator, case.pk, "summons", summons_fields(witness))
    with pytest.raises(ValidationFailed) as caught:
        send_summons(investigator, case.pk, draft.pk, site_url=SITE)
    assert _fields(caught.value) == {"document_id"}


def test_another_cases_document(
    investigator: Any, case: Case, witness: Participant, summons_doc: Any
):
    other = Case.objects.create(
        erdr_number="257501010009999",
        registered_at=case.registered_at,
        organisation=case.organisation,
        fabula="Другое дело.",
        article=case.article,
        investigator=investigator,
    )
    other.grants.create(user=investigator, role="investigator", granted_at=case.registered_at)
    with pytest.raises(ValidationFailed) as caught:
        send_summons(investigator, other.pk, summons_doc.pk, site_url=SITE)
    assert _fields(caught.value) == {"document_id"}


def test_not_a_summons_and_unknown_ids(investigator: Any, case: Case, witness: Participant):
    other = documents.create_draft(
        investigator, case.pk, "resolution_acceptance", {"established": "Дело принято."}
    )
    other = documents.finalise(investigator, other.pk, other.version)
    for document_id in (other.pk, "7d1b3f0e-0000-7000-8000-000000000000", "nonsense"):
        with pytest.raises(ValidationFailed) as caught:
            send_summons(investigator, case.pk, document_id, site_url=SITE)
        assert _fields(caught.value) == {"document_id"}


def test_bad_channels(investigator: Any, case: Case, summons_doc: Any):
    for channels in ([], ["fax"], ["sms", "sms"]):
        with pytest.raises(ValidationFailed) as caught:
            send_summons(investigator, case.pk, summons_doc.pk, channels, site_url=SITE)
        assert _fields(caught.value) == {"channels"}


def test_unknown_or_removed_participant(
    investigator: Any, case: Case, witness: Participant, summons_doc: Any
):
    fields = {**summons_fields(witness), "participant": "7d1b3f0e-0000-7000-8000-000000000000"}
    with pytest.raises(ValidationFailed) as caught:
        documents.create_draft(investigator, case.pk, "summons", fields)
    assert "participant" in _fields(caught.value)
    remove_participant(investigator, witness.pk, reason="Ошибочно внесён")
    with pytest.raises(ValidationFailed) as caught:
        send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)
    assert _fields(caught.value) == {"document_id"}


def test_sent_twice_is_a_conflict(investigator: Any, case: Case, summons_doc: Any):
    send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)
    with pytest.raises(Conflict):
        send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)


def test_a_late_failure_after_opening_keeps_the_link(
    investigator: Any, case: Case, summons_doc: Any
):
    summons, token = send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)
    assert summons.message is not None
    _accepted(summons.message, "smsc-9")
    assert Client().get(f"/s/{token}/").status_code == 200
    record_receipt("sms", "smsc-9", delivered=False)
    summons.refresh_from_db()
    assert summons.channel == "sms"
    assert summons.status == SummonsStatus.OPENED
    assert not Event.objects.filter(action="summons.fallback").exists()
    assert Client().get(f"/s/{token}/").status_code == 200


def test_web_forms_show_the_services_reasons(investigator: Any, case: Case, victim: Any):
    silent = make_participant(case, ParticipantStatus.WITNESS, "Оспанов")
    doc = signed_summons(investigator, case, silent)
    client = Client()
    client.force_login(investigator)
    refused = client.post(
        f"/cases/{case.pk}/summons/send/", {"document_id": str(doc.pk), "channels": ["sms"]}
    )
    assert refused.status_code == 422
    assert "no phone or e-mail" in refused.content.decode()
    wrong = client.post(
        f"/cases/{case.pk}/summons/familiarisation/",
        {"participant_ids": [str(victim.pk)], "place": "", "until": "2020-01-01"},
    )
    assert wrong.status_code == 422
    told = client.post(
        f"/cases/{case.pk}/summons/familiarisation/",
        {"participant_ids": [str(victim.pk)], "place": "Алматы, каб. 214", "until": "2099-01-01"},
    )
    assert told.status_code == 302
    assert Message.objects.filter(kind="familiarisation", recipient=victim.email).exists()


def test_links_start_with_the_public_url_when_set(
    investigator: Any, case: Case, summons_doc: Any, settings: Any
):
    settings.TERGEU_PUBLIC_URL = "https://tergeu.kz/"
    summons, token = send_summons(investigator, case.pk, summons_doc.pk, site_url="http://x/")
    assert summons.message is not None
    assert f"https://tergeu.kz/s/{token}/" in summons.message.body
