"""The duty officer's review of a KUI report: the software's proposals and the official's decision.

Software proposes, an official decides (DESIGN principle 6). When a report is recorded,
:func:`assess_report` asks the qualification assistant for the triage and the candidate
articles and the allocation rules for the body, the form and the officer, stores them on
the report and journals them (``report.assessed``). When the report is decided,
:func:`note_decision` journals the decision beside what was proposed, agreeing or not
(``report.reviewed``), so that :func:`agreement` can measure how often officials agree.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from tergeu.core import clock
from tergeu.core.errors import ServiceError
from tergeu.integrity.journal import record
from tergeu.integrity.models import Event
from tergeu.qualification.assistant import assess

from .models import Report, ReportStatus

#: Proposed triage kinds whose report, if the official agrees, is registered in ERDR.
CRIME = "crime"
#: The languages the proposals' reasons are written in.
LANGUAGES = ("kk", "ru", "en")
#: How many candidates count for "the chosen article was among the proposals".
TOP = 3


def _place(report: Report) -> tuple[str, str]:
    """Region and district codes of the offence, else those of the receiving body."""
    if report.region_id:
        district = report.district.code if report.district_id and report.district else ""
        return str(report.region_id), district
    org = report.organisation
    return str(org.region_id), org.district.code if org.district_id and org.district else ""


def _allocation(report: Report, candidates: list[dict[str, Any]]) -> dict[str, Any]:
    """The allocation proposal for the top candidate, its reasons written in each language.

    The officials who read it may each use another language; the proposal itself (body,
    form, officer, ranking) is made once and is the same in all three.
    """
    from tergeu.allocation.proposals import propose_body, propose_officer  # app above intake

    top = candidates[0] if candidates else {}
    region, district = _place(report)
    try:
        body = propose_body(
            region_code=region,
            district_code=district,
            article=top.get("article") or None,
            part=top.get("part") or None,
            paragraph=top.get("paragraph") or None,
        )
    except ServiceError as exc:
        message = exc.message
        errors = {lang: _in(lang, lambda: str(message)) for lang in LANGUAGES}
        return {
            "body": None,
            "officer": None,
            "own_body": True,
            "error": errors["ru"],
            "reasons": {
                lang: {"body": [], "officer": [], "error": errors[lang]} for lang in LANGUAGES
            },
        }
    org = body.organisation
    own = org is None or org.pk == report.organisation_id
    officer = None
    if own and top.get("article"):
        officer = propose_officer(
            report.organisation, article=top["article"], part=top.get("part") or "", form=body.form
        )
    reasons = {
        lang: {
            "body": _in(lang, lambda: [str(r) for r in body.reasons]),
            "officer": _in(lang, lambda: [str(r) for r in officer.reasons] if officer else []),
            "error": "",
        }
        for lang in LANGUAGES
    }
    return {
        "body": body.as_json(),
        "officer": officer.as_json() if officer else None,
        "own_body": own,
        "reasons": reasons,
    }


def _in(language: str, render: Any) -> Any:
    """``render()`` with ``language`` active."""
    with translation.override(language):
        return render()


def assess_report(report: Report, *, actor: Any = None) -> Report:
    """Store and journal the proposals for ``report`` (inside the caller's transaction)."""
    on = clock.local(report.offence_at or report.received_at).date()
    assessment = assess(
        report.description, report.applicant_language, facts=report.facts or {}, on=on
    ).as_json()
    candidates = assessment["candidates"] if assessment["kind"] == CRIME else []
    report.assessment = assessment
    report.allocation_proposal = _allocation(report, candidates)
    report.assessed_at = clock.now()
    report.save(update_fields=["assessment", "allocation_proposal", "assessed_at", "updated_at"])
    record(
        "report.assessed",
        actor=actor,
        obj=report,
        data={
            "kui_number": report.kui_number,
            "assessment": assessment,
            "allocation": report.allocation_proposal,
        },
    )
    return report


def _decided_crime(report: Report) -> bool:
    """Whether the decision treats the report as one of a criminal offence."""
    if report.status == ReportStatus.REGISTERED:
        return True
    if report.status == ReportStatus.REFERRED and report.referred_to is not None:
        return report.referred_to.is_prosecution_body
    return False


def _rank(candidates: list[dict[str, Any]], article: str, part: str) -> tuple[int | None, bool]:
    """1-based rank of ``article`` among the candidates, and whether the top one's part matched."""
    rank = next((i for i, c in enumerate(candidates, 1) if c["article"] == article), None)
    part_agreed = bool(candidates) and (candidates[0]["article"], candidates[0]["part"]) == (
        article,
        part,
    )
    return rank, part_agreed


def note_decision(user: Any, report: Report) -> None:
    """Journal the decision on ``report`` beside the proposals (``report.reviewed``)."""
    assessment = report.assessment
    if not assessment:
        return
    proposed_crime = assessment.get("kind") == CRIME
    data: dict[str, Any] = {
        "kui_number": report.kui_number,
        "organisation": report.organisation.code,
        "decision": report.status,
        "proposed_kind": assessment.get("kind"),
        "proposed": [
            {k: c[k] for k in ("article", "part", "paragraph", "confidence")}
            for c in assessment.get("candidates", [])
        ],
        "triage_agreed": proposed_crime == _decided_crime(report),
    }
    case = getattr(report, "case", None) if report.status == ReportStatus.REGISTERED else None
    if case is not None:
        article = str(case.article_id or "")
        part = case.part.number if case.part_id else ""
        rank, part_agreed = _rank(assessment.get("candidates", []), article, part)
        data.update(
            chosen={"article": article, "part": part, "paragraph": case.paragraph},
            article_rank=rank,
            part_agreed=part_agreed,
        )
    proposal = report.allocation_proposal or {}
    body = proposal.get("body") or {}
    if report.status == ReportStatus.REFERRED and body.get("organisation"):
        referred = report.referred_to.code if report.referred_to else ""
        data["body_agreed"] = referred == body["organisation"]["code"]
    record("report.reviewed", actor=user, obj=report, data=data)


@dataclass
class Agreement:
    """How often officials agreed with the proposals over the reviewed reports."""

    reviewed: int
    triage_agreed: int
    registered: int
    article_at_1: int
    article_at_3: int
    part_at_1: int

    @staticmethod
    def rate(hits: int, total: int) -> float | None:
        """``hits / total``, or None when nothing was counted."""
        return hits / total if total else None

    @property
    def triage_rate(self) -> float | None:
        return self.rate(self.triage_agreed, self.reviewed)

    @property
    def article_rate_1(self) -> float | None:
        return self.rate(self.article_at_1, self.registered)

    @property
    def article_rate_3(self) -> float | None:
        return self.rate(self.article_at_3, self.registered)

    @property
    def part_rate(self) -> float | None:
        return self.rate(self.part_at_1, self.registered)


def agreement(*, since: dt.datetime | None = None, organisation: str = "") -> Agreement:
    """Count the ``report.reviewed`` events (optionally since a time, of one body by code)."""
    events = Event.objects.filter(action="report.reviewed")
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    result = Agreement(0, 0, 0, 0, 0, 0)
    for payload in events.values_list("payload", flat=True).iterator():
        data = json.loads(payload)["data"]
        if organisation and data.get("organisation") != organisation:
            continue
        result.reviewed += 1
        result.triage_agreed += bool(data.get("triage_agreed"))
        if "chosen" in data and data.get("proposed"):
            rank = data.get("article_rank")
            result.registered += 1
            result.article_at_1 += rank == 1
            result.article_at_3 += rank is not None and rank <= TOP
            result.part_at_1 += bool(data.get("part_agreed"))
    return result


def agreement_command(*, days: int = 30, body: str = "", as_json: bool = False) -> int:
    """``tergeu qualification agreement``: print the agreement rates (0; 2 on bad input)."""
    if days < 0:
        sys.stderr.write("tergeu qualification agreement: --days must be 0 or more\n")
        return 2
    since = clock.now() - dt.timedelta(days=days) if days else None
    result = agreement(since=since, organisation=body.strip())
    figures = {
        "reviewed": result.reviewed,
        "triage_agreed": result.triage_agreed,
        "triage_rate": result.triage_rate,
        "registered": result.registered,
        "article_rate_at_1": result.article_rate_1,
        "article_rate_at_3": result.article_rate_3,
        "part_rate_at_1": result.part_rate,
    }
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return 0

    def pct(rate: float | None) -> str:
        return "-" if rate is None else f"{rate:.1%}"

    scope = f"body {body}" if body else "all bodies"
    period = f"last {days} days" if days else "all time"
    sys.stdout.write(
        f"Decisions on reports with proposals ({scope}, {period}): {result.reviewed}\n"
        f"  triage agreed (crime / not a crime): {pct(result.triage_rate)}\n"
        f"  registered with proposals: {result.registered}\n"
        f"  chosen article was the first proposal: {pct(result.article_rate_1)}\n"
        f"  chosen article among the first {TOP}: {pct(result.article_rate_3)}\n"
        f"  article and part as first proposed: {pct(result.part_rate)}\n"
    )
    return 0
