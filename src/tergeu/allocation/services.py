"""Services of allocation: proposals journaled, the official's choice checked and journaled
(accepted or overridden with a reason), specialisations set by administrators.

Registration (:func:`tergeu.cases.register.register_report`) calls :func:`allocate`
before it opens the case and :func:`journal_allocation` after, in its own transaction.
:func:`allocate` first locks the body's :class:`BodyState` row, so registrations in one
body choose their officers one after another and each sees the loads the previous ones
left: a burst of reports spreads over the officers instead of piling on the one that
looked lightest to all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.admin_services import is_administrator
from tergeu.accounts.models import (
    INVESTIGATING_ROLES,
    REGISTERING_ROLES,
    Organisation,
    Role,
    User,
)
from tergeu.cases.register import investigator_for
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, NotFound
from tergeu.core.validation import Checker
from tergeu.integrity.journal import deny, record, service
from tergeu.qualification.models import Article, ArticlePart

from .models import BodyState, OfficerState, Specialisation
from .proposals import BodyProposal, OfficerProposal, propose_body, propose_officer

REASON_LIMIT = 2000
#: The form an official chooses by giving a case to an officer of this role.
FORM_FOR_ROLE: dict[str, str] = {
    Role.INVESTIGATOR: "preliminary",
    Role.INQUIRY_OFFICER: "inquiry",
}


# ---------------------------------------------------------------- locking and state


def lock_body(org: Organisation) -> BodyState:
    """Lock the body's allocation row (SELECT ... FOR UPDATE) inside the caller's transaction."""
    assert transaction.get_connection().in_atomic_block, "lock_body needs a transaction"
    state = BodyState.objects.select_for_update().filter(organisation=org).first()
    if state is None:
        try:
            with transaction.atomic():
                BodyState.objects.create(organisation=org)
        except IntegrityError:
            pass  # another transaction created it first
        state = BodyState.objects.select_for_update().get(organisation=org)
    return state


def _note(org: Organisation, officer: User) -> None:
    """Remember that ``officer`` of ``org`` was just given a case (ties, statistics)."""
    now = clock.now()
    state, _created = OfficerState.objects.get_or_create(user=officer)
    OfficerState.objects.filter(pk=state.pk).update(
        allocations=state.allocations + 1, last_allocated_at=now
    )
    body = lock_body(org)
    BodyState.objects.filter(pk=body.pk).update(
        allocations=body.allocations + 1, last_allocated_at=now
    )


# ---------------------------------------------------------------- registration


@dataclass
class Allocation:
    """The officer who gets a case, the proposal, and how the official decided."""

    officer: User | None
    proposal: OfficerProposal | None
    body: BodyProposal | None = None
    reason: str = ""
    self_assigned: bool = False

    @property
    def overridden(self) -> bool:
        return (
            self.proposal is not None
            and self.proposal.user is not None
            and self.officer is not None
            and self.officer.pk != self.proposal.user.pk
        )


def allocate(
    user: Any,
    check: Checker,
    org: Organisation,
    *,
    article: Article | None,
    part: ArticlePart | None,
    form: str = "",
    investigator_id: Any = None,
    reason: str = "",
    report: Any = None,
) -> Allocation:
    """Propose the officer of ``org`` and check the official's choice (errors into ``check``).

    No choice: the proposed officer gets the case. A choice other than the proposal is an
    override and needs ``reason``, except an investigating officer who registers the case
    for himself (he takes it, as before allocation existed; journaled as self-assigned).
    Choosing an officer of the other role (an investigator for an inquiry article) is a
    choice of the form, not of the officer: the proposal is then made among that role.
    """
    reason = (reason or "").strip()
    check.max_length("allocation_reason", reason, REASON_LIMIT)
    lock_body(org)
    proposal = (
        propose_officer(org, article=article, part=part, form=form) if article is not None else None
    )
    body = None
    if article is not None:
        # The place of the offence, else (not recorded yet) the registering body's territory.
        place: Any = report if getattr(report, "region_id", None) else org
        district = place.district
        body = propose_body(
            region_code=place.region_id,
            district_code=district.code if district is not None else "",
            article=article.number,
            part=part.number if part else None,
        )
    if investigator_id:
        officer = investigator_for(user, check, investigator_id)
        if (
            officer is not None
            and article is not None
            and proposal is not None
            and proposal.role
            and officer.role != proposal.role
        ):
            # Giving the case to an officer of the other role is a choice of the form (an
            # inquiry officer: inquiry; an investigator: preliminary investigation, CPC art.
            # 189(5)), not an override of the load: the proposal is made among that role.
            proposal = propose_officer(
                org, article=article, part=part, form=FORM_FOR_ROLE[officer.role]
            )
    elif proposal is not None and proposal.user is not None:
        officer = proposal.user
    else:
        officer = user if getattr(user, "role", "") in INVESTIGATING_ROLES else None
    result = Allocation(officer, proposal, body, reason)
    if result.overridden:
        result.self_assigned = officer is not None and officer.pk == getattr(user, "pk", None)
        if not reason and not result.self_assigned:
            assert proposal is not None
            assert proposal.user is not None
            check.add(
                "allocation_reason",
                _(
                    "You chose an officer other than the proposed %(name)s: give the reason "
                    "for the override."
                )
                % {"name": proposal.user.full_name or proposal.user.username},
            )
    return result


def journal_allocation(user: Any, case: Any, allocation: Allocation) -> None:
    """Journal the proposal and the decision on ``case`` (inside the caller's transaction)."""
    proposal = allocation.proposal
    if proposal is not None:
        record(
            "allocation.proposed",
            actor=user,
            case_id=case.pk,
            obj=case,
            data={
                "officer": proposal.as_json(),
                "body": allocation.body.as_json() if allocation.body else None,
                "registering_body": case.organisation.code,
            },
        )
    officer = allocation.officer
    if officer is None:
        return
    if proposal is not None and proposal.user is not None:
        data = {
            "proposed": proposal.user.pk,
            "chosen": officer.pk,
            "reason": allocation.reason,
        }
        if allocation.overridden:
            data["self_assigned"] = allocation.self_assigned
            record("allocation.overridden", actor=user, case_id=case.pk, obj=case, data=data)
        else:
            record("allocation.accepted", actor=user, case_id=case.pk, obj=case, data=data)
    _note(case.organisation, officer)


# ---------------------------------------------------------------- proposals on demand


def _may_propose(user: Any) -> None:
    if not (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.role in REGISTERING_ROLES or is_administrator(user))
    ):
        raise deny(
            AccessDenied(_("Only officials of a criminal-prosecution body may ask for this.")),
            user if getattr(user, "pk", None) else None,
            "allocation.propose",
            None,
            "role may not register reports",
        )


@service
def propose(
    user: Any,
    *,
    region_code: str,
    district_code: str = "",
    article: str | None = None,
    part: str | None = None,
    paragraph: str | None = None,
) -> tuple[BodyProposal, OfficerProposal | None]:
    """Propose the body and, in it, the officer for an offence at a place; journaled."""
    _may_propose(user)
    body = propose_body(
        region_code=region_code,
        district_code=district_code,
        article=article,
        part=part,
        paragraph=paragraph,
    )
    officer = None
    if body.organisation is not None and article:
        number = str(article).strip()
        officer = propose_officer(
            body.organisation, article=number, part=(part or "").strip(), form=body.form
        )
    record(
        "allocation.proposed",
        actor=user,
        data={"body": body.as_json(), "officer": officer.as_json() if officer else None},
    )
    return body, officer


# ---------------------------------------------------------------- specialisations


def _require_admin(user: Any, action: str) -> None:
    if not is_administrator(user):
        raise deny(
            AccessDenied(_("Only an administrator may do this.")),
            user if getattr(user, "pk", None) else None,
            f"allocation.{action}",
            None,
            "not an administrator",
        )


def _officer(user_id: Any) -> User:
    try:
        officer = User.objects.filter(pk=int(user_id)).first()
    except (TypeError, ValueError):
        officer = None
    if officer is None:
        raise NotFound()
    return officer


def get_specialisation(admin: Any, user_id: Any) -> Specialisation | None:
    """An officer's specialisation (administrators only; None if not set)."""
    _require_admin(admin, "specialisation_read")
    return Specialisation.objects.filter(user=_officer(user_id)).first()


@service
def set_specialisation(
    admin: Any,
    user_id: Any,
    *,
    chapters: list[str] | None = None,
    articles: list[str] | None = None,
) -> Specialisation:
    """Set what an investigating officer specialises in (chapters, articles); journaled."""
    _require_admin(admin, "specialisation_set")
    officer = _officer(user_id)
    check = Checker()
    if officer.role not in INVESTIGATING_ROLES:
        check.add("user_id", _("Only investigators and inquiry officers have specialisations."))
    chapters = sorted({str(c).strip() for c in chapters or [] if str(c).strip()}, key=_num)
    articles = sorted({str(a).strip() for a in articles or [] if str(a).strip()}, key=_num)
    known_chapters = set(
        Article.objects.filter(special_part=True).values_list("chapter", flat=True)
    )
    for chapter in chapters:
        if chapter not in known_chapters:
            check.add(
                "chapters",
                _("Chapter %(chapter)s of the Criminal Code has no offences.")
                % {"chapter": chapter},
            )
    known = set(
        Article.objects.filter(number__in=articles, special_part=True, repealed=False).values_list(
            "number", flat=True
        )
    )
    for number in articles:
        if number not in known:
            check.add(
                "articles",
                _("Article %(article)s of the Criminal Code does not exist or defines no offence.")
                % {"article": number},
            )
    check.done()
    spec = Specialisation.objects.select_for_update().filter(user=officer).first()
    before = {"chapters": spec.chapters, "articles": spec.articles} if spec else None
    if spec is None:
        spec = Specialisation(user=officer)
    spec.chapters, spec.articles, spec.updated_by = chapters, articles, admin
    spec.save()
    record(
        "allocation.specialisation_set",
        actor=admin,
        obj=spec,
        data={
            "user": officer.pk,
            "before": before,
            "after": {"chapters": chapters, "articles": articles},
        },
    )
    return spec


def _num(value: str) -> tuple[int, str]:
    head = value.split("-")[0]
    return (int(head) if head.isdigit() else 10**6, value)
