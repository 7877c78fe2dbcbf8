"""``tergeu demo``: seed the demo data, deterministically and only once.

Two regions (75 Almaty, 71 Astana), their bodies, one account per role and ``cases``
registered cases in every stage, plus reports decided otherwise. Reference data
(regions, bodies, accounts) is written directly and journaled; every report, case,
stage move and participant goes through the services at a chosen moment in the past
(:func:`tergeu.core.clock.frozen`), so the journal tells the same story as the tables.

The same ``cases`` always gives the same data: one :class:`random.Random` with a fixed
seed, and every time relative to :data:`~tergeu.demo.plan.DEMO_NOW`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from django.db import transaction

from tergeu.accounts.models import Organisation, User
from tergeu.cases.models import Case, Grant, GrantRole, Participant, ParticipantStatus
from tergeu.cases.services import add_participant, move, register_report, update_participant
from tergeu.core import clock
from tergeu.intake import services as intake
from tergeu.intake.models import Report
from tergeu.integrity.models import Event

from . import crimes
from .plan import DEMO_NOW, REFERENCE_AT, Plan, Step, make_plans, schedule
from .reference import DEMO_PASSWORD, USERNAMES, accounts, body_names, create_reference, org_code

__all__ = ["DEMO_PASSWORD", "fingerprint", "is_seeded", "seed"]

#: The seed of the random generator: change it and the demo tells other stories.
RANDOM_SEED = 20260226


def is_seeded() -> bool:
    """Whether the demo accounts already exist (then :func:`seed` writes nothing)."""
    return User.objects.filter(username__in=USERNAMES).exists()


def seed(cases: int = 300) -> list[tuple[str, str, str]]:
    """Seed the demo data unless it is there; return (username, role, organisation) rows.

    Idempotent: if any demo account exists, nothing is written and the accounts are
    returned as they are. All of it is one transaction: a failure leaves no half demo.
    """
    if is_seeded():
        return accounts()
    rng = random.Random(RANDOM_SEED)
    with transaction.atomic():
        with clock.frozen(REFERENCE_AT):
            create_reference()
        Runner().run(make_plans(rng, cases))
        with clock.frozen(DEMO_NOW):
            duty_roster()
    return accounts()


#: Bar head -> the lawyers they put on duty for the demo's month (legal aid, CPC art. 67).
DUTY = {"bar_head": ("defender", "defender_duty"), "bar_head2": ("defender2",)}


def duty_roster() -> None:
    """Duty lawyers around the clock from the demo's "now" for 30 days, so that "appoint a
    defender" reaches someone."""
    from tergeu.legalaid.roster import add_slot

    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    for head, lawyers in DUTY.items():
        for lawyer in lawyers:
            add_slot(
                users[head],
                lawyer_id=users[lawyer].pk,
                starts_at=DEMO_NOW - dt.timedelta(hours=1),
                ends_at=DEMO_NOW + dt.timedelta(days=30),
                capacity=3,
            )


class Runner:
    """Runs the planned steps through the services, each at its own moment."""

    def __init__(self) -> None:
        self.users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}

    def run(self, plans: list[Plan]) -> None:
        """Run every step of every plan in time order."""
        for at, _n, _i, plan, step in schedule(plans):
            with clock.frozen(at):
                self.do(plan, step)

    def do(self, plan: Plan, step: Step) -> None:
        """Run one step: the action names a method, a KUI decision or a stage move."""
        handler = getattr(self, f"_{step.action}", None)
        if handler is not None:
            handler(plan, step)
        else:
            self._move(plan, step)

    def _record(self, plan: Plan, step: Step) -> None:
        a = plan.applicant
        plan.report = intake.record_report(
            self.users[plan.registrar],
            source=plan.source,
            description=plan.description,
            applicant_name=plan.applicant_label,
            applicant_iin=a.iin if a else "",
            applicant_phone=a.phone if a else "",
            applicant_language=a.language if a else "ru",
            offence_at=plan.offence_at,
            region_code=plan.region.code,
            district_code=plan.district,
            address=plan.address,
        )

    def _incident(self, plan: Plan, step: Step) -> None:
        reason = random.Random(plan.n).choice(crimes.INCIDENT_REASONS)
        intake.move_to_incident(self.users[plan.registrar], plan.report.pk, reason=reason)

    def _administrative(self, plan: Plan, step: Step) -> None:
        intake.send_administrative(
            self.users[plan.registrar], plan.report.pk, reason=crimes.ADMINISTRATIVE_REASON
        )

    def _referred(self, plan: Plan, step: Step) -> None:
        body = plan.scenario.body
        _kk, ru, _en = body_names(body, plan.region)
        intake.refer(
            self.users[plan.registrar],
            plan.report.pk,
            reason=crimes.REFERRAL_REASON.format(body=ru),
            to_organisation_code=org_code(plan.region.code, body),
        )

    def _register(self, plan: Plan, step: Step) -> None:
        registrar, officer = self.users[plan.registrar], self.users[plan.officer]
        s = plan.scenario
        plan.case = register_report(
            registrar,
            plan.report.pk,
            article=s.article,
            part=s.part,
            paragraph=s.paragraph,
            investigator_id=officer.pk,
            form=step.args["form"],
            allocation_reason="" if officer == registrar else "Demo plan: the unit's roster.",
        )

    def _accept(self, plan: Plan, step: Step) -> None:
        plan.case = move(self.users[plan.officer], plan.case.pk, "accept", form=step.args["form"])

    def _add(self, plan: Plan, step: Step, case: Case | None = None) -> None:
        status = step.args["status"]
        data = step.args["person"].participant(status)
        person = add_participant(self.users[plan.officer], (case or plan.case).pk, **data)
        if status == ParticipantStatus.SUSPECT and case is None:
            plan.suspect_id = person.pk

    def _accuse(self, plan: Plan, step: Step) -> None:
        update_participant(
            self.users[plan.officer], plan.suspect_id, status=ParticipantStatus.ACCUSED
        )

    def _actor(self, plan: Plan, transition: str) -> Any:
        """Who makes a stage move: the investigator, the prosecutor, the judge or the head."""
        if transition in ("reopen", "return_for_investigation", "send_to_court"):
            return plan.case.prosecutor
        if transition in ("return_to_prosecutor", "deliver_verdict", "begin_execution"):
            grant = Grant.objects.filter(
                case=plan.case, role=GrantRole.COURT, revoked_at__isnull=True
            ).select_related("user")
            return grant.get().user
        if transition == "archive":
            return self.users[plan.head]
        return self.users[plan.officer]

    def _move(self, plan: Plan, step: Step) -> None:
        args = dict(step.args)
        accomplice = args.pop("accomplice", None)
        if step.action == "join":
            assert plan.target is not None
            args["target_case"] = plan.target.case.erdr_number
        plan.case = move(self._actor(plan, step.action), plan.case.pk, step.action, **args)
        if accomplice is not None:
            new = Case.objects.filter(parent=plan.case).order_by("-registered_at").first()
            assert new is not None
            self._add(plan, Step(step.at, "add", {"person": accomplice, "status": "suspect"}), new)


def fingerprint() -> str:
    """A SHA-256 over the demo's data that does not depend on ids or the time it ran.

    Two seedings with the same ``cases`` have the same fingerprint; tests use it.
    """
    h = hashlib.sha256()

    def feed(rows: Any) -> None:
        for row in rows:
            h.update(repr(tuple(row)).encode())
        h.update(b"|")

    feed(Organisation.objects.order_by("code").values_list("code", "kind", "name_ru"))
    feed(User.objects.order_by("username").values_list("username", "role", "iin", "language"))
    feed(
        Report.objects.order_by("kui_number").values_list(
            "kui_number", "received_at", "status", "source", "description", "applicant_iin"
        )
    )
    feed(
        Case.objects.order_by("erdr_number").values_list(
            "erdr_number",
            "registered_at",
            "stage",
            "stage_changed_at",
            "stage_ground",
            "form",
            "article_id",
            "part__number",
            "paragraph",
            "investigator__username",
            "prosecutor__username",
            "parent__erdr_number",
            "joined_into__erdr_number",
            "report__kui_number",
            "version",
        )
    )
    feed(
        Participant.objects.order_by("case__erdr_number", "status", "iin", "last_name").values_list(
            "case__erdr_number", "status", "last_name", "first_name", "iin", "phone"
        )
    )
    feed(
        Grant.objects.order_by("case__erdr_number", "user__username", "role").values_list(
            "case__erdr_number", "user__username", "role"
        )
    )
    feed(Event.objects.order_by("seq").values_list("action", "occurred_at"))
    return h.hexdigest()
