"""JSON API of the KUI: recording reports of offences and the decisions on them.

Registration of a report in ERDR creates a case, so ``POST /reports/{id}/register``
lives in :mod:`tergeu.cases.api`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, labelled, paged

from . import services
from .models import Report, ReportStatus, Source

router = Router(tags=["reports"])

_EXTRA = ("organisation", "referred_to", "region", "district", "case")


class OrganisationRef(Schema):
    """A body, by its code and name in the request's language."""

    code: str = Field(..., description="6-digit code: region, district, body.")
    name: str = Field(..., description="Name in the language of the request.")


class CaseRef(Schema):
    """The case a report was registered as."""

    id: uuid.UUID
    erdr_number: str = Field(..., description="15-digit ERDR number.")


class ReportIn(Schema):
    """A report of an offence to record in the KUI of the caller's body (CPC art. 180, 181)."""

    source: Source = Field(..., description="How the report reached the body.")
    description: str = Field(..., max_length=20_000, description="What happened.")
    received_at: AwareDatetime | None = Field(
        None, description="When the report was received (default: now); with a time zone."
    )
    applicant_name: str = Field(
        "", max_length=300, description="The applicant; required unless source is officer/media."
    )
    applicant_iin: str = Field("", description="The applicant's IIN (12 digits), if known.")
    applicant_phone: str = Field("", max_length=20, description="Phone, e.g. +7 701 234 56 78.")
    applicant_email: str = Field("", max_length=254, description="E-mail of the applicant.")
    applicant_language: str = Field(
        "ru", description="Language for messages to the applicant: kk, ru or en."
    )
    offence_at: AwareDatetime | None = Field(
        None, description="When the offence happened, if known; not after received_at."
    )
    region_code: str = Field("", max_length=2, description="Region of the offence (2 digits).")
    district_code: str = Field(
        "", max_length=2, description="District of the offence within the region (2 digits)."
    )
    address: str = Field("", max_length=500, description="Place of the offence.")


class ReportOut(Schema):
    """A KUI record and the decision on it."""

    id: uuid.UUID
    kui_number: str = Field(..., description="KUI number: year, body code, sequence.")
    organisation: OrganisationRef = Field(..., description="The body whose KUI holds it.")
    received_at: dt.datetime
    source: str
    source_label: str = Field(..., description="The source in the language of the request.")
    applicant_name: str
    applicant_iin: str
    applicant_phone: str
    applicant_email: str
    applicant_language: str
    description: str
    offence_at: dt.datetime | None
    region_code: str | None
    district_code: str | None
    address: str
    recorded_by: str | None = Field(
        ..., description="The officer who recorded it; null for a report filed online."
    )
    submitted_online: bool = Field(False, description="Filed by the applicant on the public form.")
    status: str = Field(..., description="new, registered, incident, referred, administrative.")
    status_label: str = Field(..., description="The status in the language of the request.")
    decision_deadline: dt.datetime = Field(
        ..., description="When the 24 hours for a decision run out (CPC art. 181)."
    )
    decided_at: dt.datetime | None
    decided_by: str | None
    decision_reason: str
    referred_to: OrganisationRef | None = Field(None, description="Body it was referred to.")
    referred_to_text: str
    case: CaseRef | None = Field(None, description="The case, once registered in ERDR.")
    assessment: dict[str, Any] | None = Field(
        None,
        description=(
            "The software's proposal, made when the report was recorded: triage kind, "
            "candidate articles with part, confidence, elements found and missing, quoted text "
            "(docs/qualification.md). A proposal only: the official decides."
        ),
    )
    allocation_proposal: dict[str, Any] | None = Field(
        None,
        description=(
            "The body, form of investigation and officer proposed by territory, jurisdiction "
            "(CPC art. 187, 191), specialisation and load, with reasons in kk, ru and en "
            "(docs/allocation.md)."
        ),
    )


class ReportFilters(PageParams):
    """Filters of the list of reports."""

    status: ReportStatus | None = Field(None, description="Only reports with this status.")


class ReasonIn(Schema):
    """The reasons for a decision."""

    reason: str = Field(..., max_length=5000, description="Why this decision was taken.")


class ReferIn(ReasonIn):
    """Referral to the competent body: a body of the system by code, or named in text."""

    to_organisation_code: str = Field("", max_length=6, description="Code of the body.")
    to_text: str = Field("", max_length=300, description="The body, if it is not in the system.")


def _org(org: Any) -> dict[str, str] | None:
    return {"code": org.code, "name": org.name} if org is not None else None


def report_out(report: Report) -> dict[str, Any]:
    """The API representation of a report."""
    case = getattr(report, "case", None)  # the reverse one-to-one raises if there is none
    return {
        "id": report.pk,
        "kui_number": report.kui_number,
        "organisation": _org(report.organisation),
        "received_at": report.received_at,
        "source": report.source,
        "source_label": labelled(report.source, Source.choices),
        "applicant_name": report.applicant_name,
        "applicant_iin": report.applicant_iin,
        "applicant_phone": report.applicant_phone,
        "applicant_email": report.applicant_email,
        "applicant_language": report.applicant_language,
        "description": report.description,
        "offence_at": report.offence_at,
        "region_code": report.region_id,
        "district_code": report.district.code if report.district_id else None,  # type: ignore[union-attr]
        "address": report.address,
        "recorded_by": str(report.recorded_by) if report.recorded_by_id else None,
        "submitted_online": report.submitted_online,
        "status": report.status,
        "status_label": labelled(report.status, ReportStatus.choices),
        "decision_deadline": services.decision_deadline(report),
        "decided_at": report.decided_at,
        "decided_by": str(report.decided_by) if report.decided_by_id else None,
        "decision_reason": report.decision_reason,
        "referred_to": _org(report.referred_to),
        "referred_to_text": report.referred_to_text,
        "case": {"id": case.pk, "erdr_number": case.erdr_number} if case is not None else None,
        "assessment": report.assessment,
        "allocation_proposal": report.allocation_proposal,
    }


def _reload(request: HttpRequest, report: Report) -> dict[str, Any]:
    fresh = services.reports_for(actor(request)).select_related(*_EXTRA).get(pk=report.pk)
    return report_out(fresh)


@router.get("/reports", response={200: PageOut[ReportOut], **ERRORS}, summary="List reports")
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> dict[str, Any]:
    """Reports in the KUI of the caller's body, newest first; with ``status=new``, the review
    queue: least time left of the 24 hours first."""
    qs = services.reports_for(actor(request)).select_related(*_EXTRA)
    order: tuple[str, ...] = ("-received_at", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
        if filters.status == ReportStatus.NEW:
            order = ("received_at", "id")
    return paged(qs.order_by(*order), filters, report_out)


@router.post("/reports", response={201: ReportOut, **ERRORS}, summary="Record a report")
def record_report(request: HttpRequest, payload: ReportIn) -> tuple[int, dict[str, Any]]:
    """Record a report in the KUI of the caller's body; it gets a KUI number."""
    data = payload.dict()
    data["source"] = str(payload.source.value)
    report = services.record_report(actor(request), **data)
    return 201, _reload(request, report)


@router.get("/reports/{report_id}", response={200: ReportOut, **ERRORS}, summary="A report")
def get_report(request: HttpRequest, report_id: str) -> dict[str, Any]:
    """One report of the caller's body (others are 'not found')."""
    return _reload(request, services.get_report(actor(request), report_id))


@router.post(
    "/reports/{report_id}/incident",
    response={200: ReportOut, **ERRORS},
    summary="Move to incidents",
)
def move_to_incident(request: HttpRequest, report_id: str, payload: ReasonIn) -> dict[str, Any]:
    """No signs of a criminal offence: the report goes to the incidents (CPC art. 181)."""
    report = services.move_to_incident(actor(request), report_id, reason=payload.reason)
    return _reload(request, report)


@router.post(
    "/reports/{report_id}/refer",
    response={200: ReportOut, **ERRORS},
    summary="Refer to another body",
)
def refer(request: HttpRequest, report_id: str, payload: ReferIn) -> dict[str, Any]:
    """Refer the report to the competent body (CPC art. 181(5))."""
    report = services.refer(actor(request), report_id, **payload.dict())
    return _reload(request, report)


@router.post(
    "/reports/{report_id}/administrative",
    response={200: ReportOut, **ERRORS},
    summary="Send for administrative action",
)
def send_administrative(request: HttpRequest, report_id: str, payload: ReasonIn) -> dict[str, Any]:
    """Send the report for administrative or disciplinary action (CPC art. 179(4))."""
    report = services.send_administrative(actor(request), report_id, reason=payload.reason)
    return _reload(request, report)
