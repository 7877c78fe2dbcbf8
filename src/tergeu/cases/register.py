"""ERDR numbers and registration of a KUI report as a case (CPC art. 179-181, 184).

ERDR number layout (15 digits), documented in docs/erdr-number.md::

    YY RR DD BB NNNNNNN
    |  |  |  |  +-- 7-digit sequence, gap-free per registering body and year
    |  |  |  +----- body number within the district (last 2 digits of the body code)
    |  |  +-------- district code
    |  +----------- region code
    +-------------- last two digits of the year of registration (Kazakhstan local time)
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import INVESTIGATING_ROLES, Organisation, OrgKind, Role, User
from tergeu.core import clock
from tergeu.core.errors import ValidationFailed
from tergeu.core.sequences import next_value
from tergeu.core.validation import Checker
from tergeu.intake.models import ReportStatus
from tergeu.intake.services import close, take_undecided
from tergeu.integrity.journal import event, record, record_all, service
from tergeu.qualification.models import Article, ArticlePart
from tergeu.qualification.services import resolve

from .models import Case, Form, Grant, GrantRole, Stage

SEQUENCE_DIGITS = 7


def erdr_number(org: Organisation, year: int) -> str:
    """Take the next ERDR number of ``org`` for ``year`` (inside the caller's transaction)."""
    seq = next_value(f"erdr:{org.code}:{year}")
    if seq >= 10**SEQUENCE_DIGITS:
        raise ValidationFailed.one(
            "organisation", _("The ERDR numbers of this body are exhausted.")
        )
    return f"{year % 100:02d}{org.code}{seq:0{SEQUENCE_DIGITS}d}"


def grant(case: Case, user: Any, role: str, by: Any) -> Grant:
    """Give ``user`` access to ``case`` in ``role`` (idempotent) and journal it."""
    existing = Grant.objects.filter(
        case=case, user=user, role=role, revoked_at__isnull=True
    ).first()
    if existing:
        return existing
    row = Grant.objects.create(
        case=case,
        user=user,
        role=role,
        granted_at=clock.now(),
        granted_by=by,
        case_registered_at=case.registered_at,
    )
    record(
        "case.access_granted",
        actor=by,
        case_id=case.pk,
        obj=row,
        data={"user": str(user.pk), "role": role},
    )
    return row


def least_loaded(candidates: Any, role: str) -> User | None:
    """The candidate with the fewest active grants in ``role`` (ties: by username)."""
    from django.db.models import Count, Q

    return (
        candidates.filter(is_active=True)
        .annotate(
            load=Count(
                "case_grants",
                filter=Q(case_grants__role=role, case_grants__revoked_at__isnull=True),
            )
        )
        .order_by("load", "username")
        .first()
    )


def supervising_prosecutor(org: Organisation) -> User | None:
    """The prosecutor of the body's supervising office with the lightest load."""
    if org.supervisor_id is None:
        return None
    staff = User.objects.filter(organisation_id=org.supervisor_id, role=Role.PROSECUTOR)
    return least_loaded(staff, GrantRole.PROSECUTOR)


def investigator_for(user: Any, check: Checker, investigator_id: Any) -> User | None:
    """Resolve the chosen investigator: an investigating officer of the registering body."""
    if not investigator_id:
        return user if user.role in INVESTIGATING_ROLES else None
    try:
        officer = User.objects.filter(pk=int(investigator_id), is_active=True).first()
    except (TypeError, ValueError):
        officer = None
    if (
        officer is None
        or officer.organisation_id != user.organisation_id
        or officer.role not in INVESTIGATING_ROLES
    ):
        check.add("investigator_id", _("Choose an investigator or inquiry officer of your body."))
        return None
    return officer


def open_case(
    *,
    actor: Any,
    org: Organisation,
    registered_at: dt.datetime,
    fabula: str,
    article: Any,
    part: Any,
    paragraph: str,
    offence_at: dt.datetime | None,
    investigator: User | None,
    report: Any = None,
    parent: Case | None = None,
    region: Any = None,
    district: Any = None,
    address: str = "",
    stage: str = Stage.REGISTERED,
    form: str = "",
) -> Case:
    """Create the case with its ERDR number and the grants of its team and prosecutor."""
    case = Case.objects.create(
        erdr_number=erdr_number(org, clock.local(registered_at).year),
        registered_at=registered_at,
        organisation=org,
        report=report,
        offence_at=offence_at,
        region=region,
        district=district,
        address=address,
        fabula=fabula,
        article=article,
        part=part,
        paragraph=paragraph,
        stage=stage,
        form=form,
        investigator=investigator,
        prosecutor=supervising_prosecutor(org),
        stage_changed_at=registered_at,
        parent=parent,
    )
    record(
        "case.registered",
        actor=actor,
        case_id=case.pk,
        obj=case,
        data={
            "erdr_number": case.erdr_number,
            "registered_at": registered_at,
            "organisation": org.code,
            "kui_number": report.kui_number if report else None,
            "offence_at": offence_at,
            "fabula": fabula,
            "article": article.pk,
            "part": part.number if part else "",
            "paragraph": paragraph,
            "parent": parent.erdr_number if parent else None,
        },
    )
    team: list[tuple[Any, str]] = []
    if investigator is not None:
        team.append((investigator, GrantRole.INVESTIGATOR))
    heads = User.objects.filter(organisation=org, role=Role.HEAD_OF_UNIT, is_active=True)
    team += [(head, GrantRole.HEAD) for head in heads]
    if case.prosecutor is not None:
        team.append((case.prosecutor, GrantRole.PROSECUTOR))
    if actor is not None and actor != investigator and actor.role != Role.HEAD_OF_UNIT:
        team.append((actor, GrantRole.REGISTRAR))
    grant_new_case(case, team, actor)
    return case


def grant_new_case(case: Case, team: list[tuple[Any, str]], by: Any) -> list[Grant]:
    """The grants of a case just created (it has none yet), written and journaled at once.

    The same as calling :func:`grant` for each, in two statements instead of three each.
    """
    now = clock.now()
    seen: set[tuple[Any, str]] = set()
    rows = []
    for user, role in team:
        if (user.pk, role) not in seen:
            seen.add((user.pk, role))
            rows.append(
                Grant(
                    case=case,
                    user=user,
                    role=role,
                    granted_at=now,
                    granted_by=by,
                    case_registered_at=case.registered_at,
                )
            )
    rows = Grant.objects.bulk_create(rows)
    record_all(
        [
            event(
                "case.access_granted",
                actor=by,
                case_id=case.pk,
                obj=row,
                data={"user": str(row.user_id), "role": row.role},
            )
            for row in rows
        ]
    )
    return rows


@service
def register_report(
    user: Any,
    report_id: uuid.UUID | str,
    *,
    article: str,
    part: str = "",
    paragraph: str = "",
    fabula: str = "",
    offence_at: dt.datetime | None = None,
    investigator_id: Any = None,
    form: str = "",
    allocation_reason: str = "",
) -> Case:
    """Register a KUI report in ERDR: a case with a gap-free ERDR number (CPC art. 179-181).

    With ``form`` the case is at once accepted for proceedings in that form of
    investigation; without it the case waits in stage 'registered'. The officer is
    proposed by :mod:`tergeu.allocation` (no ``investigator_id``: the proposed one gets
    the case; another one needs ``allocation_reason``); both are journaled.
    """
    from tergeu.allocation.services import allocate, journal_allocation  # app above cases

    report = take_undecided(user, report_id)
    check = Checker()
    art: Article | None = None
    art_part: ArticlePart | None = None
    para = ""
    try:
        art, art_part, para = resolve(article, part or None, paragraph or None)
    except ValidationFailed as exc:
        check.errors.update(exc.fields)
    fabula = (fabula or report.description).strip()
    check.required("fabula", fabula)
    check.max_length("fabula", fabula, 20_000)
    if form:
        check.choice("form", form, Form.choices)
    now = clock.now()
    offence_at = offence_at or report.offence_at
    if offence_at is not None and offence_at > now:
        check.add("offence_at", _("The offence cannot be later than its registration."))
    allocation = allocate(
        user,
        check,
        report.organisation,
        article=art,
        part=art_part,
        form=form if form in Form.values else "",
        investigator_id=investigator_id,
        reason=allocation_reason,
        report=report,
    )
    officer = allocation.officer
    check.done()
    case = open_case(
        actor=user,
        org=report.organisation,
        registered_at=now,
        fabula=fabula,
        article=art,
        part=art_part,
        paragraph=para,
        offence_at=offence_at,
        investigator=officer,
        report=report,
        region=report.region,
        district=report.district,
        address=report.address,
        stage=Stage.INVESTIGATION if form else Stage.REGISTERED,
        form=form,
    )
    journal_allocation(user, case, allocation)
    close(
        user,
        report,
        ReportStatus.REGISTERED,
        "",
    )
    return case


def court_for(case: Case) -> Organisation | None:
    """The court of the case's district, else of its region (territorial jurisdiction)."""
    courts = Organisation.objects.filter(kind=OrgKind.COURT)
    district_id = case.district_id or case.organisation.district_id
    region_id = case.region_id or case.organisation.region_id
    return (courts.filter(district_id=district_id).first() if district_id else None) or (
        courts.filter(region_id=region_id).order_by("code").first()
    )
