"""The demo seeder: deterministic, idempotent, every stage and role, need-to-know kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from tergeu.accounts.models import Role, User
from tergeu.cases.access import visible_cases
from tergeu.cases.models import Case, Participant, Stage
from tergeu.cases.services import history
from tergeu.core import clock
from tergeu.core.errors import NotFound
from tergeu.core.iin import iin_error
from tergeu.demo.crimes import SCENARIOS
from tergeu.demo.plan import DEMO_NOW
from tergeu.demo.seed import DEMO_PASSWORD, fingerprint, is_seeded, seed
from tergeu.intake.models import Report, ReportStatus
from tergeu.integrity.models import Event
from tergeu.legalaid.models import DutySlot, Offer
from tergeu.legalaid.services import appoint_defender
from tergeu.qualification.services import resolve

pytestmark = pytest.mark.django_db


def test_seeding_twice_changes_nothing_and_a_fresh_seeding_is_the_same() -> None:
    with transaction.atomic():
        accounts = seed(cases=40)
        first = fingerprint()
        numbers = list(Case.objects.order_by("erdr_number").values_list("erdr_number", flat=True))
        events = Event.objects.count()
        assert Report.objects.filter(status=ReportStatus.REGISTERED).count() == 40
        assert seed(cases=40) == accounts
        assert seed(cases=300) == accounts  # existing demo data is never added to
        assert (fingerprint(), Event.objects.count()) == (first, events)
        transaction.set_rollback(True)  # as if on a fresh database
    assert not is_seeded()
    assert seed(cases=40) == accounts
    assert fingerprint() == first
    assert list(Case.objects.order_by("erdr_number").values_list("erdr_number", flat=True)) == (
        numbers
    )


def test_every_stage_every_role_and_another_region_sees_nothing() -> None:
    accounts = seed(cases=60)

    assert set(Case.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Report.objects.values_list("status", flat=True)) == set(ReportStatus.values)
    assert not Case.objects.filter(registered_at__gte=DEMO_NOW).exists()
    assert Case.objects.filter(parent__isnull=False).exists()  # a split
    assert Case.objects.filter(region_id="71").exists()

    users = User.objects.filter(username__in=[a[0] for a in accounts])
    assert set(users.values_list("role", flat=True)) == set(Role.values)
    assert set(users.values_list("language", flat=True)) == {"kk", "ru", "en"}
    assert all(iin_error(iin) is None for iin in users.values_list("iin", flat=True))
    admin = users.get(role=Role.ADMINISTRATOR)
    assert admin.is_staff
    assert admin.is_superuser
    assert users.get(username="investigator").check_password(DEMO_PASSWORD)

    mine = visible_cases(users.get(username="investigator2"))
    theirs = visible_cases(users.get(username="investigator"))
    assert mine.exists()
    assert theirs.exists()
    assert set(mine.values_list("organisation__region_id", flat=True)) == {"71"}
    assert not mine.filter(pk__in=theirs.values("pk")).exists()
    with pytest.raises(NotFound):
        history(users.get(username="investigator2"), theirs.first().pk)  # type: ignore[union-attr]


def test_every_demo_qualification_exists_in_the_code() -> None:
    for s in SCENARIOS:
        article, part, paragraph = resolve(s.article, s.part or None, s.paragraph or None)
        assert (article.number, part.number if part else "", paragraph) == (
            s.article,
            s.part,
            s.paragraph,
        )


def test_tergeu_demo_no_serve_prints_the_accounts(capsys: pytest.CaptureFixture[str]) -> None:
    from tergeu.cli import main

    assert main(["demo", "--no-serve", "--cases", "16"]) == 0
    out = capsys.readouterr().out
    assert f"password for all: {DEMO_PASSWORD}" in out
    assert "investigator2" in out
    assert "Administrator" in out
    assert "http://" not in out


def test_the_demo_has_duty_lawyers_who_get_an_offer() -> None:
    """Legal aid works in the demo: the bars' duty lawyers are on the roster from its "now"."""
    seed(cases=40)
    on_duty = DutySlot.objects.filter(starts_at__lte=DEMO_NOW, ends_at__gt=DEMO_NOW)
    assert sorted(on_duty.values_list("lawyer__username", flat=True)) == [
        "defender",
        "defender2",
        "defender_duty",
    ]
    suspect = Participant.objects.filter(
        status="suspect", case__region_id="75", case__stage="investigation"
    ).first()
    assert suspect is not None
    investigator = suspect.case.investigator
    with clock.frozen(DEMO_NOW + dt.timedelta(minutes=5)):
        appointment = appoint_defender(investigator, suspect.case_id, suspect.pk)
    offer = Offer.objects.get(appointment=appointment)
    assert offer.lawyer.username in {"defender", "defender_duty"}
