"""Recording reports in the KUI and the decisions on them other than registration.

Registration in ERDR creates a case and so lives in :mod:`tergeu.cases.services`.
(CPC art. 179-181, 186.)
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import REGISTERING_ROLES, District, Organisation, Region
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, Conflict, NotFound
from tergeu.core.sequences import next_value
from tergeu.core.validation import Checker
from tergeu.integrity.journal import deny, record, service

from .models import Report, ReportStatus, Source
from .notices import notify_decision
from .review import assess_report, note_decision

#: CPC art. 181(1): a report is registered in ERDR (or otherwise decided) within 24 hours.
DECISION_HOURS = 24


def reports_for(user: Any) -> QuerySet[Report]:
    """Reports of the user's body, for the roles that record and decide them."""
    if user.role not in REGISTERING_ROLES or user.organisation_id is None:
        return Report.objects.none()
    return Report.objects.filter(organisation_id=user.organisation_id).select_related(
        "recorded_by", "decided_by"
    )


@service
def get_report(user: Any, report_id: uuid.UUID | str, *, lock: bool = False) -> Report:
    """A report of the user's body; anyone else is told it does not exist (journaled)."""
    qs = reports_for(user)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        report = qs.filter(pk=uuid.UUID(str(report_id))).first()
    except ValueError:
        report = None
    if report is None:
        raise deny(NotFound(), user, "report.view", None, f"report {str(report_id)[:40]}")
    return report


def _require_registering(user: Any) -> Organisation:
    if user.role not in REGISTERING_ROLES or user.organisation is None:
        raise deny(AccessDenied(), user, "report.record", None, f"role {user.role}")
    if not user.organisation.is_prosecution_body:
        raise deny(AccessDenied(), user, "report.record", None, "not a prosecution body")
    return user.organisation


def _place(check: Checker, region_code: str, district_code: str) -> tuple[Any, Any]:
    region = district = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            check.add("region_code", _("Unknown region."))
    if district_code:
        district = District.objects.filter(region_id=region_code, code=district_code).first()
        if district is None:
            check.add("district_code", _("Unknown district of this region."))
    return region, district


def next_kui_number(org: Organisation, received_at: dt.datetime) -> str:
    """The next KUI number of ``org``: year, body code, gap-free sequence (in the transaction)."""
    year = clock.local(received_at).year
    seq = next_value(f"kui:{org.code}:{year}")
    return f"{year}-{org.code}-{seq:06d}"


@service
def record_report(
    user: Any,
    *,
    source: str,
    description: str,
    received_at: dt.datetime | None = None,
    applicant_name: str = "",
    applicant_iin: str = "",
    applicant_phone: str = "",
    applicant_email: str = "",
    applicant_language: str = "ru",
    offence_at: dt.datetime | None = None,
    region_code: str = "",
    district_code: str = "",
    address: str = "",
) -> Report:
    """Record a report in the KUI of the user's body and give it a KUI number."""
    org = _require_registering(user)
    now = clock.now()
    received_at = received_at or now
    check = Checker()
    check.choice("source", source, Source.choices)
    check.required("description", description)
    check.max_length("description", description, 20_000)
    check.max_length("applicant_name", applicant_name, 300)
    check.max_length("address", address, 500)
    check.iin("applicant_iin", applicant_iin)
    phone = check.phone("applicant_phone", applicant_phone)
    check.email("applicant_email", applicant_email)
    check.choice("applicant_language", applicant_language, [("kk", 0), ("ru", 0), ("en", 0)])
    check.not_future("received_at", received_at)
    check.not_future("offence_at", offence_at)
    if offence_at and offence_at > received_at:
        check.add("offence_at", _("The offence cannot be later than the report."))
    if source != Source.OFFICER and source != Source.MEDIA and not applicant_name.strip():
        check.add("applicant_name", _("Name the applicant (or choose officer's report)."))
    region, district = _place(check, region_code, district_code)
    check.done()

    report = Report.objects.create(
        organisation=org,
        kui_number=next_kui_number(org, received_at),
        received_at=received_at,
        source=source,
        applicant_name=applicant_name.strip(),
        applicant_iin=applicant_iin,
        applicant_phone=phone,
        applicant_email=applicant_email,
        applicant_language=applicant_language,
        description=description.strip(),
        offence_at=offence_at,
        region=region,
        district=district,
        address=address.strip(),
        recorded_by=user,
    )
    record(
        "report.recorded",
        actor=user,
        obj=report,
        data={"kui_number": report.kui_number, "source": source, "received_at": received_at},
    )
    return assess_report(report, actor=user)


def decision_deadline(report: Report) -> dt.datetime:
    """When the 24 hours of CPC art. 181 for deciding on ``report`` run out."""
    return report.received_at + dt.timedelta(hours=DECISION_HOURS)


def take_undecided(user: Any, report_id: uuid.UUID | str) -> Report:
    """Lock a report of the user's body that still awaits a decision (else Conflict)."""
    _require_registering(user)
    report = get_report(user, report_id, lock=True)
    if report.status != ReportStatus.NEW:
        raise Conflict(
            _("This report has already been decided (%(status)s)."),
            status=report.get_status_display(),
        )
    return report


def close(user: Any, report: Report, status: str, reason: str, **extra: Any) -> Report:
    """Write a decision on a locked, undecided report, journal it and tell the applicant."""
    report.status = status
    report.decided_at = clock.now()
    report.decided_by = user
    report.decision_reason = reason.strip()
    for name, value in extra.items():
        setattr(report, name, value)
    report.save()
    record(
        f"report.{status}",
        actor=user,
        obj=report,
        data={
            "kui_number": report.kui_number,
            "reason": report.decision_reason,
            **{k: str(v) for k, v in extra.items()},
        },
    )
    note_decision(user, report)
    notify_decision(report)
    return report


def _reason(check: Checker, reason: str) -> None:
    check.required("reason", reason)
    check.max_length("reason", reason, 5000)


@service
def move_to_incident(user: Any, report_id: uuid.UUID | str, *, reason: str) -> Report:
    """No signs of a criminal offence: the report goes to the incidents (CPC art. 181)."""
    report = take_undecided(user, report_id)
    check = Checker()
    _reason(check, reason)
    check.done()
    return close(user, report, ReportStatus.INCIDENT, reason)


@service
def refer(
    user: Any,
    report_id: uuid.UUID | str,
    *,
    reason: str,
    to_organisation_code: str = "",
    to_text: str = "",
) -> Report:
    """Refer the report to the competent body (CPC art. 181(5): within 3 days)."""
    report = take_undecided(user, report_id)
    check = Checker()
    _reason(check, reason)
    target = None
    if to_organisation_code:
        target = Organisation.objects.filter(code=to_organisation_code).first()
        if target is None:
            check.add("to_organisation_code", _("Unknown organisation."))
        elif target.pk == report.organisation_id:
            check.add("to_organisation_code", _("A report cannot be referred to its own body."))
    elif not to_text.strip():
        check.add("to_organisation_code", _("Name the body the report is referred to."))
    check.max_length("to_text", to_text, 300)
    check.done()
    return close(
        user,
        report,
        ReportStatus.REFERRED,
        reason,
        referred_to=target,
        referred_to_text=to_text.strip(),
    )


@service
def send_administrative(user: Any, report_id: uuid.UUID | str, *, reason: str) -> Report:
    """Send for administrative or disciplinary action (CPC art. 179(4): within 3 days)."""
    report = take_undecided(user, report_id)
    check = Checker()
    _reason(check, reason)
    check.done()
    return close(user, report, ReportStatus.ADMINISTRATIVE, reason)
