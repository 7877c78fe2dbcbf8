"""Administration services: bodies and accounts, every bad input refused with its message
and nothing changed, only administrators allowed (refusals journaled)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tergeu.accounts import admin_services as svc
from tergeu.accounts.models import ApiToken, Organisation, OrgKind, Role, User
from tergeu.accounts.tokens import authenticate, issue_token
from tergeu.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from tergeu.core.iin import make_iin
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Qazaq-ELi-2026!"


def _iin(n: int) -> str:
    return make_iin(dt.date(1985, 3, 1) + dt.timedelta(days=n), n % 2 == 0, 500 + n)


@pytest.fixture
def admin() -> User:
    return f.user(Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def _state() -> tuple[Any, ...]:
    """What a refused call must leave unchanged."""
    return (
        list(Organisation.objects.order_by("code").values()),
        list(User.objects.order_by("pk").values()),
        list(ApiToken.objects.order_by("pk").values()),
        Event.objects.exclude(action="access.denied").count(),
    )


def _refused(call: Callable[[], Any], field: str, text: str) -> None:
    """``call`` fails on ``field`` with a message containing ``text``; nothing changes."""
    before = _state()
    with pytest.raises(ValidationFailed) as err:
        call()
    messages = err.value.field_texts().get(field, [])
    assert any(text in m for m in messages), err.value.field_texts()
    assert _state() == before


def free_code(prefix: str = "7501") -> str:
    """A body code under ``prefix`` no body has (the factories take codes as they go)."""
    taken = set(Organisation.objects.values_list("code", flat=True))
    return next(c for c in (f"{prefix}{n:02d}" for n in range(99, 0, -1)) if c not in taken)


def _org_kwargs(**extra: Any) -> dict[str, Any]:
    data = {
        "code": free_code(),
        "kind": OrgKind.POLICE,
        "name_kk": "Алмалы аудандық полиция басқармасы",
        "name_ru": "УП Алмалинского района",
        "name_en": "Almaly district police",
    }
    data.update(extra)
    return data


def _user_kwargs(org: Organisation | None, **extra: Any) -> dict[str, Any]:
    data = {
        "username": "nurlanov",
        "last_name": "Нурланов",
        "first_name": "Ерлан",
        "patronymic": "Бекович",
        "iin": _iin(1),
        "role": Role.INVESTIGATOR,
        "organisation_code": org.code if org else "",
        "language": "kk",
        "email": "nurlanov@police.example.kz",
        "phone": "8 701 234 56 78",
        "password": GOOD_PASSWORD,
    }
    data.update(extra)
    return data


# ---------------------------------------------------------------- organisations


def test_create_organisation_takes_territory_from_code_and_journals(
    admin: User, unit: f.Unit
) -> None:
    f.district("75", "01")
    org = svc.create_organisation(admin, **_org_kwargs(supervisor_code=unit.prosecutor_office.code))
    assert (org.region_id, org.district.code if org.district else None) == ("75", "01")
    assert org.supervisor == unit.prosecutor_office
    event = Event.objects.get(action="org.created")
    assert event.actor == admin
    assert payload_of(event)["data"]["code"] == org.code


def test_region_level_body_has_no_district(admin: User) -> None:
    f.region("71")
    org = svc.create_organisation(admin, **_org_kwargs(code=free_code("7100")))
    assert org.region_id == "71"
    assert org.district is None


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"code": "75010"}, "code", "6 digits"),
        ({"code": "75a104"}, "code", "6 digits"),
        ({"code": "990101"}, "region_code", "no region with the code 99"),
        ({"code": "759901"}, "district_code", "no district with the code 99"),
        ({"region_code": "71"}, "code", "must begin with the region and district codes: 7101"),
        ({"kind": "militia"}, "kind", "Choose one of the offered values."),
        ({"name_kk": "  "}, "name_kk", "This field is required."),
        ({"name_en": "x" * 301}, "name_en", "At most 300 characters"),
        ({"parent_code": "123456"}, "parent_code", "no body with the code 123456"),
        ({"supervisor_code": "000000"}, "supervisor_code", "no body with the code 000000"),
    ],
)
def test_create_organisation_refuses_bad_input(
    admin: User, changes: dict[str, str], field: str, text: str
) -> None:
    f.district("75", "01")
    f.region("71")
    _refused(lambda: svc.create_organisation(admin, **_org_kwargs(**changes)), field, text)


def test_duplicate_code_and_non_prosecutor_supervisor_are_refused(
    admin: User, unit: f.Unit
) -> None:
    _refused(
        lambda: svc.create_organisation(admin, **_org_kwargs(code=unit.police.code)),
        "code",
        f"A body with the code {unit.police.code} already exists.",
    )
    _refused(
        lambda: svc.create_organisation(admin, **_org_kwargs(supervisor_code=unit.court.code)),
        "supervisor_code",
        "The supervisor must be a prosecutor's office.",
    )


def test_update_organisation_changes_names_and_links_only(admin: User, unit: f.Unit) -> None:
    org = svc.update_organisation(
        admin, unit.court.pk, name_ru="Суд района", parent_code=unit.prosecutor_office.code
    )
    org.refresh_from_db()
    assert (org.name_ru, org.parent) == ("Суд района", unit.prosecutor_office)
    event = Event.objects.get(action="org.updated")
    data = payload_of(event)["data"]
    assert data["after"] == {"name_ru": "Суд района", "parent": unit.prosecutor_office.code}
    # Nothing changed: no event.
    svc.update_organisation(admin, unit.court.pk, name_ru="Суд района")
    assert Event.objects.filter(action="org.updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"code": "759999"}, "code", "This field cannot be changed."),
        ({"region_code": "71"}, "region_code", "This field cannot be changed."),
        ({"kind": "militia"}, "kind", "Choose one of the offered values."),
        ({"kind": OrgKind.POLICE}, "kind", "must stay a prosecutor's office"),
        ({"supervisor_code": "SELF"}, "supervisor_code", "cannot supervise itself"),
        ({"parent_code": "CHILD"}, "parent_code", "cannot be inside itself"),
        ({"name_ru": ""}, "name_ru", "This field is required."),
    ],
)
def test_update_organisation_refuses_bad_input(
    admin: User, unit: f.Unit, changes: dict[str, str], field: str, text: str
) -> None:
    office = unit.prosecutor_office
    child = f.org(OrgKind.PROSECUTOR, code="750198")
    Organisation.objects.filter(pk=child.pk).update(parent=office)
    codes = {"SELF": office.code, "CHILD": child.code}
    changes = {k: codes.get(v, v) for k, v in changes.items()}
    _refused(lambda: svc.update_organisation(admin, office.pk, **changes), field, text)


def test_unknown_body_is_not_found(admin: User) -> None:
    with pytest.raises(NotFound):
        svc.update_organisation(admin, "not-a-uuid", name_ru="x")
    with pytest.raises(NotFound):
        svc.get_organisation(admin, "0190a0f0-0000-7000-8000-000000000000")


def test_search_of_bodies_by_code_and_name_in_any_case(admin: User, unit: f.Unit) -> None:
    Organisation.objects.filter(pk=unit.police.pk).update(name_ru="Департамент полиции")
    assert list(svc.organisations(admin, q=unit.police.code[:4])) == sorted(
        [unit.police, unit.court, unit.prosecutor_office], key=lambda o: o.code
    )
    assert list(svc.organisations(admin, q="департамент")) == [unit.police]
    assert list(svc.organisations(admin, q="ПОЛИЦИИ")) == [unit.police]
    assert list(svc.organisations(admin, kind=OrgKind.COURT)) == [unit.court]


# ---------------------------------------------------------------- users


def test_create_user_normalises_hashes_and_journals(admin: User, unit: f.Unit) -> None:
    user = svc.create_user(admin, **_user_kwargs(unit.police))
    assert user.organisation == unit.police
    assert user.phone == "+77012345678"
    assert user.check_password(GOOD_PASSWORD)
    assert user.language == "kk"
    event = Event.objects.get(action="user.created")
    assert event.actor == admin
    data = payload_of(event)["data"]
    assert data["username"] == "nurlanov"
    assert data["organisation"] == unit.police.code
    assert GOOD_PASSWORD not in event.payload


@pytest.mark.argon2
def test_passwords_are_stored_with_argon2(admin: User, unit: f.Unit) -> None:
    user = svc.create_user(admin, **_user_kwargs(unit.police))
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"username": ""}, "username", "This field is required."),
        ({"username": "bad name!"}, "username", "Use letters, digits"),
        ({"username": "INVESTIGATOR_TAKEN"}, "username", "This user name is taken."),
        ({"iin": ""}, "iin", "This field is required."),
        ({"iin": "12345"}, "iin", "An IIN has exactly 12 digits."),
        ({"iin": "850301300501"}, "iin", "check digit"),
        ({"iin": "TAKEN"}, "iin", "An account with this IIN already exists."),
        ({"role": "sheriff"}, "role", "Choose one of the offered values."),
        ({"role": Role.PROSECUTOR}, "organisation_code", "Prosecutor's office"),
        ({"organisation_code": ""}, "organisation_code", "Choose the body the official works in."),
        ({"organisation_code": "999999"}, "organisation_code", "no body with the code 999999"),
        ({"language": "de"}, "language", "Choose one of the offered values."),
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
        ({"phone": "12345"}, "phone", "Enter a phone number"),
        ({"last_name": ""}, "last_name", "This field is required."),
        ({"password": "short"}, "password", "too short"),
        ({"password": "password123"}, "password", "too common"),
        ({"password": ""}, "password", "This field is required."),
    ],
)
def test_create_user_refuses_bad_input(
    admin: User, unit: f.Unit, changes: dict[str, str], field: str, text: str
) -> None:
    taken = {"INVESTIGATOR_TAKEN": unit.investigator.username.upper(), "TAKEN": unit.head.iin}
    changes = {k: taken.get(v, v) for k, v in changes.items()}
    _refused(lambda: svc.create_user(admin, **_user_kwargs(unit.police, **changes)), field, text)


def test_administrators_and_analysts_may_have_no_body(admin: User) -> None:
    analyst = svc.create_user(admin, **_user_kwargs(None, role=Role.ANALYST))
    assert analyst.organisation is None


def test_update_user_changes_fields_and_journals_before_and_after(
    admin: User, unit: f.Unit
) -> None:
    user = svc.update_user(admin, unit.investigator.pk, last_name="Серікбаев", phone="")
    assert user.last_name == "Серікбаев"
    event = Event.objects.get(action="user.updated")
    data = payload_of(event)["data"]
    assert data["after"]["last_name"] == "Серікбаев"
    assert "role" not in data["after"]


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"password": "whatever-long-1"}, "password", "This field cannot be changed here."),
        ({"is_active": False}, "is_active", "This field cannot be changed here."),
        ({"iin": "TAKEN"}, "iin", "An account with this IIN already exists."),
        ({"username": "TAKEN_NAME"}, "username", "This user name is taken."),
        ({"role": Role.JUDGE}, "organisation_code", "Court"),
        ({"organisation_code": "COURT"}, "organisation_code", "needs a body of this kind"),
    ],
)
def test_update_user_refuses_bad_input(
    admin: User, unit: f.Unit, changes: dict[str, Any], field: str, text: str
) -> None:
    values = {"TAKEN": unit.head.iin, "TAKEN_NAME": unit.head.username, "COURT": unit.court.code}
    changes = {k: values.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    _refused(lambda: svc.update_user(admin, unit.investigator.pk, **changes), field, text)


def test_an_administrator_cannot_demote_or_block_themselves(admin: User) -> None:
    _refused(
        lambda: svc.update_user(admin, admin.pk, role=Role.ANALYST),
        "role",
        "You cannot change your own role.",
    )
    _refused(
        lambda: svc.deactivate_user(admin, admin.pk, "leaving"),
        "user",
        "You cannot deactivate your own account.",
    )


def test_unknown_account_is_not_found(admin: User) -> None:
    for bad in (10**9, "abc", None):
        with pytest.raises(NotFound):
            svc.update_user(admin, bad, last_name="x")


def test_deactivation_blocks_sign_in_and_tokens(admin: User, unit: f.Unit, client: Any) -> None:
    officer = unit.investigator
    _row, token = issue_token(officer, name="integration")
    assert authenticate(token) == officer
    svc.deactivate_user(admin, officer.pk, "Уволен приказом № 15")
    officer.refresh_from_db()
    assert not officer.is_active
    assert authenticate(token) is None
    assert ApiToken.objects.get(user=officer).revoked_at is not None
    assert not client.login(username=officer.username, password=f.PASSWORD)
    actions = list(Event.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["user.deactivated", "token.revoked"]
    assert payload_of(Event.objects.get(action="user.deactivated"))["data"]["reason"] == (
        "Уволен приказом № 15"
    )
    with pytest.raises(Conflict):
        svc.deactivate_user(admin, officer.pk, "again")


def test_deactivation_ends_open_sessions(admin: User, unit: f.Unit, client: Any) -> None:
    client.force_login(unit.investigator)
    assert client.get("/cases/").status_code == 200
    svc.deactivate_user(admin, unit.investigator.pk, "Уволен")
    assert client.get("/cases/").status_code == 302


def test_deactivation_needs_a_reason(admin: User, unit: f.Unit) -> None:
    _refused(
        lambda: svc.deactivate_user(admin, unit.investigator.pk, "  "),
        "reason",
        "This field is required.",
    )


def test_reset_password(admin: User, unit: f.Unit, client: Any) -> None:
    svc.reset_password(admin, unit.investigator.pk, GOOD_PASSWORD)
    assert client.login(username=unit.investigator.username, password=GOOD_PASSWORD)
    event = Event.objects.get(action="user.password_reset")
    assert GOOD_PASSWORD not in event.payload
    _refused(
        lambda: svc.reset_password(admin, unit.investigator.pk, "123"),
        "new_password",
        "too short",
    )


def test_a_new_password_ends_the_open_sessions(admin: User, unit: f.Unit, client: Any) -> None:
    client.force_login(unit.investigator)
    assert client.get("/cases/").status_code == 200
    svc.reset_password(admin, unit.investigator.pk, GOOD_PASSWORD)
    assert client.get("/cases/").status_code == 302


def test_search_of_accounts(admin: User, unit: f.Unit) -> None:
    User.objects.filter(pk=unit.judge.pk).update(last_name="Ахметова", first_name="Әлия")
    judge = User.objects.get(pk=unit.judge.pk)
    assert list(svc.users(admin, q="ахметова")) == [judge]
    assert list(svc.users(admin, q="Ахметова Әлия")) == [judge]
    assert list(svc.users(admin, q=judge.iin)) == [judge]
    assert list(svc.users(admin, q=judge.username)) == [judge]
    assert list(svc.users(admin, role=Role.JUDGE)) == [judge]
    staff = set(svc.users(admin, organisation_code=unit.police.code))
    assert staff == {unit.investigator, unit.inquiry_officer, unit.head, unit.duty}
    assert list(svc.users(admin, active=False)) == []


# ---------------------------------------------------------------- only administrators


CALLS: dict[str, Callable[[Any, f.Unit], Any]] = {
    "create_organisation": lambda u, unit: svc.create_organisation(u, **_org_kwargs()),
    "update_organisation": lambda u, unit: svc.update_organisation(u, unit.court.pk, name_ru="x"),
    "create_user": lambda u, unit: svc.create_user(u, **_user_kwargs(unit.police)),
    "update_user": lambda u, unit: svc.update_user(u, unit.duty.pk, last_name="x"),
    "deactivate_user": lambda u, unit: svc.deactivate_user(u, unit.duty.pk, "x"),
    "reset_password": lambda u, unit: svc.reset_password(u, unit.duty.pk, GOOD_PASSWORD),
    "organisations": lambda u, unit: svc.organisations(u),
    "users": lambda u, unit: svc.users(u),
    "get_organisation": lambda u, unit: svc.get_organisation(u, unit.court.pk),
    "get_user": lambda u, unit: svc.get_user(u, unit.duty.pk),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_only_administrators_may_call_and_refusals_are_journaled(unit: f.Unit, name: str) -> None:
    f.district("75", "01")
    for who in (unit.head, unit.prosecutor, None):
        before = _state()
        denials = Event.objects.filter(action="access.denied").count()
        with pytest.raises(AccessDenied) as err:
            CALLS[name](who, unit)
        assert err.value.text() == "Only an administrator may do this."
        assert _state() == before
        denial = Event.objects.filter(action="access.denied").latest("seq")
        assert Event.objects.filter(action="access.denied").count() == denials + 1
        assert denial.actor == who
        assert payload_of(denial)["data"]["attempted"] == f"admin.{name}"


def test_a_blocked_administrator_is_refused(admin: User, unit: f.Unit) -> None:
    other = f.user(Role.ADMINISTRATOR)
    svc.deactivate_user(admin, other.pk, "left the ministry")
    other.refresh_from_db()
    with pytest.raises(AccessDenied):
        svc.update_user(other, unit.duty.pk, last_name="x")


# ---------------------------------------------------------------- the first administrator


def test_bootstrap_creates_the_first_administrator_without_actor() -> None:
    fields = _user_kwargs(None)
    fields.pop("role")
    first = svc.bootstrap_administrator(**fields)
    assert first.role == Role.ADMINISTRATOR
    event = Event.objects.get(action="user.created")
    assert event.actor is None
    assert payload_of(event)["actor"] is None
    assert payload_of(event)["data"]["bootstrap"] is True
    fields.update(username="second", iin=_iin(2))
    with pytest.raises(Conflict):
        svc.bootstrap_administrator(**fields)
    assert User.objects.count() == 1


def test_bootstrap_refuses_bad_input_and_a_role() -> None:
    fields = _user_kwargs(None, password="short")
    fields.pop("role")
    _refused(lambda: svc.bootstrap_administrator(**fields), "password", "too short")
    fields["password"] = GOOD_PASSWORD
    _refused(
        lambda: svc.bootstrap_administrator(**fields, role=Role.JUDGE),
        "role",
        "cannot be changed",
    )
