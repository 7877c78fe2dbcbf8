"""JSON API of the ERDR register and the electronic case: card, stages, participants, history.

Every write calls :mod:`tergeu.cases.services`; reads go through the access functions, so a
case the caller holds no grant on is 'not found' and the refusal is journaled.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Body, Field, Query, Router, Schema
from pydantic import AwareDatetime

from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, labelled, paged
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event

from . import services
from .access import Perm, get_case, perms_of
from .models import Case, Form, Participant, ParticipantStatus, Stage

router = Router(tags=["cases"])

# ---------------------------------------------------------------- output schemas


class OrganisationRef(Schema):
    """A body, by its code and name in the request's language."""

    code: str = Field(..., description="6-digit code: region, district, body.")
    name: str = Field(..., description="Name in the language of the request.")


class PersonRef(Schema):
    """An official, by user id and full name."""

    id: int
    name: str


class QualificationOut(Schema):
    """Qualification of the offence by the Criminal Code."""

    article: str = Field(..., description="Article number, e.g. '188' or '24-1'.")
    title: str = Field(..., description="Title of the article (Russian official text).")
    part: str | None = Field(None, description="Part of the article.")
    paragraph: str = Field("", description="Paragraph (пункт) of the part.")
    text: str = Field("", description="Text of the part (the disposition), if a part is given.")
    label: str = Field(..., description="As lawyers write it, e.g. '188 ч.2 п.1'.")


class GroundOut(Schema):
    """A legal ground of a move, e.g. of CPC art. 45(7)."""

    code: str
    label: str


class TransitionOut(Schema):
    """A procedural move the caller may make now, and what it needs."""

    name: str = Field(..., description="Value for 'transition' of POST /cases/{key}/moves.")
    label: str
    rule: str = Field(..., description="The article of the CPC the move comes from.")
    needs_ground: bool
    grounds: list[GroundOut]
    needs_reason: bool
    needs_form: bool
    needs_target_case: bool


class CaseCardOut(Schema):
    """The ERDR card of a case, its stage and the moves the caller may make."""

    id: uuid.UUID
    erdr_number: str = Field(..., description="15-digit ERDR number.")
    registered_at: dt.datetime
    organisation: OrganisationRef = Field(..., description="The registering body.")
    kui_number: str | None = Field(None, description="KUI number of the report (if any).")
    received_at: dt.datetime | None = Field(None, description="When the report was received.")
    offence_at: dt.datetime | None
    address: str
    fabula: str = Field(..., description="Description of the offence (fabula).")
    qualification: QualificationOut
    stage: str
    stage_label: str
    stage_changed_at: dt.datetime | None
    form: str = Field(..., description="inquiry, preliminary, accelerated, or '' if not yet.")
    form_label: str
    electronic: bool = Field(..., description="Kept in electronic format (CPC art. 42-1).")
    investigator: PersonRef | None
    prosecutor: PersonRef | None
    parent: str | None = Field(None, description="ERDR number of the case it was split from.")
    joined_into: str | None = Field(None, description="ERDR number of the case it joined.")
    version: int = Field(..., description="Send it back with a move to detect concurrent edits.")
    available_transitions: list[TransitionOut]


class CaseItemOut(Schema):
    """A case in a list."""

    id: uuid.UUID
    erdr_number: str
    registered_at: dt.datetime
    organisation_code: str
    qualification: str
    stage: str
    stage_label: str
    form: str
    investigator: str | None
    summary: str = Field(..., description="The first 300 characters of the fabula.")


class ParticipantOut(Schema):
    """A person in a case."""

    id: uuid.UUID
    case_id: uuid.UUID
    status: str
    status_label: str
    last_name: str
    first_name: str
    patronymic: str
    full_name: str
    iin: str
    birth_date: dt.date | None
    phone: str
    email: str
    address: str
    language: str
    added_at: dt.datetime
    removed_at: dt.datetime | None


class EventOut(Schema):
    """An event of the case's journal."""

    seq: int = Field(..., description="Position in the transparency log.")
    occurred_at: dt.datetime
    actor: str = Field(..., description="Who did it (as recorded at the time).")
    action: str = Field(..., description="What was done, e.g. 'case.interrupt'.")
    payload: dict[str, Any] = Field(..., description="The journaled event (canonical JSON).")


# ---------------------------------------------------------------- input schemas


class RegisterIn(Schema):
    """Registration of a KUI report in ERDR (CPC art. 179-181, 184)."""

    article: str = Field(..., max_length=10, description="Article of the Criminal Code.")
    part: str = Field("", max_length=10, description="Part of the article.")
    paragraph: str = Field("", max_length=10, description="Paragraph (пункт) of the part.")
    fabula: str = Field(
        "", max_length=20_000, description="Description (default: the report's text)."
    )
    offence_at: AwareDatetime | None = Field(
        None, description="When the offence happened (default: from the report)."
    )
    investigator_id: int | None = Field(
        None,
        description="Investigator of the body (default: the officer proposed by allocation).",
    )
    form: str = Field(
        "",
        description="inquiry, preliminary or accelerated: accept for proceedings at once; "
        "empty: the case waits in stage 'registered'.",
    )
    allocation_reason: str = Field(
        "",
        max_length=2000,
        description="Why another officer than the proposed one gets the case (required then).",
    )


class CaseFilters(PageParams):
    """Search and filters of the list of cases."""

    q: str = Field(
        "", max_length=200, description="ERDR number (prefix), article, IIN, name or words."
    )
    stage: Stage | None = Field(None, description="Only cases in this stage.")
    article: str = Field("", max_length=10, description="Only cases under this article.")
    date_from: dt.date | None = Field(None, description="Registered on or after this day.")
    date_to: dt.date | None = Field(None, description="Registered on or before this day.")


class MoveIn(Schema):
    """A procedural move of the case; see available_transitions on the card."""

    transition: str = Field(..., max_length=40, description="Name of the move, e.g. 'interrupt'.")
    ground: str = Field("", max_length=20, description="Code of the legal ground, if needed.")
    reason: str = Field("", max_length=5000, description="Reasons, if the move needs them.")
    form: str = Field("", max_length=20, description="Form of investigation, for 'accept'.")
    target_case: str = Field("", max_length=15, description="ERDR number, for 'join'.")
    version: int | None = Field(
        None, ge=1, description="The card's version you saw; 409 if it changed meanwhile."
    )


class InvestigatorIn(Schema):
    """The investigator or inquiry officer to give the case to."""

    investigator_id: int = Field(..., description="User id of an investigating officer.")


class QualificationIn(Schema):
    """A new qualification of the offence (resolution on qualification)."""

    article: str = Field(..., max_length=10)
    part: str = Field("", max_length=10)
    paragraph: str = Field("", max_length=10)
    reason: str = Field(..., max_length=5000, description="Why the qualification changes.")


class ParticipantIn(Schema):
    """A person to add to the case with a procedural status."""

    status: ParticipantStatus = Field(..., description="Procedural status.")
    last_name: str = Field(..., max_length=150)
    first_name: str = Field(..., max_length=150)
    patronymic: str = Field("", max_length=150)
    iin: str = Field("", description="IIN (12 digits), if known.")
    birth_date: dt.date | None = None
    phone: str = Field("", max_length=20, description="Phone, e.g. +7 701 234 56 78.")
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)
    language: str = Field("ru", description="Language of the proceedings for them: kk, ru, en.")


class ParticipantPatch(Schema):
    """Changes to a participant: only the fields sent are changed."""

    status: ParticipantStatus | None = None
    last_name: str | None = Field(None, max_length=150)
    first_name: str | None = Field(None, max_length=150)
    patronymic: str | None = Field(None, max_length=150)
    iin: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=500)
    language: str | None = None


class RemovalIn(Schema):
    """Why a person is taken out of the case."""

    reason: str = Field(..., max_length=5000)


# ---------------------------------------------------------------- conversions


def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def transition_out(t: Any) -> dict[str, Any]:
    """The API representation of a stage transition."""
    return {
        "name": t.name,
        "label": str(t.label),
        "rule": t.rule,
        "needs_ground": t.needs_ground,
        "grounds": [{"code": g.code, "label": str(g.label)} for g in t.grounds],
        "needs_reason": t.needs_reason,
        "needs_form": t.needs_form,
        "needs_target_case": t.needs_target_case,
    }


def card_out(user: Any, case: Case, perms: frozenset[Perm] | None = None) -> dict[str, Any]:
    """The ERDR card of ``case`` as ``user`` sees it (``perms``: the user's, if known)."""
    report = case.report
    part = case.part
    return {
        "id": case.pk,
        "erdr_number": case.erdr_number,
        "registered_at": case.registered_at,
        "organisation": {"code": case.organisation.code, "name": case.organisation.name},
        "kui_number": report.kui_number if report else None,
        "received_at": report.received_at if report else None,
        "offence_at": case.offence_at,
        "address": case.address,
        "fabula": case.fabula,
        "qualification": {
            "article": case.article_id,
            "title": case.article.title,
            "part": part.number if part else None,
            "paragraph": case.paragraph,
            "text": part.text if part else "",
            "label": case.qualification,
        },
        "stage": case.stage,
        "stage_label": labelled(case.stage, Stage.choices),
        "stage_changed_at": case.stage_changed_at,
        "form": case.form,
        "form_label": labelled(case.form, Form.choices),
        "electronic": case.electronic,
        "investigator": _person(case.investigator),
        "prosecutor": _person(case.prosecutor),
        "parent": case.parent.erdr_number if case.parent_id else None,  # type: ignore[union-attr]
        "joined_into": case.joined_into.erdr_number if case.joined_into_id else None,  # type: ignore[union-attr]
        "version": case.version,
        "available_transitions": [
            transition_out(t) for t in services.available_transitions(user, case, perms)
        ],
    }


def item_out(case: Case) -> dict[str, Any]:
    """A case as a list shows it."""
    return {
        "id": case.pk,
        "erdr_number": case.erdr_number,
        "registered_at": case.registered_at,
        "organisation_code": case.organisation.code,
        "qualification": case.qualification,
        "stage": case.stage,
        "stage_label": labelled(case.stage, Stage.choices),
        "form": case.form,
        "investigator": str(case.investigator) if case.investigator_id else None,
        "summary": case.fabula[:300],
    }


def participant_out(person: Participant) -> dict[str, Any]:
    """The API representation of a participant."""
    return {
        "id": person.pk,
        "case_id": person.case_id,
        "status": person.status,
        "status_label": labelled(person.status, ParticipantStatus.choices),
        "last_name": person.last_name,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "full_name": person.full_name,
        "iin": person.iin,
        "birth_date": person.birth_date,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "language": person.language,
        "added_at": person.created_at,
        "removed_at": person.removed_at,
    }


def event_out(event: Event) -> dict[str, Any]:
    """The API representation of a journal event."""
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "actor": event.actor_label,
        "action": event.action,
        "payload": payload_of(event),
    }


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Enum members to their values, for the services and the journal."""
    return {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in data.items()}


def _card(request: HttpRequest, key: uuid.UUID | str) -> dict[str, Any]:
    user = actor(request)
    return card_out(user, get_case(user, str(key), Perm.VIEW))


def _card_after(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The card of a case a service has just changed and returned, without reading it again.

    The service's case carries its card's rows (article, part, body, investigator and
    prosecutor, loaded or set by the service), so only the caller's grants are read: they
    decide the moves shown, and without a view grant the card is refused, as by
    :func:`_card` (which journals the refusal).
    """
    user = actor(request)
    perms = perms_of(user, case)
    if Perm.VIEW not in perms:
        return _card(request, case.pk)
    return card_out(user, case, perms)


# ---------------------------------------------------------------- registration


@router.post(
    "/reports/{report_id}/register",
    response={201: CaseCardOut, **ERRORS},
    tags=["reports"],
    summary="Register a report in ERDR",
)
def register_report(
    request: HttpRequest, report_id: str, payload: RegisterIn
) -> tuple[int, dict[str, Any]]:
    """Register the report in ERDR as a case with a new ERDR number (CPC art. 179-181)."""
    case = services.register_report(actor(request), report_id, **payload.dict())
    return 201, _card_after(request, case)


# ---------------------------------------------------------------- cases


@router.get("/cases", response={200: PageOut[CaseItemOut], **ERRORS}, summary="Search cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """The caller's cases (through their grants), newest first, filtered."""
    page = services.cases_page(
        actor(request),
        filters.page,
        filters.size,
        q=filters.q,
        stage=filters.stage.value if filters.stage else "",
        article=filters.article,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return {
        "items": [item_out(case) for case in page.items],
        "page": page.page,
        "size": page.size,
        "total": page.total,
    }


@router.get("/cases/{key}", response={200: CaseCardOut, **ERRORS}, summary="The case card")
def get_card(request: HttpRequest, key: str) -> dict[str, Any]:
    """The ERDR card of the case with this id (UUID) or ERDR number."""
    return _card(request, key)


@router.post("/cases/{key}/moves", response={200: CaseCardOut, **ERRORS}, summary="Move the stage")
def move(request: HttpRequest, key: str, payload: MoveIn) -> dict[str, Any]:
    """Make a procedural move (accept, interrupt, resume, send to the prosecutor, ...)."""
    data = payload.dict()
    transition = data.pop("transition")
    case = services.move(actor(request), key, transition, **data)
    return _card_after(request, case)


@router.post(
    "/cases/{key}/investigator",
    response={200: CaseCardOut, **ERRORS},
    summary="Assign the investigator",
)
def assign_investigator(request: HttpRequest, key: str, payload: InvestigatorIn) -> dict[str, Any]:
    """The head of unit gives the case to another investigator or inquiry officer."""
    case = services.assign_investigator(
        actor(request), key, investigator_id=payload.investigator_id
    )
    return _card_after(request, case)


@router.post(
    "/cases/{key}/qualification",
    response={200: CaseCardOut, **ERRORS},
    summary="Change the qualification",
)
def requalify(request: HttpRequest, key: str, payload: QualificationIn) -> dict[str, Any]:
    """Change the article, part and paragraph of the Criminal Code the case is under."""
    case = services.requalify(actor(request), key, **payload.dict())
    return _card_after(request, case)


@router.get(
    "/cases/{key}/history",
    response={200: PageOut[EventOut], **ERRORS},
    summary="History of the case",
)
def history(request: HttpRequest, key: str, params: Query[PageParams]) -> dict[str, Any]:
    """The journal events of the case, oldest first."""
    case = get_case(actor(request), key, Perm.VIEW)
    events = Event.objects.filter(case_id=case.pk).order_by("seq")
    return paged(events, params, event_out)


# ---------------------------------------------------------------- participants


@router.get(
    "/cases/{key}/participants",
    response={200: PageOut[ParticipantOut], **ERRORS},
    summary="Participants of the case",
)
def list_participants(request: HttpRequest, key: str, params: Query[PageParams]) -> dict[str, Any]:
    """The persons in the case (those taken out are not listed)."""
    case = get_case(actor(request), key, Perm.VIEW)
    people = Participant.objects.filter(case=case, removed_at__isnull=True)
    return paged(people.order_by("status", "last_name", "id"), params, participant_out)


@router.post(
    "/cases/{key}/participants",
    response={201: ParticipantOut, **ERRORS},
    summary="Add a participant",
)
def add_participant(
    request: HttpRequest, key: str, payload: ParticipantIn
) -> tuple[int, dict[str, Any]]:
    """Add a person to the case with a procedural status and contact data."""
    person = services.add_participant(actor(request), key, **_plain(payload.dict()))
    return 201, participant_out(person)


_TEXT_FIELDS = {name for name in ParticipantPatch.model_fields if name != "birth_date"}


@router.patch(
    "/participants/{participant_id}",
    response={200: ParticipantOut, **ERRORS},
    tags=["cases"],
    summary="Change a participant",
)
def update_participant(
    request: HttpRequest, participant_id: str, payload: ParticipantPatch
) -> dict[str, Any]:
    """Change the fields sent; ``null`` clears a text field or the date of birth."""
    data = _plain(payload.dict(exclude_unset=True))
    data = {k: ("" if v is None and k in _TEXT_FIELDS else v) for k, v in data.items()}
    person = services.update_participant(actor(request), participant_id, **data)
    return participant_out(person)


@router.delete(
    "/participants/{participant_id}",
    response={200: ParticipantOut, **ERRORS},
    summary="Take a participant out of the case",
)
def remove_participant(
    request: HttpRequest,
    participant_id: str,
    reason: Annotated[
        str, Query(max_length=5000, description="Why (or send it in the body).")
    ] = "",
    payload: Annotated[RemovalIn | None, Body()] = None,
) -> dict[str, Any]:
    """Take the person out of the case; the row stays, marked removed, for the history."""
    why = payload.reason if payload is not None else reason
    person = services.remove_participant(actor(request), participant_id, reason=why)
    return participant_out(person)
