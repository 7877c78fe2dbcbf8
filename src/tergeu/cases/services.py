"""Services of the electronic case: stage moves, investigator, qualification, participants.

Every function here that changes state runs in one transaction through
:func:`tergeu.integrity.journal.service` and journals what it did. Registration of a
report is in :mod:`tergeu.cases.register` and re-exported here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import INVESTIGATING_ROLES, Role, User
from tergeu.core import clock
from tergeu.core.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from tergeu.core.pagination import MAX_PAGE_SIZE, Page, paginate
from tergeu.core.validation import Checker
from tergeu.integrity.journal import deny, record, service
from tergeu.integrity.models import Event
from tergeu.qualification.services import resolve

from . import procedure
from .access import Perm, active_grants, get_case, perms_of, require, visible_cases
from .models import Case, Form, Grant, GrantRole, Participant, ParticipantStatus, Stage
from .register import court_for, grant, investigator_for, least_loaded, open_case, register_report
from .stages import TRANSITIONS, Transition, allowed_from

__all__ = [
    "add_participant",
    "assign_investigator",
    "assignable_officers",
    "available_transitions",
    "cases_page",
    "history",
    "move",
    "register_report",
    "remove_participant",
    "requalify",
    "search_cases",
    "update_participant",
]


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and int(version) != case.version:
        raise Conflict(_("The case was changed by someone else meanwhile; reload and try again."))


def _bump(case: Case, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(case, name, value)
    case.version += 1
    case.save()


def assignable_officers(user: Any) -> QuerySet[User]:
    """Investigators and inquiry officers of the user's body."""
    return User.objects.filter(
        organisation_id=user.organisation_id, role__in=INVESTIGATING_ROLES, is_active=True
    ).order_by("last_name", "first_name")


@service
def assign_investigator(user: Any, case_key: uuid.UUID | str, *, investigator_id: Any) -> Case:
    """The head of unit gives the case to another investigator (the old grant is revoked)."""
    case = get_case(user, case_key, Perm.MANAGE, lock=True)
    check = Checker()
    officer = investigator_for(case.investigator or user, check, investigator_id)
    if officer is None and not check.errors:
        check.add("investigator_id", _("Choose an investigator or inquiry officer of your body."))
    check.done()
    assert officer is not None
    previous = case.investigator
    if previous == officer:
        return case
    if previous is not None:
        Grant.objects.filter(
            case=case, user=previous, role=GrantRole.INVESTIGATOR, revoked_at__isnull=True
        ).update(revoked_at=clock.now())
    _bump(case, investigator=officer)
    grant(case, officer, GrantRole.INVESTIGATOR, user)
    record(
        "case.investigator_assigned",
        actor=user,
        case_id=case.pk,
        obj=case,
        data={"from": str(previous.pk) if previous else None, "to": str(officer.pk)},
    )
    return case


def available_transitions(
    user: Any, case: Case, perms: frozenset[Perm] | None = None
) -> list[Transition]:
    """Moves the user may make now from the case's stage (``perms``: already known ones)."""
    if perms is None:
        perms = perms_of(user, case)
    return [t for t in allowed_from(case.stage) if t.perm in perms]


def _ground(check: Checker, t: Transition, ground: str) -> str:
    if not t.grounds:
        return ""
    match = next((g for g in t.grounds if g.code == ground), None)
    if match is None:
        check.add("ground", _("Choose the legal ground (%(rule)s).") % {"rule": t.rule})
        return ""
    return match.code


@service
def move(
    user: Any,
    case_key: uuid.UUID | str,
    transition: str,
    *,
    ground: str = "",
    reason: str = "",
    form: str = "",
    target_case: str = "",
    version: int | None = None,
) -> Case:
    """Move the case to another stage, if the stage machine and the user's grants allow it."""
    t = TRANSITIONS.get(transition)
    if t is None:
        raise ValidationFailed.one("transition", _("Unknown procedural action."))
    case = get_case(user, case_key, t.perm, lock=True)
    _check_version(case, version)
    if case.stage not in t.sources:
        raise RuleViolation(
            _("'%(action)s' is not possible while the case is '%(stage)s'."),
            rule=t.rule,
            action=t.label,
            stage=case.get_stage_display(),
        )
    check = Checker()
    code = _ground(check, t, ground)
    if t.needs_reason:
        check.required("reason", reason)
    check.max_length("reason", reason, 5000)
    if t.needs_form:
        check.choice("form", form, Form.choices)
    target: Case | None = None
    if t.needs_target_case:
        target = _join_target(user, case, target_case, check)
    check.done()

    previous = case.stage
    changes: dict[str, Any] = {
        "stage": t.target,
        "stage_changed_at": clock.now(),
        "stage_ground": code or reason.strip()[:200],
    }
    if t.needs_form:
        changes["form"] = form
    if target is not None:
        changes["joined_into"] = target
    new_case = _split(user, case, reason) if t.name == "split" else None
    _bump(case, **changes)
    record(
        f"case.{t.name}",
        actor=user,
        case_id=case.pk,
        obj=case,
        data={
            "from": previous,
            "to": t.target,
            "ground": code,
            "reason": reason.strip(),
            "form": form,
            "rule": t.rule,
            "target_case": target.erdr_number if target else None,
            "new_case": new_case.erdr_number if new_case else None,
        },
    )
    if t.name == "send_to_court":
        _grant_court(user, case)
    return case


def _join_target(user: Any, case: Case, key: str, check: Checker) -> Case | None:
    if not key:
        check.add("target_case", _("Give the ERDR number of the case to join to."))
        return None
    target = visible_cases(user).filter(erdr_number=key.strip()).first()
    if target is None or Perm.WORK not in perms_of(user, target):
        check.add("target_case", _("No case with this ERDR number among your cases."))
        return None
    if target.pk == case.pk:
        check.add("target_case", _("A case cannot be joined to itself."))
    elif target.stage not in (Stage.INVESTIGATION, Stage.INTERRUPTED):
        check.add("target_case", _("The other case is not under investigation."))
    return target


def _split(user: Any, case: Case, reason: str) -> Case:
    """CPC art. 44: a new case split off from ``case``, with its own ERDR number and team."""
    new = open_case(
        actor=user,
        org=case.organisation,
        registered_at=clock.now(),
        fabula=case.fabula,
        article=case.article,
        part=case.part,
        paragraph=case.paragraph,
        offence_at=case.offence_at,
        investigator=case.investigator,
        parent=case,
        region=case.region,
        district=case.district,
        address=case.address,
        stage=Stage.INVESTIGATION,
        form=case.form,
    )
    for row in Grant.objects.filter(case=case, revoked_at__isnull=True).select_related("user"):
        grant(new, row.user, row.role, user)
    return new


def _grant_court(user: Any, case: Case) -> None:
    court = court_for(case)
    if court is None:
        raise RuleViolation(
            _("No court has jurisdiction over this case's territory."), rule="CPC art. 291-293"
        )
    judges = User.objects.filter(organisation=court, role=Role.JUDGE)
    judge = least_loaded(judges, GrantRole.COURT)
    if judge is None:
        raise RuleViolation(
            _("The court %(court)s has no judge to receive the case."),
            rule="CPC art. 319",
            court=court.name,
        )
    grant(case, judge, GrantRole.COURT, user)


@service
def requalify(
    user: Any,
    case_key: uuid.UUID | str,
    *,
    article: str,
    part: str = "",
    paragraph: str = "",
    reason: str,
) -> Case:
    """Change the qualification of the case (resolution on qualification)."""
    case = get_case(user, case_key, Perm.WORK, lock=True)
    if case.stage not in (Stage.REGISTERED, Stage.INVESTIGATION):
        raise RuleViolation(
            _("The qualification can change only during the investigation."), rule="CPC art. 203"
        )
    check = Checker()
    check.required("reason", reason)
    try:
        art, art_part, para = resolve(article, part or None, paragraph or None)
    except ValidationFailed as exc:
        check.errors.update(exc.fields)
    check.done()
    before = case.qualification
    _bump(case, article=art, part=art_part, paragraph=para)
    record(
        "case.requalified",
        actor=user,
        case_id=case.pk,
        obj=case,
        data={"from": before, "to": case.qualification, "reason": reason.strip()},
    )
    return case


_PARTICIPANT_FIELDS = {
    "status",
    "last_name",
    "first_name",
    "patronymic",
    "iin",
    "birth_date",
    "phone",
    "email",
    "address",
    "language",
}


def _check_participant(data: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    check = Checker()
    unknown = set(data) - _PARTICIPANT_FIELDS
    for name in sorted(unknown):
        check.add(name, _("Unknown field."))
    if not partial or "status" in data:
        check.choice("status", data.get("status", ""), ParticipantStatus.choices)
    for name in ("last_name", "first_name"):
        if not partial or name in data:
            check.required(name, data.get(name))
    for name, limit in (
        ("last_name", 150),
        ("first_name", 150),
        ("patronymic", 150),
        ("address", 500),
        ("email", 254),
    ):
        check.max_length(name, data.get(name) or "", limit)
    check.iin("iin", data.get("iin") or "")
    check.email("email", data.get("email") or "")
    if "phone" in data:
        data["phone"] = check.phone("phone", data.get("phone") or "")
    if "language" in data:
        check.choice("language", data["language"], [("kk", 0), ("ru", 0), ("en", 0)])
    born = data.get("birth_date")
    if isinstance(born, str) and born:
        try:
            born = data["birth_date"] = dt.date.fromisoformat(born)
        except ValueError:
            check.add("birth_date", _("Enter a date like 1990-05-31."))
            born = None
    if isinstance(born, dt.date) and born > clock.local(clock.now()).date():
        check.add("birth_date", _("The date of birth is in the future."))
    check.done()
    for name in ("last_name", "first_name", "patronymic", "address"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    if data.get("birth_date") == "":
        data["birth_date"] = None
    return data


@service
def add_participant(user: Any, case_key: uuid.UUID | str, **data: Any) -> Participant:
    """Add a person to the case with a procedural status and contact data."""
    case = get_case(user, case_key, Perm.WORK, lock=True)
    data = _check_participant(dict(data))
    if (
        data.get("iin")
        and case.participants.filter(
            iin=data["iin"], status=data["status"], removed_at__isnull=True
        ).exists()
    ):
        raise Conflict(_("This person is already in the case with this status."))
    person = Participant.objects.create(case=case, added_by=user, **data)
    record(
        "participant.added",
        actor=user,
        case_id=case.pk,
        obj=person,
        data=data,
    )
    return person


def _participant(user: Any, participant_id: uuid.UUID | str) -> Participant:
    try:
        person = (
            Participant.objects.select_related("case")
            .filter(pk=uuid.UUID(str(participant_id)), removed_at__isnull=True)
            .first()
        )
    except ValueError:
        person = None
    if person is None:
        raise deny(NotFound(), user, "participant.view", None, str(participant_id)[:40])
    require(user, person.case, Perm.WORK)
    return person


@service
def update_participant(user: Any, participant_id: uuid.UUID | str, **fields: Any) -> Participant:
    """Change a participant's data or status."""
    person = _participant(user, participant_id)
    data = _check_participant(dict(fields), partial=True)
    if data.get("status", person.status) != person.status:
        _order("participant.status_changed", person, status=data["status"])
    before = {k: getattr(person, k) for k in data}
    for name, value in data.items():
        setattr(person, name, value)
    person.save()
    record(
        "participant.updated",
        actor=user,
        case_id=person.case_id,
        obj=person,
        data={"before": before, "after": data},
    )
    return person


def _order(event: str, person: Participant, status: str = "") -> None:
    """Refuse ``event`` if it contradicts the order of events (:mod:`.procedure`)."""
    facts = procedure.Facts(
        case=person.case,
        participant=person,
        detention=procedure.current_detention(person),
        status=status,
    )
    procedure.check(event, facts)


@service
def remove_participant(user: Any, participant_id: uuid.UUID | str, *, reason: str) -> Participant:
    """Take a person out of the case (the row stays, marked removed, for the history)."""
    person = _participant(user, participant_id)
    check = Checker()
    check.required("reason", reason)
    check.done()
    _order("participant.removed", person)
    person.removed_at = clock.now()
    person.save(update_fields=["removed_at", "updated_at"])
    record(
        "participant.removed",
        actor=user,
        case_id=person.case_id,
        obj=person,
        data={"reason": reason.strip()},
    )
    return person


def history(user: Any, case_key: uuid.UUID | str) -> list[Event]:
    """The journal events of a case, oldest first."""
    case = get_case(user, case_key, Perm.VIEW)
    return list(Event.objects.filter(case_id=case.pk).select_related("actor").order_by("seq"))


#: What a list of cases shows besides the case row.
_LIST_RELATED = ("article", "part", "investigator", "organisation")


def search_cases(
    user: Any,
    *,
    q: str = "",
    stage: str = "",
    article: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Case]:
    """The user's cases filtered by text (ERDR number, article, person, IIN, fabula) and fields."""
    qs = visible_cases(user).select_related(*_LIST_RELATED)
    q = q.strip()
    if q:
        if q.isdigit() and len(q) == 12:
            qs = qs.filter(participants__iin=q)
        elif q.isdigit():
            qs = qs.filter(Q(erdr_number__startswith=q) | Q(article_id=q))
        else:
            words = q.split()
            for word in words[:5]:
                qs = qs.filter(
                    Q(participants__last_name__icontains=word)
                    | Q(participants__first_name__icontains=word)
                    | Q(fabula__icontains=word)
                )
        qs = qs.distinct()
    if stage:
        qs = qs.filter(stage=stage)
    if article:
        qs = qs.filter(article_id=article.strip())
    if date_from:
        qs = qs.filter(registered_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(registered_at__date__lte=date_to)
    return qs.order_by("-registered_at", "-id")


def cases_page(user: Any, page: int = 1, size: int = 50, **filters: Any) -> Page[Case]:
    """One page of the user's cases, newest first: the list of "My cases" and of the API.

    With no filter but the user, the page is read from the user's active grants, which
    carry their case's registration time and are indexed (user, newest first): the count
    and the page's keys come from that index alone, then the page's 50 cases are fetched
    by key. Its cost does not grow with the number of cases the user can see
    (docs/performance.md). A case the user holds several grants on is listed once. With
    filters the cases' own columns decide, so :func:`search_cases` pages as before.
    """
    if any(v.strip() if isinstance(v, str) else v for v in filters.values()):
        return paginate(search_cases(user, **filters), page, size)
    if user is None or not user.is_authenticated:
        return paginate(Case.objects.none(), page, size)
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    grants = active_grants(user)
    total = grants.aggregate(n=Count("case_id", distinct=True))["n"]
    pages = max(1, -(-total // size))
    page = max(1, min(int(page), pages))
    start = (page - 1) * size
    if not total:
        return Page(items=[], page=page, size=size, total=0)
    keys = [
        case_id
        for _at, case_id in grants.order_by("-case_registered_at", "-case_id")
        .values_list("case_registered_at", "case_id")
        .distinct()[start : start + size]
    ]
    rows = Case.objects.select_related(*_LIST_RELATED).in_bulk(keys)
    return Page(items=[rows[k] for k in keys if k in rows], page=page, size=size, total=total)
