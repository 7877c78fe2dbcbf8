"""The operators' page and API of the outbox: depth, failures, dead letters, retry; closed to
everyone but administrators (and staff); bad input answered clearly."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client

from tergeu.accounts.models import Role
from tergeu.core import clock
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tergeu.notifications.models import Message, MessageStatus
from tergeu.notifications.services import enqueue
from tergeu.notifications.transports import transport_for
from tergeu.notifications.worker import deliver_due
from tests import factories as f
from tests.api.conftest import client_for

from .conftest import Recorder

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outbox(smtp_server: tuple[Recorder, int]) -> dict[str, Any]:
    """Through a real SMTP server: one dead letter, one failure, one sent, one pending SMS."""
    handler, _port = smtp_server
    handler.refuse["gone@example.kz"] = "550 5.1.1 Mailbox gone@example.kz unavailable"

    def queue(recipient: str, channel: str = "email") -> Message:
        return enqueue(
            channel=channel,
            recipient=recipient,
            language="ru",
            kind="otp",
            context={"code": "735194", "minutes": 10},
        )

    with clock.frozen(T0):
        dead = queue("gone@example.kz")
        sent = queue("here@example.kz")
        deliver_due(worker="w", transports={"email": transport_for("email")})
        handler.data_replies = ["421 4.7.0 Too busy, try later"]
        failed = queue("later@example.kz")
        deliver_due(worker="w", transports={"email": transport_for("email")})
        waiting = queue("+77012345678", channel="sms")
    states = {m.pk: m.status for m in Message.objects.all()}
    assert states == {
        dead.pk: MessageStatus.DEAD,
        sent.pk: MessageStatus.SENT,
        failed.pk: MessageStatus.FAILED,
        waiting.pk: MessageStatus.PENDING,
    }
    return {"dead": dead, "sent": sent, "failed": failed, "waiting": waiting, "smtp": handler}


def test_the_page_shows_depth_failures_and_dead_letters_but_no_text(
    outbox: dict[str, Any],
) -> None:
    admin = _client(f.user(Role.ADMINISTRATOR))
    response = admin.get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dead letters" in html
    assert "gone@example.kz" in html
    assert "550 5.1.1" in html
    assert "421 4.7.0" in html  # a recent failure
    assert "Waiting to be sent: 2." in html
    assert "735194" not in html  # the code is never shown
    assert f'action="/notifications/{outbox["dead"].pk}/retry/"' in html
    assert f'action="/notifications/{outbox["failed"].pk}/retry/"' not in html
    depth = html.split('id="outbox-depth"')[1].split("</table>")[0]
    assert depth.count('<td class="num">1</td>') == 4
    # the tab in the administration's navigation
    assert 'href="/notifications/" aria-current="page"' in html
    assert 'href="/notifications/"' in admin.get("/admin/users/").content.decode()


def test_filters_choose_the_messages_and_bad_ones_are_refused(outbox: dict[str, Any]) -> None:
    admin = _client(f.user(Role.ADMINISTRATOR))
    listed = admin.get("/notifications/?status=sent&channel=email").content.decode()
    section = listed.split('id="outbox-messages"')[1]
    assert "here@example.kz" in section
    assert "gone@example.kz" not in section
    found = admin.get("/notifications/?status=&q=%2B7701").content.decode()
    assert "+77012345678" in found.split('id="outbox-messages"')[1]
    refused = admin.get("/notifications/?status=lost").content.decode()
    assert 'id="outbox-messages"' not in refused
    assert "Select a valid choice" in refused


def test_retry_of_a_dead_letter_queues_it_again_and_it_is_sent(outbox: dict[str, Any]) -> None:
    account = f.user(Role.ADMINISTRATOR)
    admin = _client(account)
    dead = outbox["dead"]
    response = admin.post(f"/notifications/{dead.pk}/retry/", {"next": "/notifications/?q=g"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?q=g"
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.last_error) == (MessageStatus.PENDING, 0, "")
    event = Event.objects.get(action="message.retried")
    assert event.actor == account
    assert "550 5.1.1" in payload_of(event)["data"]["previous"]["error"]
    assert "The message is queued again." in admin.get("/notifications/").content.decode()
    del outbox["smtp"].refuse["gone@example.kz"]  # the mailbox is back
    deliver_due(worker="w", transports={"email": transport_for("email")})
    dead.refresh_from_db()
    assert dead.status == MessageStatus.SENT


def test_retry_with_htmx_replaces_the_row(outbox: dict[str, Any]) -> None:
    admin = _client(f.user(Role.ADMINISTRATOR))
    dead = outbox["dead"]
    response = admin.post(f"/notifications/{dead.pk}/retry/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    row = response.content.decode()
    assert row.startswith(f'<tr id="message-{dead.pk}">')
    assert "Waiting to be sent" in row
    again = admin.post(f"/notifications/{dead.pk}/retry/", HTTP_HX_REQUEST="true")
    assert (again.status_code, again["HX-Refresh"]) == (204, "true")


def test_retry_of_a_message_that_is_not_dead_or_does_not_exist(outbox: dict[str, Any]) -> None:
    admin = _client(f.user(Role.ADMINISTRATOR))
    response = admin.post(f"/notifications/{outbox['failed'].pk}/retry/", follow=True)
    assert "Only a message that was not delivered can be retried" in response.content.decode()
    assert admin.post(f"/notifications/{uuid.uuid4()}/retry/").status_code == 404
    assert admin.post("/notifications/not-an-id/retry/").status_code == 404
    assert admin.get(f"/notifications/{outbox['dead'].pk}/retry/").status_code == 405
    assert not Event.objects.filter(action="message.retried").exists()
    outbox["failed"].refresh_from_db()
    assert outbox["failed"].status == MessageStatus.FAILED


def test_only_administrators_and_staff(outbox: dict[str, Any]) -> None:
    unit = f.Unit()
    dead = outbox["dead"]
    for person in (unit.investigator, unit.head, unit.prosecutor):
        client = _client(person)
        assert client.get("/notifications/").status_code == 403
        assert client.post(f"/notifications/{dead.pk}/retry/").status_code == 403
    assert Client().get("/notifications/").status_code == 302  # to the sign-in page
    dead.refresh_from_db()
    assert dead.status == MessageStatus.DEAD
    denials = [payload_of(e)["data"] for e in Event.objects.filter(action="access.denied")]
    assert {"notifications.overview", "notifications.retry"} <= {d["attempted"] for d in denials}
    staff = _client(f.user(Role.ANALYST, is_staff=True))
    assert staff.get("/notifications/").status_code == 200


def test_the_api_gives_the_same_and_retries(outbox: dict[str, Any]) -> None:
    api = client_for(f.user(Role.ADMINISTRATOR))
    overview = api.get("/notifications/overview").json()
    assert overview["totals"] == {
        "pending": 1,
        "sending": 0,
        "sent": 1,
        "delivered": 0,
        "failed": 1,
        "dead": 1,
    }
    assert overview["waiting"] == 2
    assert {"channel": "sms", "status": "pending", "count": 1} in overview["depth"]
    assert overview["oldest_waiting_seconds"] >= 0
    dead = api.get("/notifications/messages?status=dead").json()
    assert dead["total"] == 1
    [item] = dead["items"]
    assert (item["id"], item["recipient"]) == (str(outbox["dead"].pk), "gone@example.kz")
    assert "550 5.1.1" in item["last_error"]
    assert "body" not in item
    assert item["subject"] == ""  # the subject of a one-time code is not needed here
    retried = api.post(f"/notifications/messages/{outbox['dead'].pk}/retry")
    assert retried.status_code == 200
    assert retried.json()["status"] == "pending"
    again = api.post(f"/notifications/messages/{outbox['dead'].pk}/retry")
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    russian = api.post(
        f"/notifications/messages/{outbox['sent'].pk}/retry", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "Повторить можно только" in russian.json()["message"]
    assert api.post(f"/notifications/messages/{uuid.uuid4()}/retry").status_code == 404
    bad = api.get("/notifications/messages?status=lost&channel=pigeon")
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"status", "channel"}


def test_the_api_refuses_others(outbox: dict[str, Any]) -> None:
    unit = f.Unit()
    api = client_for(unit.investigator)
    assert api.get("/notifications/overview").status_code == 403
    assert api.get("/notifications/messages").status_code == 403
    assert api.post(f"/notifications/messages/{outbox['dead'].pk}/retry").status_code == 403
    outbox["dead"].refresh_from_db()
    assert outbox["dead"].status == MessageStatus.DEAD
