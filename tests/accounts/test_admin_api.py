"""The administration API: bodies and accounts under /api/v1/admin/, administrators only."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.translation.reloader import translation_file_changed

from tergeu.accounts.models import Organisation, Role, User
from tergeu.accounts.tokens import issue_token
from tergeu.cases.models import Grant, GrantRole
from tergeu.core.iin import make_iin
from tergeu.integrity.models import Event
from tergeu.web.translations import compile_catalogues
from tests import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/admin"
PASSWORD = "Qazaq-ELi-2026!"


@pytest.fixture(scope="module", autouse=True)
def _catalogues() -> None:
    """Compiled catalogues (under the lock the other suites take), for the kk/ru answers."""
    lock = Path(tempfile.gettempdir()) / "tergeu-compile-catalogues.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            written = compile_catalogues()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if written:
        translation_file_changed(None, written[0])


class Api:
    """JSON to /api/v1/admin with a bearer token."""

    def __init__(self, user: User) -> None:
        _row, self.token = issue_token(user, name="tests")
        self.client = Client()

    def __call__(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **headers}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(BASE + path, **kwargs)


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


@pytest.fixture
def api() -> Api:
    return Api(f.user(Role.ADMINISTRATOR))


def _free_code() -> str:
    taken = set(Organisation.objects.values_list("code", flat=True))
    return next(c for c in (f"7501{n:02d}" for n in range(99, 0, -1)) if c not in taken)


def test_bodies_list_create_and_change(api: Api, unit: f.Unit) -> None:
    r = api("get", "/organisations?q=" + unit.police.code + "&size=2")
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["size"]) == (1, 2)
    item = body["items"][0]
    assert item["code"] == unit.police.code
    assert item["supervisor_code"] == unit.prosecutor_office.code
    assert item["kind_label"] == "Police investigative unit"

    code = _free_code()
    r = api(
        "post",
        "/organisations",
        {
            "code": code,
            "kind": "forensic",
            "name_kk": "Сараптама орталығы",
            "name_ru": "Центр экспертиз",
            "name_en": "Forensic centre",
        },
    )
    assert r.status_code == 201, r.json()
    created = r.json()
    assert (created["region_code"], created["district_code"]) == ("75", "01")

    r = api("patch", f"/organisations/{created['id']}", {"name_en": "Forensic centre No. 2"})
    assert r.status_code == 200
    assert r.json()["name_en"] == "Forensic centre No. 2"
    assert api("get", f"/organisations/{created['id']}").json()["name_ru"] == "Центр экспертиз"


def test_bad_bodies_are_refused_with_field_messages(api: Api, unit: f.Unit) -> None:
    count = Organisation.objects.count()
    r = api(
        "post",
        "/organisations",
        {
            "code": "75x",
            "kind": "militia",
            "name_kk": "a",
            "name_ru": "b",
            "name_en": "c",
            "supervisor_code": unit.court.code,
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert r.status_code == 422
    fields = r.json()["fields"]
    assert fields["code"] == ["Код органа состоит из 6 цифр: регион, район и орган (RRDDBB)."]
    assert fields["kind"] == ["Выберите одно из предложенных значений."]
    assert fields["supervisor_code"] == ["Надзирающим органом может быть только прокуратура."]
    assert Organisation.objects.count() == count
    r = api("patch", f"/organisations/{unit.prosecutor_office.pk}", {"kind": "police"})
    assert r.status_code == 422
    assert "kind" in r.json()["fields"]
    assert api("patch", "/organisations/nope", {"name_ru": "x"}).status_code == 404


def _user_body(org: Organisation, **extra: Any) -> dict[str, Any]:
    body = {
        "username": "bekova",
        "last_name": "Бекова",
        "first_name": "Динара",
        "iin": make_iin(dt.date(1990, 2, 2), False, 31),
        "role": "head_of_unit",
        "organisation_code": org.code,
        "language": "kk",
        "password": PASSWORD,
    }
    body.update(extra)
    return body


def test_accounts_create_change_block_and_password(api: Api, unit: f.Unit) -> None:
    case = unit.case()
    r = api("post", "/users", _user_body(unit.police))
    assert r.status_code == 201, r.json()
    head = r.json()
    assert head["role_label"] == "Head of unit"
    assert head["organisation"]["code"] == unit.police.code
    assert "password" not in head
    assert Grant.objects.filter(user_id=head["id"], case=case, role=GrantRole.HEAD).exists()

    r = api("get", f"/users?organisation={unit.police.code}&role=head_of_unit")
    assert {u["username"] for u in r.json()["items"]} == {unit.head.username, "bekova"}
    assert api("get", "/users?q=бекова").json()["total"] == 1

    other = f.Unit(district_code="02")
    r = api("patch", f"/users/{head['id']}", {"organisation_code": other.police.code})
    assert r.status_code == 200
    assert Grant.objects.get(user_id=head["id"], case=case).revoked_at is not None

    r = api("post", f"/users/{head['id']}/password", {"password": "short"})
    assert r.status_code == 422
    assert "new_password" in r.json()["fields"]
    r = api("post", f"/users/{head['id']}/password", {"password": PASSWORD + "2"})
    assert r.status_code == 200

    officer_api = Api(unit.investigator)
    assert officer_api("get", "/users").status_code == 403
    r = api("post", f"/users/{unit.investigator.pk}/deactivate", {"reason": "Уволен"})
    assert r.status_code == 200
    assert r.json()["is_active"] is False
    assert officer_api("get", "/users").status_code == 401  # the token is revoked
    r = api("post", f"/users/{unit.investigator.pk}/deactivate", {"reason": "Уволен"})
    assert r.status_code == 409
    assert api("get", "/users?active=false").json()["total"] == 1


def test_bad_accounts_are_refused_in_kazakh(api: Api, unit: f.Unit) -> None:
    count = User.objects.count()
    r = api(
        "post",
        "/users",
        _user_body(unit.police, iin=unit.head.iin, role="judge", password="qwerty"),
        HTTP_ACCEPT_LANGUAGE="kk",
    )
    assert r.status_code == 422
    fields = r.json()["fields"]
    assert fields["iin"] == ["Осы ЖСН-мен тіркелгі бұрыннан бар."]
    assert fields["organisation_code"][0].startswith("«Судья» рөлі үшін")
    assert fields["password"]
    assert User.objects.count() == count
    r = api("patch", f"/users/{unit.duty.pk}", {"role": "sheriff"})
    assert r.status_code == 422
    assert api("patch", "/users/999999", {"last_name": "x"}).status_code == 404


ENDPOINTS = [
    ("get", "/organisations", None),
    ("post", "/organisations", {"code": "750199", "kind": "police", "name_kk": "a"}),
    ("get", "/users", None),
    ("post", "/users/{duty}/deactivate", {"reason": "x"}),
    ("post", "/users/{duty}/password", {"password": PASSWORD}),
    ("patch", "/users/{duty}", {"last_name": "x"}),
    ("patch", "/organisations/{court}", {"name_ru": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_only_administrators(unit: f.Unit, method: str, path: str, body: Any) -> None:
    caller = Api(unit.head)
    path = path.format(duty=unit.duty.pk, court=unit.court.pk)
    denials = Event.objects.filter(action="access.denied").count()
    if method == "post" and path == "/organisations":
        body = {**body, "name_ru": "b", "name_en": "c"}
    r = caller(method, path, body, HTTP_ACCEPT_LANGUAGE="ru")
    assert r.status_code == 403
    assert r.json() == {"code": "forbidden", "message": "Это может сделать только администратор."}
    assert Event.objects.filter(action="access.denied").count() == denials + 1
    assert Client().get(BASE + "/users").status_code == 401


def test_openapi_describes_the_administration(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/admin/organisations", "/api/v1/admin/users/{user_id}/deactivate"):
        assert path in spec["paths"]
    lists = [
        spec["paths"][p]["get"] for p in ("/api/v1/admin/organisations", "/api/v1/admin/users")
    ]
    for operation in lists:
        assert operation["tags"] == ["administration"]
        assert {"page", "size"} <= {p["name"] for p in operation["parameters"]}
