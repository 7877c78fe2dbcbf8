"""The administration API of territory: /api/v1/admin/regions and /admin/districts."""

from __future__ import annotations

import fcntl
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.translation.reloader import translation_file_changed

from tergeu.accounts.models import District, Role, User
from tergeu.accounts.tokens import issue_token
from tergeu.integrity.models import Event
from tergeu.web.translations import compile_catalogues
from tests import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/admin"


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
def api() -> Api:
    return Api(f.user(Role.ADMINISTRATOR))


NAMES = {"name_kk": "Абай ауданы", "name_ru": "Абайский район", "name_en": "Abai district"}


def test_regions_in_the_language_of_the_request(api: Api) -> None:
    f.district("75", "01")
    r = api("get", "/regions", HTTP_ACCEPT_LANGUAGE="kk")
    assert r.status_code == 200
    regions = {item["code"]: item for item in r.json()}
    assert len(regions) == 20
    assert regions["71"]["name"] == "Астана қаласы"
    assert regions["75"]["districts"] == 1
    assert regions["10"] == {
        "code": "10",
        "name": "Абай облысы",
        "name_kk": "Абай облысы",
        "name_ru": "область Абай",
        "name_en": "Abai Region",
        "districts": 0,
    }
    r = api("get", "/regions", HTTP_ACCEPT_LANGUAGE="ru")
    assert {i["code"]: i["name"] for i in r.json()}["27"] == "Западно-Казахстанская область"


def test_create_list_and_change_districts(api: Api) -> None:
    r = api("post", "/districts", {"region_code": "79", "code": "01", **NAMES})
    assert r.status_code == 201, r.json()
    created = r.json()
    assert created["region_code"] == "79"
    assert created["code"] == "01"
    assert created["bodies"] == 0
    assert created["name"] == "Abai district"  # tests speak English

    f.district("75", "01")
    r = api("get", "/districts?region=79")
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], [i["id"] for i in body["items"]]) == (1, [created["id"]])
    assert api("get", "/districts?q=абайский").json()["total"] == 1
    assert api("get", "/districts?size=1&page=2").json()["items"][0]["region_code"] == "79"

    r = api("patch", f"/districts/{created['id']}", {"code": "02", "name_en": "Abai District"})
    assert r.status_code == 200
    assert (r.json()["code"], r.json()["name_en"]) == ("02", "Abai District")
    assert r.json()["name_ru"] == "Абайский район"
    assert api("get", f"/districts/{created['id']}").json()["code"] == "02"
    assert Event.objects.filter(action__startswith="district.").count() == 2


def test_bad_districts_are_refused_with_field_messages(api: Api) -> None:
    district = f.district("75", "01")
    f.Unit(district_code="01")
    before = (list(District.objects.order_by("pk").values()), Event.objects.count())
    r = api(
        "post",
        "/districts",
        {"region_code": "75", "code": "01", "name_kk": "", "name_ru": "б", "name_en": "c"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert r.status_code == 422
    fields = r.json()["fields"]
    assert fields["code"] == ["В регионе 75 уже есть район с кодом 01."]
    assert fields["name_kk"] == ["Это поле обязательно."]
    r = api(
        "post",
        "/districts",
        {"region_code": "98", "code": "0", **NAMES},
        HTTP_ACCEPT_LANGUAGE="kk",
    )
    assert r.status_code == 422
    assert r.json()["fields"]["code"] == ["Аудан коды 2 цифрдан тұрады."]
    assert "region_code" in r.json()["fields"]
    r = api("patch", f"/districts/{district.pk}", {"code": "09"})
    assert r.status_code == 422
    assert "Bodies of this district" in r.json()["fields"]["code"][0]
    r = api("patch", f"/districts/{district.pk}", {"name_ru": None})
    assert r.status_code == 422
    assert r.json()["fields"] == {"name_ru": ["This field is required."]}
    assert api("patch", "/districts/999999", {"name_ru": "x"}).status_code == 404
    assert api("get", "/districts/999999").status_code == 404
    assert (list(District.objects.order_by("pk").values()), Event.objects.count()) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/regions", None),
        ("get", "/districts", None),
        ("get", "/districts/{district}", None),
        ("post", "/districts", {"region_code": "75", "code": "09", **NAMES}),
        ("patch", "/districts/{district}", {"name_ru": "x"}),
    ],
)
def test_only_administrators(method: str, path: str, body: Any) -> None:
    unit = f.Unit()
    district = District.objects.get(region_id="75", code="01")
    caller = Api(unit.head)
    denials = Event.objects.filter(action="access.denied").count()
    r = caller(method, path.format(district=district.pk), body, HTTP_ACCEPT_LANGUAGE="ru")
    assert r.status_code == 403
    assert r.json() == {"code": "forbidden", "message": "Это может сделать только администратор."}
    assert Event.objects.filter(action="access.denied").count() == denials + 1
    assert not District.objects.filter(code="09").exists()
    assert Client().get(BASE + "/districts").status_code == 401


def test_openapi_describes_regions_and_districts(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert set(paths["/api/v1/admin/districts"]) == {"get", "post"}
    assert set(paths["/api/v1/admin/districts/{district_id}"]) == {"get", "patch"}
    assert paths["/api/v1/admin/regions"]["get"]["tags"] == ["administration"]
    params = {p["name"] for p in paths["/api/v1/admin/districts"]["get"]["parameters"]}
    assert {"page", "size", "region", "q"} <= params
