"""Bearer tokens: issued once, stored as a digest, revocable, expiring; bad ones get 401."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tergeu.accounts.models import ApiToken, Role
from tergeu.accounts.tokens import authenticate, issue_token, revoke_token
from tergeu.core import clock
from tergeu.core.errors import Conflict, NotFound, ValidationFailed
from tergeu.integrity.models import Event
from tests import factories as f

from .conftest import BASE, ApiClient, client_for

pytestmark = pytest.mark.django_db


def _assert_401(response: object) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")  # type: ignore[index]


def test_token_is_stored_only_as_its_digest_and_journaled_without_it() -> None:
    user = f.user(Role.INVESTIGATOR)
    row, token = issue_token(user, name="ERDR bridge")
    assert token.startswith("tg_")
    assert len(token) == 43
    assert row.digest == ApiToken.digest_of(token)
    assert row.prefix == token[:8]
    assert not ApiToken.objects.filter(digest=token).exists()
    event = Event.objects.get(action="token.issued")
    assert token not in event.payload
    assert json.loads(event.payload)["data"]["name"] == "ERDR bridge"
    assert authenticate(token) == user


def test_requests_without_valid_credentials_get_401(unit: f.Unit) -> None:
    _assert_401(ApiClient().get("/cases"))
    _assert_401(ApiClient("tg_" + "x" * 40).get("/cases"))
    _assert_401(ApiClient("not-a-token").post("/reports", {"source": "phone"}))
    _assert_401(ApiClient(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").get("/reports"))


def test_revoked_token_stops_working(unit: f.Unit) -> None:
    row, token = issue_token(unit.investigator, name="bridge")
    client = ApiClient(token)
    assert client.get("/cases").status_code == 200
    r = client.delete(f"/tokens/{row.pk}")
    assert r.status_code == 200, r.json()
    assert r.json()["active"] is False
    _assert_401(client.get("/cases"))
    assert Event.objects.filter(action="token.revoked", actor=unit.investigator).count() == 1
    with pytest.raises(Conflict):
        revoke_token(unit.investigator, row.pk)


def test_expired_token_and_disabled_user_get_401(unit: f.Unit) -> None:
    _row, token = issue_token(unit.investigator, name="short", days=1)
    client = ApiClient(token)
    assert client.get("/cases").status_code == 200
    with clock.frozen(clock.now() + dt.timedelta(days=1, seconds=1)):
        _assert_401(client.get("/cases"))
    unit.investigator.is_active = False
    unit.investigator.save()
    _assert_401(client.get("/cases"))


def test_last_use_is_written_at_most_once_a_minute(unit: f.Unit) -> None:
    row, token = issue_token(unit.investigator, name="bridge")
    start = clock.now()
    with clock.frozen(start):
        ApiClient(token).get("/cases")
    row.refresh_from_db()
    assert row.last_used_at == start
    with clock.frozen(start + dt.timedelta(seconds=30)):
        ApiClient(token).get("/cases")
    row.refresh_from_db()
    assert row.last_used_at == start
    with clock.frozen(start + dt.timedelta(seconds=61)):
        ApiClient(token).get("/cases")
    row.refresh_from_db()
    assert row.last_used_at == start + dt.timedelta(seconds=61)


def test_lifetime_is_bounded_by_the_setting(settings: object) -> None:
    user = f.user(Role.INVESTIGATOR)
    row, _token = issue_token(user, name="default")
    assert row.expires_at - row.created_at > dt.timedelta(days=364)
    with pytest.raises(ValidationFailed) as exc:
        issue_token(user, name="too long", days=10_000)
    assert "days" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        issue_token(user, name=" ")
    assert "name" in exc.value.fields
    assert ApiToken.objects.count() == 1


def test_own_tokens_are_listed_and_others_cannot_be_revoked(unit: f.Unit) -> None:
    client = client_for(unit.investigator)
    issue_token(unit.investigator, name="second")
    theirs, _ = issue_token(unit.head, name="head's")
    listing = client.get("/tokens").json()
    assert listing["total"] == 2
    assert {t["name"] for t in listing["items"]} == {"tests", "second"}
    assert all("token" not in t and "digest" not in t for t in listing["items"])
    r = client.delete(f"/tokens/{theirs.pk}")
    assert r.status_code == 404
    assert Event.objects.filter(action="access.denied", actor=unit.investigator).exists()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    with pytest.raises(NotFound):
        revoke_token(unit.investigator, "not-a-uuid")


def test_tokens_are_issued_in_a_session_not_with_a_token(unit: f.Unit) -> None:
    r = client_for(unit.investigator).post("/tokens", {"name": "more"})
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"

    browser = Client()
    browser.force_login(unit.investigator)
    r = browser.post(f"{BASE}/tokens", {"name": "bridge"}, content_type="application/json")
    assert r.status_code == 201, r.json()
    token = r.json()["token"]
    assert ApiClient(token).get("/cases").status_code == 200
    r = browser.post(f"{BASE}/tokens", {"name": ""}, content_type="application/json")
    assert r.status_code == 422
    assert "name" in r.json()["fields"]


def test_session_writes_need_the_csrf_token(unit: f.Unit) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(unit.duty)
    assert browser.get(f"{BASE}/reports").status_code == 200
    r = browser.post(f"{BASE}/reports", {"source": "phone"}, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"] == "csrf_failed"
    assert not Event.objects.filter(action="report.recorded").exists()


def test_management_command_prints_the_token_once(unit: f.Unit) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "issue_token",
        unit.duty.username,
        "--name",
        "bridge",
        "--days",
        "30",
        stdout=out,
        stderr=err,
    )
    token = out.getvalue().strip()
    assert authenticate(token) == unit.duty
    assert token not in err.getvalue()
    assert ApiClient(token).get("/reports").status_code == 200
    with pytest.raises(CommandError):
        call_command("issue_token", "nobody", "--name", "x", stdout=out, stderr=err)
    with pytest.raises(CommandError, match="days"):
        call_command("issue_token", unit.duty.username, "--name", "x", "--days", "0", stdout=out)
