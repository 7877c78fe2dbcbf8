"""The software's proposals for a KUI report as the duty officer reads them.

The proposals are stored on the report as JSON when it is recorded
(:func:`tergeu.intake.review.assess_report`); this module turns them into what the review
page shows, in the reader's language: reasons and elements are rendered again from their
codes, the allocation's reasons are taken in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from tergeu.cases.models import Form
from tergeu.intake.models import Report
from tergeu.qualification.elements import ELEMENTS
from tergeu.qualification.triage import REASONS, Kind


@dataclass
class CandidateView:
    """One proposed qualification with its elements, ready for the template."""

    index: int
    article: str
    part: str
    paragraph: str
    title: str
    percent: int
    quote: str
    found: list[str]
    missing: list[str]

    @property
    def label(self) -> str:
        """'188(3)(3)': article, part and paragraph as officials write them."""
        text = self.article
        if self.part:
            text += f"({self.part})"
        if self.paragraph:
            text += f"({self.paragraph})"
        return text


@dataclass
class ProposalView:
    """Triage, candidates and allocation of a report, in the reader's language."""

    kind: str
    kind_label: str
    kind_percent: int
    reasons: list[str]
    candidates: list[CandidateView]
    body: dict[str, Any] | None = None
    own_body: bool = True
    form_label: str = ""
    officer: dict[str, Any] | None = None
    body_reasons: list[str] = field(default_factory=list)
    officer_reasons: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def is_crime(self) -> bool:
        return self.kind == Kind.CRIME


def _reason(item: dict[str, Any], same_language: bool) -> str:
    message = REASONS.get(item.get("code", ""))
    if same_language or message is None:
        return str(item.get("text", ""))
    try:
        return str(message) % dict(item.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return str(item.get("text", ""))


def _element(item: dict[str, str], attr: str, stored: str, same_language: bool) -> str:
    element = ELEMENTS.get(item.get("code", ""))
    if same_language or element is None:
        return item.get(stored, "")
    return str(getattr(element, attr))


def _candidate(index: int, data: dict[str, Any], same: bool) -> CandidateView:
    return CandidateView(
        index=index,
        article=data["article"],
        part=data.get("part", ""),
        paragraph=data.get("paragraph", ""),
        title=data.get("title", ""),
        percent=round(float(data.get("confidence", 0)) * 100),
        quote=data.get("quote", ""),
        found=[_element(e, "label", "label", same) for e in data.get("found", [])],
        missing=[_element(e, "question", "question", same) for e in data.get("missing", [])],
    )


def present(report: Report) -> ProposalView | None:
    """What the review page shows of ``report``'s proposals (None if it has none)."""
    data = report.assessment
    if not data:
        return None
    language = (translation.get_language() or "ru")[:2]
    same = data.get("language") == language
    kind = str(data.get("kind", Kind.OTHER))
    view = ProposalView(
        kind=kind,
        kind_label=str(Kind(kind).label) if kind in Kind.values else kind,
        kind_percent=round(float(data.get("kind_confidence", 0)) * 100),
        reasons=[_reason(r, same) for r in data.get("kind_reasons", [])],
        candidates=[_candidate(i, c, same) for i, c in enumerate(data.get("candidates", []))],
    )
    allocation = report.allocation_proposal or {}
    texts = (allocation.get("reasons") or {}).get(language, {})
    view.body = allocation.get("body")
    view.own_body = bool(allocation.get("own_body", True))
    view.officer = allocation.get("officer")
    view.body_reasons = list(texts.get("body", []))
    view.officer_reasons = list(texts.get("officer", []))
    view.error = str(texts.get("error") or allocation.get("error") or "")
    form = (view.body or {}).get("form", "")
    view.form_label = str(Form(form).label) if form in Form.values else form
    return view


def register_initial(view: ProposalView | None, use: int | None) -> dict[str, Any]:
    """Initial qualification and form of the register form: the chosen or the top candidate."""
    if view is None or not view.candidates or not view.is_crime:
        return {}
    index = use if use is not None and 0 <= use < len(view.candidates) else 0
    chosen = view.candidates[index]
    initial: dict[str, Any] = {
        "article": chosen.article,
        "part": chosen.part,
        "paragraph": chosen.paragraph,
    }
    form = (view.body or {}).get("form", "")
    if view.own_body and form in Form.values:
        initial["form"] = form
    return initial
