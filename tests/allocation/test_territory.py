"""Territorial jurisdiction: district bodies before region-level bodies, other places excluded."""

from __future__ import annotations

import pytest

from tergeu.accounts.models import Organisation, OrgKind
from tergeu.allocation.territory import bodies_for_place, check_place
from tergeu.core.validation import Checker
from tests import factories as f

pytestmark = pytest.mark.django_db


def regional(kind: str, code: str, region_code: str = "75") -> Organisation:
    return Organisation.objects.create(
        code=code,
        kind=kind,
        region=f.region(region_code),
        district=None,
        name_kk=code,
        name_ru=code,
        name_en=code,
    )


def test_district_bodies_first_then_region_level() -> None:
    police = f.org(OrgKind.POLICE, code="750101")
    econ = f.org(OrgKind.ECONOMIC, code="750102")
    f.org(OrgKind.POLICE, code="750201", district_code="02")  # another district
    f.org(OrgKind.POLICE, code="710101", region_code="71")  # another region
    f.org(OrgKind.PROSECUTOR, code="750190")  # not a prosecution body
    anti = regional(OrgKind.ANTICORRUPTION, "750050")

    assert bodies_for_place("75", "01") == [police, econ, anti]
    assert bodies_for_place("75", "01", kinds=[OrgKind.ANTICORRUPTION]) == [anti]
    assert bodies_for_place("75", "01", kinds=[OrgKind.PROSECUTOR])[0].code == "750190"


def test_region_only_gives_region_level_bodies_first() -> None:
    d2 = f.org(OrgKind.POLICE, code="750201", district_code="02")
    d1 = f.org(OrgKind.POLICE, code="750101")
    anti = regional(OrgKind.ANTICORRUPTION, "750050")
    assert bodies_for_place("75") == [anti, d1, d2]


def test_unknown_place_gives_nothing_and_field_errors() -> None:
    f.org(OrgKind.POLICE, code="750101")
    assert bodies_for_place("99", "01") == []
    assert bodies_for_place("75", "77") == []
    assert bodies_for_place("") == []
    check = Checker()
    check_place(check, "99")
    assert list(check.errors) == ["region_code"]
    check = Checker()
    check_place(check, "75", "77")
    assert list(check.errors) == ["district_code"]
    check = Checker()
    check_place(check, "75", "01")
    assert check.errors == {}
