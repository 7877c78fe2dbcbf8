"""The outbox: messages rendered in the recipient's language, checked, journaled (no codes)."""

from __future__ import annotations

import pytest

from tergeu.core.errors import ValidationFailed
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tergeu.notifications.models import Message, MessageStatus
from tergeu.notifications.services import enqueue

pytestmark = pytest.mark.django_db


def test_an_sms_is_rendered_in_its_language_and_the_phone_normalised() -> None:
    message = enqueue(
        channel="sms",
        recipient="8 (701) 234-56-78",
        language="kk",
        kind="report_incident",
        context={"kui_number": "2026-750101-000001", "reason": "Азаматтық дау."},
    )
    assert message.recipient == "+77012345678"
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 0
    assert message.next_attempt_at is not None
    assert message.subject == "Сіздің 2026-750101-000001 арызыңыз бойынша шешім"
    assert "оқиғаларға жатқызылды" in message.body
    assert "Азаматтық дау." in message.body
    assert "106" in message.body
    event = Event.objects.get(action="message.queued")
    assert payload_of(event)["data"]["body"] == message.body


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_code_is_in_the_text_but_never_in_the_journal(language: str) -> None:
    message = enqueue(
        channel="email",
        recipient="aliya@example.kz",
        language=language,
        kind="otp",
        context={"code": "493817", "minutes": 10},
    )
    assert "493817" in message.body
    assert "493817" not in message.subject
    event = Event.objects.get(action="message.queued")
    assert "493817" not in event.payload
    assert "body" not in payload_of(event)["data"]


def test_html_is_not_escaped_in_a_text_message() -> None:
    message = enqueue(
        channel="email",
        recipient="a@example.kz",
        language="en",
        kind="report_incident",
        context={"kui_number": "K-1", "reason": 'No "offence" & <no> harm'},
    )
    assert 'No "offence" & <no> harm' in message.body


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"channel": "sms", "recipient": "12345"}, "recipient"),
        ({"channel": "email", "recipient": "not-an-address"}, "recipient"),
        ({"channel": "sms", "recipient": ""}, "recipient"),
        ({"channel": "pigeon", "recipient": "+77012345678"}, "channel"),
        ({"channel": "sms", "recipient": "+77012345678", "language": "de"}, "language"),
        ({"channel": "sms", "recipient": "+77012345678", "kind": "spam"}, "kind"),
    ],
)
def test_bad_recipient_or_kind_is_refused(fields: dict[str, str], field: str) -> None:
    args = {"language": "ru", "kind": "otp", "context": {"code": "1", "minutes": 10}} | fields
    with pytest.raises(ValidationFailed) as exc:
        enqueue(**args)  # type: ignore[arg-type]
    assert field in exc.value.fields
    assert not Message.objects.exists()
    assert not Event.objects.filter(action="message.queued").exists()
