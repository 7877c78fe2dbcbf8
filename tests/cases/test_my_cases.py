"""'My cases' paged from the grants: every grant carries its case's registration time, and
the list (count, order, pages) is the same as the cases' own order, with and without filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import F

from tergeu.accounts import admin_services as svc
from tergeu.accounts.models import Role, User
from tergeu.cases.models import Case, Grant, GrantRole
from tergeu.cases.services import assign_investigator, cases_page, move, search_cases
from tergeu.core import clock
from tergeu.core.iin import make_iin
from tergeu.core.pagination import paginate
from tests import factories as f

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def _cases(unit: f.Unit, n: int, *, same_time: bool = False, **fields: Any) -> list[Case]:
    made = []
    for i in range(n):
        at = START if same_time else START + dt.timedelta(hours=i)
        with clock.frozen(at):
            made.append(unit.case(**fields))
    return made


def _all_pages(user: Any, size: int, **filters: Any) -> tuple[list[Any], set[int]]:
    first = cases_page(user, 1, size, **filters)
    items = list(first.items)
    totals = {first.total}
    for number in range(2, first.pages + 1):
        page = cases_page(user, number, size, **filters)
        assert page.page == number
        totals.add(page.total)
        items += page.items
    return [c.pk for c in items], totals


def _expected(user: Any, **filters: Any) -> list[Any]:
    """The list as the cases' own columns order it (the semi-join of search_cases)."""
    return [c.pk for c in paginate(search_cases(user, **filters), 1, 200).items]


def _unfilled() -> int:
    return Grant.objects.exclude(case_registered_at=F("case__registered_at")).count()


def test_every_way_of_granting_copies_the_registration_time(unit: f.Unit) -> None:
    admin = f.user(Role.ADMINISTRATOR)
    # registration: investigator, head, prosecutor and the registering duty officer
    case, other = _cases(unit, 2)
    assert set(case.grants.values_list("role", flat=True)) == {
        GrantRole.INVESTIGATOR,
        GrantRole.HEAD,
        GrantRole.PROSECUTOR,
        GrantRole.REGISTRAR,
    }
    # a split copies the team's grants onto the new case, registered later
    with clock.frozen(START + dt.timedelta(days=3)):
        move(unit.investigator, case.pk, "split", reason="Эпизод в отношении второго лица")
    split = Case.objects.get(parent=case)
    assert split.registered_at != case.registered_at
    assert split.grants.count() == case.grants.count()
    # the head gives the case to another officer
    assign_investigator(unit.head, other.pk, investigator_id=unit.inquiry_officer.pk)
    # the court gets the case
    move(unit.inquiry_officer, other.pk, "send_to_prosecutor")
    move(unit.prosecutor, other.pk, "send_to_court")
    assert other.grants.filter(role=GrantRole.COURT).exists()
    # a head appointed later gets the open cases in bulk
    head = svc.create_user(
        admin,
        username="newhead",
        last_name="Жаңабаев",
        first_name="Серік",
        iin=make_iin(dt.date(1979, 5, 5), True, 777),
        role=Role.HEAD_OF_UNIT,
        organisation_code=unit.police.code,
        password="Qazaq-ELi-2026!",
    )
    assert Grant.objects.filter(user=head).count() == 3
    # a grant written directly (fixtures, tests) is filled by save()
    lawyer = f.user(Role.DEFENDER)
    direct = Grant.objects.create(
        case_id=case.pk, user=lawyer, role=GrantRole.DEFENDER, granted_at=clock.now()
    )
    assert direct.case_registered_at == case.registered_at
    assert Grant.objects.count() > 15
    assert _unfilled() == 0


def test_newest_first_in_pages_without_revoked_grants_or_duplicates(unit: f.Unit) -> None:
    cases = _cases(unit, 7) + _cases(unit, 3, same_time=True)  # ties broken by id
    # a second grant to the same case for the same person (another role): listed once
    Grant.objects.create(
        case=cases[2], user=unit.investigator, role=GrantRole.TEAM, granted_at=clock.now()
    )
    # the investigator loses one case to another officer: its grant is revoked
    assign_investigator(unit.head, cases[4].pk, investigator_id=unit.inquiry_officer.pk)
    inv = unit.investigator
    expected = sorted(
        (c for c in cases if c != cases[4]), key=lambda c: (c.registered_at, c.pk), reverse=True
    )
    for size in (1, 3, 4, 50):
        keys, totals = _all_pages(inv, size)
        assert keys == [c.pk for c in expected], size
        assert totals == {9}
    assert keys == _expected(inv)
    assert [c.pk for c in cases_page(unit.inquiry_officer, 1, 50).items] == [cases[4].pk]
    assert [c.pk for c in cases_page(unit.head, 1, 50).items] == _expected(unit.head)
    assert cases_page(unit.head, 1, 50).total == 10
    # past the end: the last page, as paginate() answers
    last = cases_page(inv, 99, 4)
    assert (last.page, [c.pk for c in last.items]) == (3, [expected[-1].pk])
    # the rows come with what the list shows, without a query per row
    page = cases_page(inv, 1, 50)
    assert page.items[0].article.title
    assert page.items[0].organisation.code


def test_nothing_for_a_stranger_or_an_anonymous_user(unit: f.Unit) -> None:
    _cases(unit, 2)
    stranger = f.Unit(district_code="02").investigator
    page = cases_page(stranger, 1, 50)
    assert (page.items, page.total, page.page) == ([], 0, 1)
    from django.contrib.auth.models import AnonymousUser

    assert cases_page(AnonymousUser(), 1, 50).total == 0


def test_filters_page_from_the_cases_and_agree_with_the_unfiltered_list(unit: f.Unit) -> None:
    cases = _cases(unit, 4) + _cases(unit, 2, article="190", part="1")
    Grant.objects.create(
        case=cases[5], user=unit.investigator, role=GrantRole.TEAM, granted_at=clock.now()
    )
    move(unit.investigator, cases[1].pk, "interrupt", ground="45.7.1")
    inv = unit.investigator
    keys, totals = _all_pages(inv, 2, article="190")
    assert keys == [cases[5].pk, cases[4].pk]
    assert totals == {2}
    keys, totals = _all_pages(inv, 2, stage="interrupted")
    assert keys == [cases[1].pk]
    assert totals == {1}
    keys, _totals = _all_pages(inv, 2, q=cases[0].erdr_number)
    assert keys == [cases[0].pk]
    day = clock.local(START).date()
    keys, totals = _all_pages(inv, 4, date_from=day, date_to=day)
    assert keys == _expected(inv, date_from=day, date_to=day)
    assert totals == {6}
    # blank filters are no filters: the grants' path, same answer
    assert _all_pages(inv, 4, q="  ", stage="", article="")[0] == _expected(inv)


def test_the_list_costs_a_fixed_number_of_queries(
    unit: f.Unit, django_assert_max_num_queries: Any
) -> None:
    _cases(unit, 12)
    user: User = unit.head
    with django_assert_max_num_queries(3):
        page = cases_page(user, 2, 5)
        [(c.article.title, c.organisation.code, c.investigator) for c in page.items]
