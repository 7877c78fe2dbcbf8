"""Territory: the 20 regions of KATO loaded by a migration, districts kept by
administrators (checked, journaled, refused with their messages and nothing changed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tergeu.accounts import admin_services as svc
from tergeu.accounts import territory
from tergeu.accounts.models import District, Organisation, OrgKind, Region, Role, User
from tergeu.core.errors import AccessDenied, NotFound, ValidationFailed
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

KATO = {
    "10": "Абай облысы",
    "11": "Ақмола облысы",
    "15": "Ақтөбе облысы",
    "19": "Алматы облысы",
    "23": "Атырау облысы",
    "27": "Батыс Қазақстан облысы",
    "31": "Жамбыл облысы",
    "33": "Жетісу облысы",
    "35": "Қарағанды облысы",
    "39": "Қостанай облысы",
    "43": "Қызылорда облысы",
    "47": "Маңғыстау облысы",
    "55": "Павлодар облысы",
    "59": "Солтүстік Қазақстан облысы",
    "61": "Түркістан облысы",
    "62": "Ұлытау облысы",
    "63": "Шығыс Қазақстан облысы",
    "71": "Астана қаласы",
    "75": "Алматы қаласы",
    "79": "Шымкент қаласы",
}


@pytest.fixture
def admin() -> User:
    return f.user(Role.ADMINISTRATOR, username="admin")


def _state() -> tuple[Any, ...]:
    """What a refused call must leave unchanged."""
    return (
        list(Region.objects.order_by("code").values()),
        list(District.objects.order_by("pk").values()),
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


def _names(n: str = "") -> dict[str, str]:
    return {
        "name_kk": f"Жаңа аудан{n}",
        "name_ru": f"Новый район{n}",
        "name_en": f"New district{n}",
    }


# ---------------------------------------------------------------- regions


def test_the_migration_loaded_the_20_regions_of_kato() -> None:
    regions = {r.code: r for r in Region.objects.all()}
    assert {code: r.name_kk for code, r in regions.items()} == KATO
    assert regions["71"].name_ru == "город Астана"
    assert regions["62"].name_ru == "область Ұлытау"
    assert regions["27"].name_en == "West Kazakhstan Region"
    assert all(r.name_kk and r.name_ru and r.name_en for r in regions.values())


def test_the_data_file_has_20_distinct_two_digit_codes() -> None:
    rows = json.loads(territory.REGIONS_FILE.read_text(encoding="utf-8"))
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes)) == 20
    assert all(len(c) == 2 and c.isdigit() for c in codes)
    assert all(set(row) == {"code", "name_kk", "name_ru", "name_en"} for row in rows)


def test_loading_again_corrects_names_and_never_deletes() -> None:
    Region.objects.filter(code="75").update(name_ru="Алма-Ата")
    extra = Region.objects.create(code="99", name_kk="Сынақ", name_ru="Тест", name_en="Test")
    f.district("75", "01")
    assert territory.load_regions() == {"created": 0, "updated": 1}
    assert Region.objects.get(code="75").name_ru == "город Алматы"
    assert Region.objects.filter(pk=extra.pk).exists()
    assert District.objects.filter(region_id="75", code="01").exists()
    assert territory.load_regions() == {"created": 0, "updated": 0}


def test_regions_list_counts_districts(admin: User) -> None:
    f.district("75", "01")
    f.district("75", "02")
    found = {r.code: r.district_count for r in territory.regions(admin)}  # type: ignore[attr-defined]
    assert len(found) == 20
    assert found["75"] == 2
    assert found["79"] == 0


# ---------------------------------------------------------------- districts


def test_create_a_district_and_it_is_journaled(admin: User) -> None:
    district = territory.create_district(admin, region_code="79", code=" 03 ", **_names())
    assert (district.region_id, district.code, district.name_ru) == ("79", "03", "Новый район")
    event = Event.objects.get(action="district.created")
    assert event.actor == admin
    assert payload_of(event)["data"] == {
        "region": "79",
        "code": "03",
        "name_kk": "Жаңа аудан",
        "name_ru": "Новый район",
        "name_en": "New district",
    }
    # A body can now be created in it.
    org = svc.create_organisation(admin, code="790301", kind=OrgKind.POLICE, **_names(" полиция"))
    assert org.district == district


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"region_code": ""}, "region_code", "This field is required."),
        ({"region_code": "98"}, "region_code", "There is no region with the code 98."),
        ({"code": "1"}, "code", "A district code has 2 digits."),
        ({"code": "1a"}, "code", "A district code has 2 digits."),
        ({"code": "123"}, "code", "A district code has 2 digits."),
        ({"code": "00"}, "code", "The code 00 stands for the whole region"),
        ({"code": "01"}, "code", "Region 75 already has a district with the code 01."),
        ({"name_kk": " "}, "name_kk", "This field is required."),
        ({"name_ru": ""}, "name_ru", "This field is required."),
        ({"name_en": "x" * 301}, "name_en", "At most 300 characters"),
    ],
)
def test_create_district_refuses_bad_input(
    admin: User, changes: dict[str, str], field: str, text: str
) -> None:
    f.district("75", "01")
    data = {"region_code": "75", "code": "07", **_names(), **changes}
    _refused(lambda: territory.create_district(admin, **data), field, text)


def test_the_same_code_in_another_region_is_fine(admin: User) -> None:
    f.district("75", "01")
    assert territory.create_district(admin, region_code="71", code="01", **_names()).pk


def test_update_names_and_code_journaled_with_before_and_after(admin: User) -> None:
    district = territory.create_district(admin, region_code="79", code="03", **_names())
    territory.update_district(admin, district.pk, code="04", name_ru="Абайский район")
    district.refresh_from_db()
    assert (district.code, district.name_ru, district.name_kk) == (
        "04",
        "Абайский район",
        "Жаңа аудан",
    )
    data = payload_of(Event.objects.get(action="district.updated"))["data"]
    assert data["before"] == {"code": "03", "name_ru": "Новый район"}
    assert data["after"] == {"code": "04", "name_ru": "Абайский район"}
    # Nothing to change: no event.
    territory.update_district(admin, district.pk, name_ru="Абайский район")
    assert Event.objects.filter(action="district.updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"code": "7"}, "code", "A district code has 2 digits."),
        ({"code": "00"}, "code", "The code 00 stands for the whole region"),
        ({"code": "02"}, "code", "Region 75 already has a district with the code 02."),
        ({"name_en": ""}, "name_en", "This field is required."),
        ({"region_code": "71"}, "region_code", "This field cannot be changed."),
    ],
)
def test_update_district_refuses_bad_input(
    admin: User, changes: dict[str, str], field: str, text: str
) -> None:
    district = f.district("75", "01")
    f.district("75", "02")
    _refused(lambda: territory.update_district(admin, district.pk, **changes), field, text)


def test_the_code_of_a_district_with_bodies_stays(admin: User) -> None:
    unit = f.Unit(district_code="01")
    district = unit.police.district
    assert district is not None
    _refused(
        lambda: territory.update_district(admin, district.pk, code="09"),
        "code",
        "Bodies of this district have codes made from its code",
    )
    territory.update_district(admin, district.pk, name_en="Almaly district")  # names may change
    district.refresh_from_db()
    assert district.name_en == "Almaly district"
    assert territory.get_district(admin, district.pk).body_count == 3  # type: ignore[attr-defined]


def test_unknown_district_is_not_found(admin: User) -> None:
    for key in (10**9, "x"):
        with pytest.raises(NotFound, match="no such district"):
            territory.get_district(admin, key)
        with pytest.raises(NotFound):
            territory.update_district(admin, key, name_ru="x")


def test_districts_list_filters_and_counts_bodies(admin: User) -> None:
    f.Unit(district_code="01")
    f.district("75", "02")
    f.district("71", "01")
    rows = list(territory.districts(admin, region_code="75"))
    assert [(d.region_id, d.code, d.body_count) for d in rows] == [  # type: ignore[attr-defined]
        ("75", "01", 3),
        ("75", "02", 0),
    ]
    assert [d.region_id for d in territory.districts(admin, q="01")] == ["71", "75"]
    assert [d.code for d in territory.districts(admin, q="район 02")] == ["02"]


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.HEAD_OF_UNIT, Role.ANALYST])
def test_only_administrators_and_refusals_are_journaled(role: str) -> None:
    unit = f.Unit()
    other = f.user(role, unit.police if role != Role.ANALYST else None)
    district = f.district("75", "01")
    calls: list[Callable[[], Any]] = [
        lambda: territory.regions(other),
        lambda: territory.districts(other),
        lambda: territory.get_district(other, district.pk),
        lambda: territory.create_district(other, region_code="75", code="09", **_names()),
        lambda: territory.update_district(other, district.pk, name_ru="x"),
        lambda: territory.import_districts(other, [(2, {"region_code": "75", "code": "09"})]),
    ]
    before = _state()
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    assert _state() == before
    denied = Event.objects.filter(action="access.denied", actor=other)
    assert denied.count() == len(calls)
    assert {payload_of(e)["data"]["attempted"] for e in denied} == {
        "admin.regions",
        "admin.districts",
        "admin.get_district",
        "admin.create_district",
        "admin.update_district",
        "admin.import_districts",
    }


# ---------------------------------------------------------------- import


def _row(region: str, code: str, n: str = "") -> dict[str, str]:
    return {"region_code": region, "code": code, **_names(n)}


def test_import_creates_updates_and_is_idempotent(admin: User) -> None:
    f.district("75", "01")
    rows = [(2, _row("75", "01", " 1")), (3, _row("79", "01")), (4, _row("79", "02"))]
    results = territory.import_districts(admin, rows)
    assert [(r.line, r.status) for r in results] == [(2, "updated"), (3, "created"), (4, "created")]
    assert District.objects.get(region_id="75", code="01").name_ru == "Новый район 1"
    events = Event.objects.filter(action__startswith="district.").count()
    again = territory.import_districts(admin, rows)
    assert {r.status for r in again} == {"unchanged"}
    assert Event.objects.filter(action__startswith="district.").count() == events


def test_import_with_a_bad_line_writes_nothing_and_tells_every_line(admin: User) -> None:
    f.district("75", "01")
    rows = [
        (2, _row("79", "01")),
        (3, _row("79", "0x")),
        (4, {**_row("75", "01"), "name_kk": ""}),
        (5, _row("79", "01")),
        (6, _row("98", "01")),
    ]
    before = _state()
    results = territory.import_districts(admin, rows)
    assert _state() == before
    assert territory.import_refused(results)
    got = {r.line: (r.status, r.errors) for r in results}
    assert got[2] == ("created", {})
    assert got[3] == ("error", {"code": ["A district code has 2 digits."]})
    assert got[4] == ("error", {"name_kk": ["This field is required."]})
    assert got[5] == ("error", {"code": ["This district is already on line 2."]})
    assert got[6] == ("error", {"region_code": ["There is no region with the code 98."]})


def test_a_dry_run_writes_nothing(admin: User) -> None:
    before = _state()
    results = territory.import_districts(admin, [(2, _row("79", "01"))], dry_run=True)
    assert [r.status for r in results] == ["created"]
    assert not territory.import_refused(results)
    assert _state() == before


def test_a_region_level_body_is_untouched_by_districts(admin: User) -> None:
    org = svc.create_organisation(admin, code="790001", kind=OrgKind.PROSECUTOR, **_names())
    territory.create_district(admin, region_code="79", code="01", **_names())
    assert Organisation.objects.get(pk=org.pk).district is None
