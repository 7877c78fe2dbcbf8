"""Messages to the applicant about their report: the acknowledgement and the decisions.

A decision on a report whose applicant left a phone or an e-mail (CPC art. 179-181) is
told to them in their language, with the reasons and how to appeal (CPC art. 100, 105,
106); :func:`notify_decision` is called by :func:`tergeu.intake.services.close`, which
every decision (registration in ERDR included) goes through.
"""

from __future__ import annotations

from typing import Any

from tergeu.notifications.models import Channel, Kind
from tergeu.notifications.services import LANGUAGES, enqueue

from .models import Report, ReportStatus

DECISION_KINDS = {
    ReportStatus.REGISTERED: Kind.REPORT_REGISTERED,
    ReportStatus.INCIDENT: Kind.REPORT_INCIDENT,
    ReportStatus.REFERRED: Kind.REPORT_REFERRED,
    ReportStatus.ADMINISTRATIVE: Kind.REPORT_ADMINISTRATIVE,
}


def contacts(report: Report) -> list[tuple[str, str]]:
    """Where messages to the applicant go: (channel, address) for the phone and the e-mail."""
    found = []
    if report.applicant_phone:
        found.append((Channel.SMS.value, report.applicant_phone))
    if report.applicant_email:
        found.append((Channel.EMAIL.value, report.applicant_email))
    return found


def notify_applicant(report: Report, kind: str, context: dict[str, Any], **extra: Any) -> None:
    """Queue a message of ``kind`` to each contact of the applicant, in their language."""
    language = report.applicant_language if report.applicant_language in dict(LANGUAGES) else "ru"
    for channel, address in contacts(report):
        enqueue(
            channel=channel,
            recipient=address,
            language=language,
            kind=kind,
            context={"kui_number": report.kui_number, **context},
            report=report,
            **extra,
        )


def notify_decision(report: Report) -> None:
    """Queue the notice of the decision taken on ``report`` (nothing without a contact)."""
    kind = DECISION_KINDS.get(ReportStatus(report.status))
    if kind is None or not contacts(report):
        return
    context: dict[str, Any] = {"reason": report.decision_reason}
    case_id = None
    if report.status == ReportStatus.REGISTERED:
        case = getattr(report, "case", None)  # the reverse one-to-one raises if there is none
        context["erdr_number"] = case.erdr_number if case is not None else ""
        case_id = case.pk if case is not None else None
    elif report.status == ReportStatus.REFERRED:
        context["body"] = report.referred_to or report.referred_to_text
    notify_applicant(report, kind, context, case_id=case_id)
