"""The summons through the real outbox worker and real peers: the development SMSC
(SMPP) and an SMTP server on 127.0.0.1. An SMS refused by the SMSC is dead, and the
summons goes on by e-mail with a new link; a receipt from the SMSC makes it delivered."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client

from tergeu.cases.models import Case, Participant
from tergeu.integrity.models import Event
from tergeu.notifications.models import MessageStatus
from tergeu.notifications.smpp.testsmsc import TestSmsc
from tergeu.notifications.transports import transport_for
from tergeu.notifications.worker import deliver_all
from tergeu.summons.models import Summons, SummonsStatus
from tergeu.summons.services import send_summons
from tests.notifications import conftest as _notifications
from tests.notifications.smpp import conftest as _smpp
from tests.notifications.smpp.conftest import FAST, transport_for_test

from .conftest import SITE

# The real peers of the notifications suite.
smsc = _smpp.smsc
smtp_server = _notifications.smtp_server

pytestmark = pytest.mark.django_db(transaction=True)


def _work(transports: dict[str, Any], rounds: int = 10) -> None:
    """The outbox's worker until nothing is due (the fallback's e-mail included)."""
    for _ in range(rounds):
        if not deliver_all(transports=transports, policy=FAST).claimed:
            return


def test_a_refused_sms_falls_back_to_an_email_with_a_new_link(
    smsc: TestSmsc,
    smtp_server: tuple[Any, int],
    investigator: Any,
    case: Case,
    witness: Participant,
    summons_doc: Any,
) -> None:
    recorder, _port = smtp_server
    smsc.refuse("77011112233")
    summons, first_token = send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)
    sms = summons.message
    _work({"sms": transport_for_test(smsc), "email": transport_for("email")})
    assert sms is not None
    sms.refresh_from_db()
    assert sms.status == MessageStatus.DEAD
    summons.refresh_from_db()
    assert summons.channel == "email"
    assert summons.status == SummonsStatus.SENT
    assert summons.message is not None
    assert summons.message.status == MessageStatus.SENT
    [mail] = recorder.mails()
    assert mail["To"] == "kim@example.kz"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "шақырыласыз" in text  # Kazakh, the person's language
    link = re.search(r"https://tergeu\.example(/s/[\w-]+/)", text)
    assert link is not None
    assert first_token not in text
    assert Client().get(f"/s/{first_token}/").status_code == 404
    assert Client().get(link.group(1)).status_code == 200
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.OPENED
    actions = list(
        Event.objects.filter(object_id=str(summons.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "summons.queued",
        "summons.channel_failed",
        "summons.fallback",
        "summons.sent",
        "summons.opened",
    ]


def test_a_receipt_from_the_smsc_makes_the_summons_delivered(
    smsc: TestSmsc, investigator: Any, case: Case, witness: Participant, summons_doc: Any
) -> None:
    summons, _token = send_summons(investigator, case.pk, summons_doc.pk, site_url=SITE)
    transport = transport_for_test(smsc)
    _work({"sms": transport})
    transport.open()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            transport.poll_receipts()
            if Summons.objects.get(pk=summons.pk).status == SummonsStatus.DELIVERED:
                break
            time.sleep(0.05)
    finally:
        transport.close()
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.DELIVERED
    assert summons.sent_at is not None
    assert summons.delivered_at is not None
