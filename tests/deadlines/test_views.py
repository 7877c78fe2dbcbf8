"""The pages and the API of the time limits: "My deadlines" sorted by time left with red and
amber rows and filters, the case card's panel and the extension form, the supervisor's
view with the violations per unit, the outages page; need-to-know access throughout."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tergeu.accounts.models import Role, User
from tergeu.cases.models import Case
from tergeu.core import clock
from tergeu.deadlines.models import Clock, ClockStatus, Outage
from tests import factories as f
from tests.api.conftest import _catalogues  # noqa: F401  (compiled .mo files, kk/ru/en)

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
MINE = "deadlines.mine.test"


@pytest.fixture
def unit(db: Any) -> f.Unit:
    return f.Unit()


@pytest.fixture
def case(unit: f.Unit) -> Case:
    return unit.case()


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_clock(
    case: Case,
    rule: str,
    user: User | None,
    *,
    due_in: dt.timedelta,
    hours: int = 48,
    status: str = ClockStatus.RUNNING,
    **extra: Any,
) -> Clock:
    """A clock of ``rule`` in ``case`` due ``due_in`` from now (negative: overdue)."""
    due = clock.now() + due_in
    return Clock.objects.create(
        case=case,
        rule=rule,
        started_at=due - hours * H,
        due_at=due,
        status=status,
        responsible_user=user,
        responsible_role=user.role if user else Role.INVESTIGATOR,
        organisation=case.organisation,
        source_event=0,
        **extra,
    )


def ours(rows: list[dict[str, Any]], *clocks: Clock) -> list[str]:
    """The ids among ``rows`` that belong to ``clocks``, in the order of ``rows``."""
    wanted = {str(c.pk) for c in clocks}
    return [r["id"] for r in rows if r["id"] in wanted]


def test_my_deadlines_sorted_by_time_left_with_red_and_amber(unit: f.Unit, case: Case) -> None:
    later = make_clock(case, "detention.term", unit.investigator, due_in=30 * H)
    soon = make_clock(case, "detention.term_72h", unit.investigator, due_in=H, hours=72)
    late = make_clock(case, "detention.protocol", unit.investigator, due_in=-2 * H, hours=3)
    done = make_clock(
        case, "detention.delivery", unit.investigator, due_in=-H, hours=3, status=ClockStatus.MET
    )
    page = client_of(unit.investigator).get("/deadlines/")
    assert page.status_code == 200
    text = page.content.decode()
    positions = [text.index(f'id="clock-{c.pk}"') for c in (late, soon, later)]
    assert positions == sorted(positions)  # overdue first, then the least time left
    assert f'id="clock-{done.pk}"' not in text  # met terms need nobody's action
    row = text[text.index(f'id="clock-{late.pk}"') - 30 :]
    assert "overdue" in row[:200]
    assert "clock-soon" in text[text.index(f'id="clock-{soon.pk}"') - 40 :][:200]
    assert "clock-ok" in text[text.index(f'id="clock-{later.pk}"') - 40 :][:200]
    assert case.erdr_number in text
    assert f'href="/cases/{case.pk}/"' in text
    assert "Protocol of detention" in text
    assert "overdue by 2 h" in text

    expired = client_of(unit.investigator).get("/deadlines/?status=running").content.decode()
    assert f'id="clock-{soon.pk}"' in expired
    assert f'id="clock-{done.pk}"' not in expired
    one = client_of(unit.investigator).get("/deadlines/?rule=detention.term_72h").content.decode()
    assert f'id="clock-{soon.pk}"' in one
    assert f'id="clock-{later.pk}"' not in one


def test_my_deadlines_in_kazakh_and_russian(unit: f.Unit, case: Case) -> None:
    make_clock(case, "detention.term", unit.investigator, due_in=-3 * H)
    expected = {
        "kk": ("Менің мерзімдерім", "Ұстап алу (48 сағат)", "кешіктірілді"),
        "ru": ("Мои сроки", "Задержание (48 часов)", "просрочен на", "УПК ст. 131 ч. 4"),
    }
    for language, words in expected.items():
        client = client_of(unit.investigator)
        client.cookies["django_language"] = language
        text = client.get("/deadlines/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for word in words:
            assert word in text, (language, word)


def test_a_day_term_ends_at_24_00_of_its_last_day(unit: f.Unit, case: Case) -> None:
    midnight = dt.datetime.combine(
        clock.now().astimezone(clock.KZ_TZ).date() + dt.timedelta(days=5), dt.time(), clock.KZ_TZ
    )
    row = make_clock(case, "motion.decision", unit.investigator, due_in=5 * 24 * H)
    Clock.objects.filter(pk=row.pk).update(due_at=midnight)
    text = client_of(unit.investigator).get("/deadlines/").content.decode()
    last_day = (midnight - dt.timedelta(days=1)).strftime("%d.%m.%Y")
    assert f"{last_day} 24:00" in text[text.index(f'id="clock-{row.pk}"') :][:800]


def test_another_units_official_sees_nothing(unit: f.Unit, case: Case) -> None:
    make_clock(case, "detention.term", unit.investigator, due_in=5 * H)
    other = f.Unit(district_code="02")
    page = client_of(other.investigator).get("/deadlines/").content.decode()
    assert case.erdr_number not in page
    api = client_of(other.investigator).get("/api/v1/deadlines/mine").json()
    assert api["total"] == 0
    assert (
        client_of(other.investigator).get(f"/api/v1/cases/{case.pk}/deadlines").status_code == 404
    )
    assert (
        client_of(other.prosecutor)
        .get("/deadlines/supervision/")
        .content.decode()
        .count(case.erdr_number)
        == 0
    )


def test_the_api_of_my_deadlines(unit: f.Unit, case: Case) -> None:
    later = make_clock(case, "detention.term", unit.investigator, due_in=30 * H)
    late = make_clock(case, "detention.protocol", unit.investigator, due_in=-2 * H, hours=3)
    body = client_of(unit.investigator).get("/api/v1/deadlines/mine").json()
    assert ours(body["items"], later, late) == [str(late.pk), str(later.pk)]
    item = next(i for i in body["items"] if i["id"] == str(late.pk))
    assert item["state"] == "expired"
    assert item["seconds_left"] < 0
    assert item["erdr_number"] == case.erdr_number
    assert item["rule_name"] == "Protocol of detention"
    filtered = client_of(unit.investigator).get("/api/v1/deadlines/mine?rule=detention.term")
    assert ours(filtered.json()["items"], later, late) == [str(later.pk)]
    bad = client_of(unit.investigator).get("/api/v1/deadlines/mine?status=nonsense")
    assert bad.status_code == 422
    case_body = (
        client_of(unit.investigator).get(f"/api/v1/cases/{case.erdr_number}/deadlines").json()
    )
    assert set(ours(case_body["items"], later, late)) == {str(late.pk), str(later.pk)}


def test_the_case_card_shows_its_clocks_and_the_extension_link(unit: f.Unit, case: Case) -> None:
    late = make_clock(case, "motion.decision", unit.investigator, due_in=-H, hours=72)
    term = make_clock(
        case, "investigation.inquiry", unit.investigator, due_in=9 * 24 * H, hours=24 * 30
    )
    card = client_of(unit.investigator).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="deadlines"' in card
    assert f'id="clock-{late.pk}"' in card
    assert "Decision on a motion" in card
    assert "Term of inquiry" in card
    panel = card[card.index('id="deadlines"') :]
    assert panel.index(f'id="clock-{late.pk}"') < panel.index(f'id="clock-{term.pk}"')
    assert "overdue" in panel[panel.index(f'id="clock-{late.pk}"') - 60 :][:200]
    assert f"/deadlines/clocks/{term.pk}/extend/" in card
    assert f"/deadlines/clocks/{late.pk}/extend/" not in card  # a motion's term has no extension
    # the head sees the panel but is not the one responsible: no extension link
    head = client_of(unit.head).get(f"/cases/{case.pk}/").content.decode()
    assert f'id="clock-{late.pk}"' in head
    assert f"/deadlines/clocks/{term.pk}/extend/" not in head


def test_the_extension_form_shows_the_services_errors_on_its_fields(
    unit: f.Unit, case: Case
) -> None:
    row = make_clock(
        case, "investigation.preliminary", unit.investigator, due_in=10 * 24 * H, hours=24 * 60
    )
    url = f"/deadlines/clocks/{row.pk}/extend/"
    client = client_of(unit.investigator)
    assert client.get(url).status_code == 200
    empty = client.post(url, {})
    assert empty.status_code == 422
    assert "This field is required." in empty.content.decode()
    too_far = (row.due_at + dt.timedelta(days=3 * 365)).astimezone(clock.KZ_TZ)
    refused = client.post(
        url,
        {
            "until": too_far.strftime("%Y-%m-%dT%H:%M"),
            "authority": "district_prosecutor",
            "reason": "экспертиза не окончена",
        },
    )
    assert refused.status_code in (409, 422)
    assert 'class="errors"' in refused.content.decode() or "form-errors" in refused.content.decode()
    row.refresh_from_db()
    assert row.extended_until is None
    # a stranger does not learn the clock exists
    other = f.Unit(district_code="03")
    assert client_of(other.investigator).get(url).status_code == 404


def test_an_extension_from_the_form(unit: f.Unit, case: Case) -> None:
    row = make_clock(
        case, "investigation.preliminary", unit.investigator, due_in=10 * 24 * H, hours=24 * 60
    )
    until = (row.due_at + dt.timedelta(days=20)).astimezone(clock.KZ_TZ).replace(second=0)
    answer = client_of(unit.investigator).post(
        f"/deadlines/clocks/{row.pk}/extend/",
        {
            "until": until.strftime("%Y-%m-%dT%H:%M"),
            "authority": "district_prosecutor",
            "reason": "назначена судебная экспертиза",
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/cases/{case.pk}/#deadlines"
    row.refresh_from_db()
    assert row.due_at == until.replace(microsecond=0)
    assert row.extended_until == row.due_at
    card = client_of(unit.investigator).get(f"/cases/{case.pk}/").content.decode()
    assert "extended" in card[card.index(f'id="clock-{row.pk}"') :][:900]


def test_an_extension_after_expiry_is_refused_on_the_field(unit: f.Unit, case: Case) -> None:
    row = make_clock(case, "investigation.preliminary", unit.investigator, due_in=-H, hours=24 * 60)
    until = (clock.now() + dt.timedelta(days=20)).astimezone(clock.KZ_TZ)
    answer = client_of(unit.investigator).post(
        f"/deadlines/clocks/{row.pk}/extend/",
        {
            "until": until.strftime("%Y-%m-%dT%H:%M"),
            "authority": "district_prosecutor",
            "reason": "поздно",
        },
    )
    assert answer.status_code == 422
    text = answer.content.decode()
    field = text[text.index("field-until") :][:1500]
    assert "an extension must be decided before the term runs out" in field
    api = client_of(unit.investigator).post(
        f"/api/v1/deadlines/clocks/{row.pk}/extend",
        {"until": until.isoformat(), "authority": "district_prosecutor", "reason": "поздно"},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert "until" in api.json()["fields"]


def test_the_supervisors_view_puts_violations_first(unit: f.Unit, case: Case) -> None:
    later = make_clock(case, "detention.term", unit.investigator, due_in=30 * H)
    late = make_clock(case, "detention.protocol", unit.investigator, due_in=-2 * H, hours=3)
    missed = make_clock(
        case,
        "motion.decision",
        unit.investigator,
        due_in=-5 * H,
        hours=72,
        status=ClockStatus.EXPIRED,
        escalated_at=clock.now() - 4 * H,
    )
    page = client_of(unit.prosecutor).get("/deadlines/supervision/")
    assert page.status_code == 200
    text = page.content.decode()
    first_ok = text.index(f'id="clock-{later.pk}"')
    assert text.index(f'id="clock-{late.pk}"') < first_ok
    assert text.index(f'id="clock-{missed.pk}"') < first_ok
    assert 'id="violations-per-unit"' in text
    stats = text[text.index('id="violations-per-unit"') :]
    assert case.organisation.code in stats

    api = client_of(unit.prosecutor).get("/api/v1/deadlines/supervision").json()
    order = ours(api["items"], later, late, missed)
    assert order[-1] == str(later.pk)
    numbers = client_of(unit.prosecutor).get("/api/v1/deadlines/supervision/stats").json()
    row = next(u for u in numbers["units"] if u["organisation_code"] == case.organisation.code)
    assert row["violations"] == 2  # "later" is due after the period (today)
    # the investigator is no prosecutor
    assert client_of(unit.investigator).get("/deadlines/supervision/").status_code == 403
    assert client_of(unit.investigator).get("/api/v1/deadlines/supervision").status_code == 403


def test_a_prosecutor_sees_only_the_cases_under_supervision(unit: f.Unit, case: Case) -> None:
    make_clock(case, "detention.term", unit.investigator, due_in=-H)
    other = f.Unit(district_code="04")
    theirs = other.case()
    make_clock(theirs, "detention.term", other.investigator, due_in=-H)
    text = client_of(unit.prosecutor).get("/deadlines/supervision/").content.decode()
    assert case.erdr_number in text
    assert theirs.erdr_number not in text
    api = client_of(unit.prosecutor).get("/api/v1/deadlines/supervision").json()
    assert {i["erdr_number"] for i in api["items"]} <= {case.erdr_number}


def test_the_outages_page_records_an_outage_and_shows_its_errors(unit: f.Unit, case: Case) -> None:
    admin = f.user(Role.ADMINISTRATOR, unit.police)
    running = make_clock(case, "motion.decision", unit.investigator, due_in=20 * H, hours=72)
    custody = make_clock(case, "detention.term", unit.investigator, due_in=20 * H)
    client = client_of(admin)
    assert client.get("/deadlines/outages/").status_code == 200
    start = (clock.now() - 3 * H).astimezone(clock.KZ_TZ)
    end = (clock.now() - H).astimezone(clock.KZ_TZ)
    wrong = client.post(
        "/deadlines/outages/",
        {
            "started_at": end.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": start.strftime("%Y-%m-%dT%H:%M"),
            "rule": "extend_by_duration",
            "reason": "",
        },
    )
    assert wrong.status_code == 422
    text = wrong.content.decode()
    assert "The outage must end after it begins." in text
    assert "This field is required." in text
    assert Outage.objects.count() == 0

    done = client.post(
        "/deadlines/outages/",
        {
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": end.strftime("%Y-%m-%dT%H:%M"),
            "rule": "extend_by_duration",
            "reason": "Сбой сервера базы данных",
        },
        follow=True,
    )
    assert done.status_code == 200
    outage = Outage.objects.get()
    text = done.content.decode()
    assert f'id="outage-{outage.pk}"' in text
    assert "Сбой сервера базы данных" in text
    before = running.due_at
    running.refresh_from_db()
    assert running.due_at == before + 2 * H  # extended by the length of the outage
    assert Clock.objects.get(pk=custody.pk).due_at == custody.due_at  # detention never moves
    shown = text[text.index(f'id="outage-{outage.pk}"') :]
    assert case.erdr_number in shown
    assert "Decision on a motion" in shown
    assert outage.clocks_adjusted == 1
    # officials may not record outages
    assert client_of(unit.investigator).get("/deadlines/outages/").status_code == 403
    api = client_of(unit.investigator).get("/api/v1/deadlines/outages")
    assert api.status_code == 403


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200, path
    return len(ctx.captured_queries)


#: Page -> most queries it may make (session, user and the session save included).
BASELINES = {"/deadlines/": 8, "/deadlines/supervision/": 11, "/deadlines/outages/": 9}


def test_the_pages_stay_within_their_query_baselines(unit: f.Unit, case: Case) -> None:
    admin = f.user(Role.ADMINISTRATOR, unit.police)
    who = {"/deadlines/": unit.investigator, "/deadlines/supervision/": unit.prosecutor}
    clients = {p: client_of(who.get(p, admin)) for p in BASELINES}
    make_clock(case, "detention.term", unit.investigator, due_in=5 * H)
    few = {p: _queries(clients[p], p) for p in BASELINES}
    for _ in range(6):
        more = unit.case()
        make_clock(more, "detention.term", unit.investigator, due_in=-H)
        make_clock(more, "motion.decision", unit.investigator, due_in=50 * H, hours=72)
    for path, limit in BASELINES.items():
        many = _queries(clients[path], path)
        assert many == few[path], f"{path}: queries grow with rows"
        assert many <= limit, f"{path}: {many} queries"


def test_the_api_of_outages(unit: f.Unit, case: Case) -> None:
    admin = f.user(Role.ADMINISTRATOR, unit.police)
    running = make_clock(case, "motion.decision", unit.investigator, due_in=20 * H, hours=72)
    start = clock.now() - 3 * H
    end = start + 2 * H
    bad = client_of(admin).post(
        "/api/v1/deadlines/outages",
        {"started_at": end.isoformat(), "ended_at": start.isoformat(), "reason": "", "rule": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "rule" in bad.json()["fields"]
    good = client_of(admin).post(
        "/api/v1/deadlines/outages",
        {
            "started_at": start.isoformat(),
            "ended_at": end.isoformat(),
            "reason": "отказ сервера",
            "rule": "extend_by_duration",
        },
        content_type="application/json",
    )
    assert good.status_code == 201
    assert good.json()["clocks_adjusted"] == 1
    listed = client_of(admin).get("/api/v1/deadlines/outages").json()
    assert listed["items"][0]["id"] == good.json()["id"]
    before = running.due_at
    running.refresh_from_db()
    assert running.due_at == before + 2 * H
