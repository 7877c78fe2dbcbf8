"""Administration pages: bodies and accounts for administrators, 403 for everyone else,
forms through the services, a fixed number of queries per list, three languages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tergeu.accounts.models import Organisation, OrgKind, Role, User
from tergeu.cases.models import Grant, GrantRole
from tergeu.core.iin import make_iin
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "Qazaq-ELi-2026!"
WEB = Path(__file__).resolve().parents[2] / "src" / "tergeu" / "web"

#: List page -> most queries it may make: session, user, (the bodies of the filter), the
#: service's savepoint pair, count, page, and the session save in its savepoint.
BASELINES = {
    "/admin/users/": 10,
    "/admin/users/?q=Test&role=investigator&active=yes": 10,
    "/admin/users/?organisation={police}": 10,
    "/admin/organisations/": 9,
    "/admin/organisations/?q=75&kind=police": 9,
}


@pytest.fixture
def admin() -> User:
    return f.user(Role.ADMINISTRATOR, username="admin", last_name="Әкімшіұлы")


@pytest.fixture
def client_admin(admin: User, signed_in: Any) -> Any:
    return signed_in(admin)


def _pages(unit: f.Unit) -> list[str]:
    return [
        "/admin/users/",
        "/admin/users/new/",
        f"/admin/users/{unit.investigator.pk}/",
        "/admin/organisations/",
        "/admin/organisations/new/",
        f"/admin/organisations/{unit.police.pk}/",
    ]


def test_pages_render_for_administrators(unit: f.Unit, client_admin: Any) -> None:
    for page in _pages(unit):
        r = client_admin.get(page)
        assert r.status_code == 200, page
        assert b'aria-current="page">Administration<' in r.content, page
    r = client_admin.get("/admin/users/")
    assert unit.investigator.username in r.content.decode()
    r = client_admin.get("/admin/organisations/")
    assert unit.police.code in r.content.decode()


@pytest.mark.parametrize("role", ["investigator", "head", "prosecutor", "judge", "duty"])
def test_everyone_else_gets_403_and_the_refusal_is_journaled(
    unit: f.Unit, signed_in: Any, role: str
) -> None:
    officer = getattr(unit, role)
    client = signed_in(officer)
    for page in _pages(unit):
        before = Event.objects.filter(action="access.denied", actor=officer).count()
        assert client.get(page).status_code == 403, page
        after = Event.objects.filter(action="access.denied", actor=officer).count()
        assert after == before + 1, page
    posts = [
        "/admin/users/new/",
        f"/admin/users/{unit.duty.pk}/",
        f"/admin/users/{unit.duty.pk}/password/",
        f"/admin/users/{unit.duty.pk}/deactivate/",
        "/admin/organisations/new/",
        f"/admin/organisations/{unit.court.pk}/",
    ]
    for page in posts:
        r = client.post(page, {"reason": "x", "deactivate-reason": "x", "last_name": "x"})
        assert r.status_code == 403, page
    unit.duty.refresh_from_db()
    assert unit.duty.is_active
    assert b"Administration" not in client.get("/cases/").content


def test_anonymous_visitors_are_sent_to_sign_in(unit: f.Unit, client: Any) -> None:
    for page in _pages(unit):
        r = client.get(page)
        assert r.status_code == 302
        assert r["Location"].startswith("/login/")


def test_navigation_link_only_for_administrators(
    unit: f.Unit, client_admin: Any, signed_in: Any
) -> None:
    assert b'href="/admin/users/"' in client_admin.get("/cases/").content
    assert b'href="/admin/users/"' not in signed_in(unit.head).get("/cases/").content


def _taken(code: str) -> bool:
    return Organisation.objects.filter(code=code).exists()


def test_create_a_body_through_the_form(unit: f.Unit, client_admin: Any) -> None:
    code = next(c for c in (f"7501{n:02d}" for n in range(99, 0, -1)) if not _taken(c))
    data = {
        "code": code,
        "kind": OrgKind.ECONOMIC,
        "name_kk": "Экономикалық тергеу қызметі",
        "name_ru": "Служба экономических расследований",
        "name_en": "Economic investigations",
        "region": "",
        "district": "75:01",
        "parent": "",
        "supervisor": unit.prosecutor_office.code,
    }
    r = client_admin.post("/admin/organisations/new/", data)
    assert r.status_code == 302
    org = Organisation.objects.get(code=code)
    assert org.supervisor == unit.prosecutor_office
    assert org.district is not None
    assert code in client_admin.get(r["Location"]).content.decode()


def test_errors_of_the_service_are_shown_on_the_form(unit: f.Unit, client_admin: Any) -> None:
    count = Organisation.objects.count()
    data = {"code": unit.police.code, "kind": OrgKind.POLICE, "name_kk": "a", "name_ru": "b"}
    r = client_admin.post("/admin/organisations/new/", {**data, "name_en": "c"})
    assert r.status_code == 200
    assert f"A body with the code {unit.police.code} already exists." in r.content.decode()
    r = client_admin.post("/admin/organisations/new/", {**data, "code": "759901", "name_en": "c"})
    assert "Region 75 has no district with the code 99." in r.content.decode()
    assert Organisation.objects.count() == count


def test_edit_a_body(unit: f.Unit, client_admin: Any) -> None:
    r = client_admin.get(f"/admin/organisations/{unit.police.pk}/")
    assert b'name="code"' not in r.content  # the code never changes
    data = {
        "kind": OrgKind.POLICE,
        "name_kk": "Полиция департаменті",
        "name_ru": "Департамент полиции",
        "name_en": "Police department",
        "parent": "",
        "supervisor": unit.prosecutor_office.code,
    }
    r = client_admin.post(f"/admin/organisations/{unit.police.pk}/", data)
    assert r.status_code == 302
    unit.police.refresh_from_db()
    assert unit.police.name_ru == "Департамент полиции"


def _new_user_form(org: Organisation, **extra: str) -> dict[str, str]:
    data = {
        "username": "zhanabaev",
        "last_name": "Жаңабаев",
        "first_name": "Серік",
        "patronymic": "",
        "iin": make_iin(dt.date(1979, 5, 5), True, 4242),
        "role": Role.HEAD_OF_UNIT,
        "organisation": org.code,
        "language": "kk",
        "email": "",
        "phone": "+7 701 000 00 01",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    data.update(extra)
    return data


def test_create_a_head_of_unit_who_gets_the_open_cases(unit: f.Unit, client_admin: Any) -> None:
    case = unit.case()
    r = client_admin.post("/admin/users/new/", _new_user_form(unit.police))
    assert r.status_code == 302
    head = User.objects.get(username="zhanabaev")
    assert r["Location"] == f"/admin/users/{head.pk}/"
    assert Grant.objects.filter(user=head, case=case, role=GrantRole.HEAD).exists()
    assert head.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"password_again": "something-else-1"}, "The two passwords differ."),
        ({"password": "short", "password_again": "short"}, "too short"),
        ({"iin": "123456789012"}, "IIN"),
        ({"role": Role.JUDGE}, "needs a body of this kind"),
    ],
)
def test_bad_accounts_are_refused_on_the_form(
    unit: f.Unit, client_admin: Any, changes: dict[str, str], text: str
) -> None:
    count = User.objects.count()
    r = client_admin.post("/admin/users/new/", _new_user_form(unit.police, **changes))
    assert r.status_code == 200
    assert text in r.content.decode()
    assert User.objects.count() == count


def test_move_an_official_to_another_body(unit: f.Unit, client_admin: Any) -> None:
    case = unit.case()
    other = f.Unit(district_code="02")
    officer = unit.investigator
    form = client_admin.get(f"/admin/users/{officer.pk}/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["organisation"] = other.police.code
    r = client_admin.post(f"/admin/users/{officer.pk}/", data)
    assert r.status_code == 302, r.content.decode()
    officer.refresh_from_db()
    assert officer.organisation == other.police
    grant = Grant.objects.get(user=officer, case=case, role=GrantRole.INVESTIGATOR)
    assert grant.revoked_at is not None


def test_reset_a_password_and_block_an_account(
    unit: f.Unit, client_admin: Any, client: Any
) -> None:
    officer = unit.duty
    r = client_admin.post(
        f"/admin/users/{officer.pk}/password/",
        {"password-password": PASSWORD, "password-password_again": PASSWORD},
    )
    assert r.status_code == 302
    assert client.login(username=officer.username, password=PASSWORD)
    r = client_admin.post(
        f"/admin/users/{officer.pk}/password/",
        {"password-password": "short", "password-password_again": "short"},
    )
    assert r.status_code == 200
    assert "too short" in r.content.decode()
    r = client_admin.post(f"/admin/users/{officer.pk}/deactivate/", {"deactivate-reason": ""})
    assert r.status_code == 200
    assert "This field is required." in r.content.decode()
    r = client_admin.post(
        f"/admin/users/{officer.pk}/deactivate/", {"deactivate-reason": "Переведён в МВД"}
    )
    assert r.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    assert client.get("/cases/").status_code == 302  # the open session ended
    assert not client.login(username=officer.username, password=PASSWORD)
    event = Event.objects.get(action="user.deactivated")
    assert payload_of(event)["data"]["reason"] == "Переведён в МВД"
    assert b"Blocked" in client_admin.get("/admin/users/?active=no").content


def test_filters_of_the_accounts_list(unit: f.Unit, client_admin: Any) -> None:
    def names(query: str) -> set[str]:
        page = client_admin.get(f"/admin/users/{query}").context["page"]
        return {u.username for u in page.items}

    assert names(f"?q={unit.judge.iin}") == {unit.judge.username}
    assert names(f"?q={unit.judge.username}") == {unit.judge.username}
    assert names("?role=prosecutor") == {unit.prosecutor.username}
    assert names(f"?organisation={unit.court.code}") == {unit.judge.username}
    assert names(f"?q={unit.head.last_name.lower()}") == {unit.head.username}


def test_pages_speak_kazakh_and_russian(unit: f.Unit, admin: User, signed_in: Any) -> None:
    for language, words in {
        "kk": ["Әкімшілендіру", "Тіркелгілер", "Органдар"],
        "ru": ["Администрирование", "Учётные записи", "Органы"],
    }.items():
        User.objects.filter(pk=admin.pk).update(language=language)
        client = signed_in(admin)
        client.cookies["django_language"] = language
        for page in ("/admin/users/", "/admin/organisations/"):
            text = client.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            for word in words:
                assert word in text, (language, page, word)


def _add_rows(n: int) -> None:
    for _ in range(n):
        unit = f.Unit()
        f.user(Role.INVESTIGATOR, unit.police)


def test_lists_stay_within_their_baselines_as_data_grows(
    unit: f.Unit, client_admin: Any, django_assert_max_num_queries: Any
) -> None:
    paths = {p: p.format(police=unit.police.code) for p in BASELINES}

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_admin.get(path).status_code == 200, path
        return len(ctx.captured_queries)

    few = {p: queries(path) for p, path in paths.items()}
    _add_rows(6)
    for pattern, path in paths.items():
        with django_assert_max_num_queries(BASELINES[pattern]):
            client_admin.get(path)
        assert queries(path) == few[pattern], f"{pattern}: queries grow with rows"


# ---------------------------------------------------------------- catalogues

_TRANSLATE = re.compile(r"""\{%\s*translate\s+(?:"([^"]*)"|'([^']*)')""")
_BLOCK = re.compile(r"\{%\s*blocktranslate[^%]*%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.S)


def _template_strings() -> set[Any]:
    found: set[Any] = set()
    for path in sorted((WEB / "templates" / "web" / "admin").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        found |= {a or b for a, b in _TRANSLATE.findall(text)}
        for body in _BLOCK.findall(text):
            body = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", body)
            found.add(tuple(body.split("{% plural %}")) if "{% plural %}" in body else body)
    keywords = {"_": None, "gettext": None, "gettext_lazy": None}
    views = WEB / "views" / "admin.py"
    found |= {m for _l, m, _c, _x in extract_from_file("python", str(views), keywords=keywords)}
    return found


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_string_of_the_pages_is_in_the_web_catalogue(language: str) -> None:
    po = WEB / "locale" / language / "LC_MESSAGES" / "django.po"
    with po.open("rb") as fh:
        catalogue = read_po(fh, locale=language)
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue if m.id}
    missing = _template_strings() - ids
    assert not missing, missing
