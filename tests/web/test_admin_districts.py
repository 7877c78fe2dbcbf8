"""Administration › Districts: every region with its districts for administrators, 403 for
everyone else, create and edit through the services, three languages."""

from __future__ import annotations

from typing import Any

import pytest

from tergeu.accounts.models import District, Role, User
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

NAMES = {"name_kk": "Абай ауданы", "name_ru": "Абайский район", "name_en": "Abai district"}


@pytest.fixture
def admin() -> User:
    return f.user(Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def client_admin(admin: User, signed_in: Any) -> Any:
    return signed_in(admin)


def _pages(unit: f.Unit) -> list[str]:
    district = District.objects.get(region_id="75", code="01")
    return ["/admin/districts/", "/admin/districts/new/", f"/admin/districts/{district.pk}/"]


def test_pages_render_for_administrators(unit: f.Unit, client_admin: Any) -> None:
    for page in _pages(unit):
        r = client_admin.get(page)
        assert r.status_code == 200, page
        assert b'aria-current="page">Administration<' in r.content, page
    text = client_admin.get("/admin/districts/").content.decode()
    assert 'aria-current="page">Districts<' in text
    assert "Almaty city" in text
    assert "Shymkent city" in text  # every region, even one without districts
    assert 'href="/admin/districts/new/?region=79"' in text
    assert "1 district" in text
    r = client_admin.get("/admin/users/")
    assert b'href="/admin/districts/"' in r.content


def test_everyone_else_gets_403_and_nothing_changes(unit: f.Unit, signed_in: Any) -> None:
    district = District.objects.get(region_id="75", code="01")
    for officer in (unit.investigator, unit.head, unit.prosecutor, unit.judge):
        client = signed_in(officer)
        for page in _pages(unit):
            before = Event.objects.filter(action="access.denied", actor=officer).count()
            assert client.get(page).status_code == 403, page
            after = Event.objects.filter(action="access.denied", actor=officer).count()
            assert after == before + 1, page
        data = {"region": "75", "code": "09", **NAMES}
        assert client.post("/admin/districts/new/", data).status_code == 403
        assert client.post(f"/admin/districts/{district.pk}/", data).status_code == 403
    assert not District.objects.filter(code="09").exists()
    district.refresh_from_db()
    assert district.name_ru != NAMES["name_ru"]


def test_anonymous_visitors_are_sent_to_sign_in(unit: f.Unit, client: Any) -> None:
    for page in _pages(unit):
        r = client.get(page)
        assert r.status_code == 302
        assert r["Location"].startswith("/login/")


def test_create_a_district_through_the_form(client_admin: Any, admin: User) -> None:
    r = client_admin.get("/admin/districts/new/?region=79")
    assert r.context["form"].initial["region"] == "79"
    r = client_admin.post("/admin/districts/new/", {"region": "79", "code": "01", **NAMES})
    assert r.status_code == 302
    assert r["Location"] == "/admin/districts/"
    district = District.objects.get(region_id="79", code="01")
    assert Event.objects.get(action="district.created").actor == admin
    page = client_admin.get(r["Location"]).content.decode()
    assert "The district 01 of region 79 is created." in page
    assert "Abai district" in page
    assert f'href="/admin/districts/{district.pk}/"' in page


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"code": "1"}, "A district code has 2 digits."),
        ({"code": "00"}, "The code 00 stands for the whole region"),
        ({"code": "01", "region": "75"}, "Region 75 already has a district with the code 01."),
        ({"name_kk": ""}, "This field is required."),
        ({"region": ""}, "This field is required."),
    ],
)
def test_bad_districts_are_refused_on_the_form(
    unit: f.Unit, client_admin: Any, changes: dict[str, str], text: str
) -> None:
    before = list(District.objects.order_by("pk").values())
    data = {"region": "79", "code": "01", **NAMES, **changes}
    r = client_admin.post("/admin/districts/new/", data)
    assert r.status_code == 200
    assert text in r.content.decode()
    assert list(District.objects.order_by("pk").values()) == before


def test_edit_a_district(client_admin: Any) -> None:
    district = f.district("79", "01")
    r = client_admin.get(f"/admin/districts/{district.pk}/")
    assert b'name="region"' not in r.content  # a district never moves
    r = client_admin.post(f"/admin/districts/{district.pk}/", {"code": "02", **NAMES})
    assert r.status_code == 302
    district.refresh_from_db()
    assert (district.code, district.name_en) == ("02", "Abai district")
    data = payload_of(Event.objects.get(action="district.updated"))["data"]
    assert data["before"]["code"] == "01"


def test_the_code_of_a_district_with_bodies_cannot_be_edited(
    unit: f.Unit, client_admin: Any
) -> None:
    district = District.objects.get(region_id="75", code="01")
    r = client_admin.get(f"/admin/districts/{district.pk}/")
    assert r.context["form"].fields["code"].disabled
    assert "3 bodies in the district." in r.content.decode()
    # A forged code is ignored (the field is disabled); the names change.
    r = client_admin.post(f"/admin/districts/{district.pk}/", {"code": "09", **NAMES})
    assert r.status_code == 302, r.context["form"].errors
    district.refresh_from_db()
    assert (district.code, district.name_ru) == ("01", "Абайский район")


def test_filters_of_the_list(unit: f.Unit, client_admin: Any) -> None:
    f.district("71", "02")

    def shown(query: str) -> list[tuple[str, list[str]]]:
        groups = client_admin.get(f"/admin/districts/{query}").context["groups"]
        return [(region.code, [d.code for d in districts]) for region, districts in groups]

    assert len(shown("")) == 20
    assert shown("?region=71") == [("71", ["02"])]
    assert shown("?region=79") == [("79", [])]
    assert shown("?q=02") == [("71", ["02"])]


def test_pages_speak_kazakh_and_russian(unit: f.Unit, admin: User, signed_in: Any) -> None:
    for language, words in {
        "kk": ["Аудандар", "Жаңа аудан", "Ауданның атауы", "Шымкент қаласы"],
        "ru": ["Районы", "Новый район", "Название района", "город Шымкент"],
    }.items():
        User.objects.filter(pk=admin.pk).update(language=language)
        client = signed_in(admin)
        client.cookies["django_language"] = language
        text = client.get("/admin/districts/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for word in words:
            assert word in text, (language, word)
