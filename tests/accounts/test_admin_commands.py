"""Bootstrap of a fresh installation from the command line: the first administrator, then
bodies and accounts through the same services as the administration pages."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tergeu.accounts.models import Organisation, OrgKind, Role, User
from tergeu.cases.models import Grant, GrantRole
from tergeu.core.iin import make_iin
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "Qazaq-ELi-2026!"


def _run(name: str, *args: str, password: str | None = PASSWORD) -> str:
    out = io.StringIO()
    extra: dict[str, Any] = {"stdout": out, "stderr": io.StringIO()}
    if password is not None:
        extra["stdin"] = io.StringIO(password + "\n")
        args = (*args, "--password-stdin")
    call_command(name, *args, **extra)
    return out.getvalue()


def _person(username: str, n: int) -> list[str]:
    iin = make_iin(dt.date(1975, 1, 1) + dt.timedelta(days=n), True, 900 + n)
    names = ["--last-name", "Оспанов", "--first-name", "Алмас"]
    return ["--username", username, *names, "--iin", iin]


def test_bootstrap_a_fresh_installation() -> None:
    f.district("75", "01")
    out = _run("create_user", "--superadmin", *_person("admin", 1), "--language", "kk")
    admin = User.objects.get(username="admin")
    assert "Created admin (administrator" in out
    assert admin.role == Role.ADMINISTRATOR
    assert admin.check_password(PASSWORD)
    event = Event.objects.get(action="user.created")
    assert event.actor is None
    assert payload_of(event)["data"]["bootstrap"] is True

    _run(
        "create_organisation",
        *["--code", "750004", "--kind", "prosecutor"],
        *["--name-kk", "Алмалы ауданының прокуратурасы", "--name-ru", "Прокуратура Алмалинского"],
        *["--name-en", "Almaly district prosecutor's office"],
        password=None,
    )
    out = _run(
        "create_organisation",
        *["--code", "750101", "--kind", "police", "--supervisor", "750004"],
        *["--name-kk", "Алмалы АПБ", "--name-ru", "УП Алмалинского района", "--name-en", "Police"],
        password=None,
    )
    assert out.startswith("Created 750101 (police)")
    police = Organisation.objects.get(code="750101")
    assert police.supervisor == Organisation.objects.get(code="750004")
    assert police.district is not None
    assert Event.objects.filter(action="org.created", actor=admin).count() == 2

    _run("create_user", *_person("head", 2), "--role", "head_of_unit", "--organisation", "750101")
    head = User.objects.get(username="head")
    assert (head.role, head.organisation) == (Role.HEAD_OF_UNIT, police)
    assert Event.objects.get(action="user.created", actor=admin).object_id == str(head.pk)


def test_a_second_superadmin_is_refused() -> None:
    _run("create_user", "--superadmin", *_person("admin", 1))
    with pytest.raises(CommandError, match="An administrator already exists"):
        _run("create_user", "--superadmin", *_person("admin2", 2))
    assert User.objects.filter(role=Role.ADMINISTRATOR).count() == 1


def test_commands_need_an_administrator_to_act() -> None:
    with pytest.raises(CommandError, match="No administrator exists yet"):
        _run("create_user", *_person("x", 1), "--role", "analyst")
    with pytest.raises(CommandError, match="No administrator exists yet"):
        _run(
            "create_organisation",
            *["--code", "750101", "--kind", "police", "--name-kk", "a", "--name-ru", "b"],
            *["--name-en", "c"],
            password=None,
        )
    f.user(Role.ADMINISTRATOR, username="root")
    with pytest.raises(CommandError, match="No active administrator 'nobody'"):
        _run("create_user", *_person("x", 1), "--role", "analyst", "--as", "nobody")
    _run("create_user", *_person("x", 1), "--role", "analyst", "--as", "root")
    assert User.objects.filter(username="x").exists()


def test_refusals_are_printed_with_their_fields() -> None:
    f.user(Role.ADMINISTRATOR)
    unit = f.Unit()
    count = User.objects.count()
    with pytest.raises(CommandError) as err:
        _run(
            "create_user",
            *_person("weak", 1),
            *["--role", "prosecutor", "--organisation", unit.police.code],
            password="123",
        )
    text = str(err.value)
    assert "password:" in text
    assert "organisation_code: The role “Prosecutor” needs a body of this kind" in text
    assert User.objects.count() == count
    with pytest.raises(CommandError, match="code: A body with the code"):
        _run(
            "create_organisation",
            *["--code", unit.police.code, "--kind", OrgKind.POLICE],
            *["--name-kk", "a", "--name-ru", "b", "--name-en", "c"],
            password=None,
        )


def test_the_password_is_never_read_without_a_terminal() -> None:
    with pytest.raises(CommandError, match="use --password-stdin"):
        call_command(
            "create_user",
            "--superadmin",
            *_person("admin", 1),
            stdin=io.StringIO(PASSWORD + "\n"),
            stdout=io.StringIO(),
        )
    assert not User.objects.exists()


def test_a_head_created_by_command_gets_the_open_cases() -> None:
    f.user(Role.ADMINISTRATOR)
    unit = f.Unit()
    case = unit.case()
    _run(
        "create_user",
        *_person("head2", 3),
        "--role",
        "head_of_unit",
        "--organisation",
        unit.police.code,
    )
    head = User.objects.get(username="head2")
    assert Grant.objects.filter(user=head, case=case, role=GrantRole.HEAD).exists()
