"""``tergeu manage load_districts FILE.csv``: districts from a file, all lines or none."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tergeu.accounts.models import District, Role, User
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "region_code,code,name_kk,name_ru,name_en\n"
GOOD = HEADER + (
    "75,01,Алмалы ауданы,Алмалинский район,Almaly district\n"
    "75,02,Әуезов ауданы,Ауэзовский район,Auezov district\n"
    '79,01,Әл-Фараби ауданы,"Район Аль-Фараби, Шымкент",Al-Farabi district\n'
)


@pytest.fixture
def admin() -> User:
    return f.user(Role.ADMINISTRATOR, username="admin")


def _file(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "districts.csv"
    path.write_text(text, encoding=encoding)
    return str(path)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("load_districts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _state() -> tuple[Any, ...]:
    return (
        list(District.objects.order_by("pk").values()),
        Event.objects.count(),
    )


def test_a_good_file_is_loaded_and_loading_it_again_changes_nothing(
    admin: User, tmp_path: Path
) -> None:
    path = _file(tmp_path, GOOD)
    out = _run(path)
    assert "line 2: 75 01: created" in out
    assert "line 4: 79 01: created" in out
    assert "Done: 3 created, 0 updated, 0 unchanged, 0 refused." in out
    district = District.objects.get(region_id="79", code="01")
    assert district.name_ru == "Район Аль-Фараби, Шымкент"
    created = Event.objects.filter(action="district.created")
    assert created.count() == 3
    assert {e.actor for e in created} == {admin}

    before = _state()
    out = _run(path)
    assert "Done: 0 created, 0 updated, 3 unchanged, 0 refused." in out
    assert _state() == before


def test_a_changed_name_updates_the_district(admin: User, tmp_path: Path) -> None:
    _run(_file(tmp_path, GOOD))
    out = _run(_file(tmp_path, GOOD.replace("Almaly district", "Almaly District"), "utf-8-sig"))
    assert "line 2: 75 01: updated" in out
    assert "1 updated, 2 unchanged" in out
    assert District.objects.get(region_id="75", code="01").name_en == "Almaly District"


def test_a_bad_line_writes_nothing_and_every_line_is_reported(admin: User, tmp_path: Path) -> None:
    f.district("75", "01")
    text = GOOD + "75,2,Қате,Ошибка,Wrong\n" + "99,01,Жоқ,Нет,None\n" + "75,03,,Без имени,\n"
    before = _state()
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"3 of 6 lines refused: nothing was written"):
        call_command("load_districts", _file(tmp_path, text), stdout=out)
    report = out.getvalue()
    assert "line 2: 75 01: would be updated" in report
    assert "line 5: 75 2: error: code: A district code has 2 digits." in report
    assert "line 6: 99 01: error: region_code: There is no region with the code 99." in report
    assert "name_kk: This field is required." in report
    assert "name_en: This field is required." in report
    assert _state() == before


def test_a_line_with_too_many_values_is_refused(admin: User, tmp_path: Path) -> None:
    text = HEADER + "79,01,Әл-Фараби ауданы,Район Аль-Фараби, Шымкент,Al-Farabi district\n"
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("load_districts", _file(tmp_path, text), stdout=out)
    assert "More values than columns" in out.getvalue()
    assert not District.objects.filter(region_id="79").exists()


def test_semicolons_and_a_dry_run(admin: User, tmp_path: Path) -> None:
    text = "region_code;code;name_kk;name_ru;name_en\n79;01;Абай ауданы;Абайский район;Abai\n"
    out = _run(_file(tmp_path, text), "--dry-run")
    assert "line 2: 79 01: would be created" in out
    assert "Dry run, nothing was written: 1 created" in out
    assert not District.objects.filter(region_id="79").exists()
    _run(_file(tmp_path, text))
    assert District.objects.filter(region_id="79", code="01").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("region,code,name_kk,name_ru,name_en\n75,01,a,b,c\n", "missing: region_code"),
        (HEADER, "no districts in the file"),
        (HEADER + "\n\n", "no districts in the file"),
    ],
)
def test_a_file_without_its_columns_or_lines_is_refused(
    admin: User, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _run(_file(tmp_path, text))


def test_not_utf8_or_missing_file(admin: User, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        _run(_file(tmp_path, HEADER + "75,01,Алмалы,Алмалинский,Almaly\n", "cp1251"))
    with pytest.raises(CommandError, match="Cannot read"):
        _run(str(tmp_path / "nothing.csv"))


def test_it_needs_an_administrator(tmp_path: Path) -> None:
    path = _file(tmp_path, GOOD)
    with pytest.raises(CommandError, match="No administrator exists yet"):
        _run(path)
    f.user(Role.ADMINISTRATOR, username="root")
    with pytest.raises(CommandError, match="No active administrator 'nobody'"):
        _run(path, "--as", "nobody")
    assert "3 created" in _run(path, "--as", "root")
