"""Proposals: the body (territory + jurisdiction, CPC art. 187, 189-191) and the officer
(specialisation, then the lightest load). Each proposal says why; a person decides.

Nothing here writes: :mod:`tergeu.allocation.services` journals proposals and decisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import INVESTIGATING_ROLES, Organisation, OrgKind, Role, User
from tergeu.cases.models import Grant, GrantRole
from tergeu.core.validation import Checker
from tergeu.qualification.models import Article, ArticlePart

from . import jurisdiction as law
from .gravity import CITATIONS as GRAVITY_CITATIONS
from .gravity import Gravity, gravity_of
from .models import OfficerState, Specialisation
from .rules import STAGE_WEIGHTS, case_weight
from .territory import bodies_for_place, check_place

#: Form proposed when no rule of art. 187 or 191 names the article (CPC art. 189(3)).
DEFAULT_FORM = "preliminary"
#: Body proposed when the competent body is not configured or the article is not listed.
FALLBACK_BODY = "internal_affairs"
#: The role that conducts each form (CPC art. 189: inquiry and protocol form by inquiry
#: officers, preliminary investigation by investigators).
ROLE_FOR_FORM = {
    "inquiry": Role.INQUIRY_OFFICER,
    "protocol": Role.INQUIRY_OFFICER,
    "preliminary": Role.INVESTIGATOR,
}
FORM_LABELS = {
    "preliminary": _("preliminary investigation"),
    "inquiry": _("inquiry"),
    "protocol": _("protocol form"),
    "accelerated": _("accelerated pre-trial investigation"),
}
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def _render(message: Any, params: dict[str, Any]) -> str:
    return str(message) % {k: str(v) for k, v in params.items()} if params else str(message)


_lazy_render = lazy(_render, str)


def _fmt(message: Any, **params: Any) -> Any:
    """A reason that is written in the language active when it is read (a lazy string),
    so one proposal can be journaled and shown in kk, ru and en."""
    return _lazy_render(message, params)


def _capitalised(text: Any) -> Any:
    return lazy(lambda: str(text).capitalize(), str)()


def _qualification(article: str, part: str, paragraph: str = "") -> str:
    text = f"{article}"
    if part:
        text += f" ч.{part}"
    if paragraph:
        text += f" п.{paragraph}"
    return text


# ---------------------------------------------------------------- body


@dataclass
class BodyProposal:
    """The body proposed for a report, the form of investigation, and why."""

    organisation: Organisation | None
    kind: str
    form: str
    reasons: list[Any] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    jurisdiction: str = ""  # body code of data/jurisdiction.json, e.g. "anticorruption"
    gravity: str = Gravity.UNKNOWN
    alternatives: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        org = self.organisation
        return {
            "organisation": (
                {"id": str(org.pk), "code": org.code, "kind": org.kind, "name": org.name}
                if org
                else None
            ),
            "kind": self.kind,
            "form": self.form,
            "jurisdiction": self.jurisdiction,
            "gravity": str(self.gravity),
            "reasons": [str(r) for r in self.reasons],
            "citations": list(self.citations),
            "alternatives": list(self.alternatives),
        }


def _resolve(check: Checker, article: Any, part: Any, paragraph: Any) -> tuple[str, str, str]:
    """Numbers of a qualification, checked against the Code (errors go to ``check``)."""
    from tergeu.core.errors import ValidationFailed
    from tergeu.qualification.services import resolve

    if isinstance(article, Article):
        return article.number, part.number if isinstance(part, ArticlePart) else (part or ""), ""
    try:
        art, art_part, para = resolve(str(article), part or None, paragraph or None)
    except ValidationFailed as exc:
        check.errors.update(exc.fields)
        return "", "", ""
    return art.number, art_part.number if art_part else "", para


def _choose(
    bodies: Iterable[str], region_code: str, district_code: str, reasons: list[Any]
) -> tuple[str, Organisation | None]:
    """The first body of the law's list that is configured and covers the place."""
    for body in bodies:
        kind = law.body_kind(body)
        if kind is None:
            reasons.append(
                _fmt(
                    _("No body of the kind '%(body)s' is configured in Tergeu."),
                    body=law.body_label(body),
                )
            )
            continue
        found = bodies_for_place(region_code, district_code, kinds=[kind])
        if found:
            return body, found[0]
        reasons.append(
            _fmt(_("No body of the kind '%(body)s' covers this place."), body=law.body_label(body))
        )
    return "", None


def propose_body(
    *,
    region_code: str,
    district_code: str = "",
    article: str | None,
    part: str | None = None,
    paragraph: str | None = None,
) -> BodyProposal:
    """Propose the body for an offence at a place, by jurisdiction over its article.

    Raises :class:`ValidationFailed` on ``region_code``, ``district_code``, ``article``,
    ``part`` or ``paragraph`` when they are unknown.
    """
    check = Checker()
    check_place(check, region_code, district_code)
    number = part_no = para = ""
    if article:
        number, part_no, para = _resolve(check, article, part, paragraph)
    check.done()
    region_code, district_code = region_code.strip(), (district_code or "").strip()
    reasons: list[Any] = []
    citations: list[str] = []
    alternatives: list[dict[str, Any]] = []
    gravity = gravity_of(number, part_no) if number else Gravity.UNKNOWN
    if not number:
        reasons.append(_("No article yet: only the territory decides."))
        bodies: tuple[str, ...] = (FALLBACK_BODY, "anticorruption", "economic")
        form = DEFAULT_FORM
    else:
        found = law.matches(number, part_no, para)
        plain = [m for m in found if not m.condition]
        primary = next((m for m in plain if m.how == "full"), None) or (plain[0] if plain else None)
        for m in found:
            if m is primary:
                continue
            alternatives.append(
                {
                    "source": m.rule.source,
                    "bodies": list(m.rule.bodies),
                    "form": m.rule.form,
                    "condition": m.condition,
                }
            )
            if m.condition:
                reasons.append(
                    _fmt(
                        _("%(source)s: %(bodies)s, %(condition)s."),
                        source=m.rule.source,
                        bodies=", ".join(str(law.body_label(b)) for b in m.rule.bodies),
                        condition=law.CONDITIONS[m.condition],
                    )
                )
            citations.append(m.rule.source)
        if primary is None:
            bodies, form = (FALLBACK_BODY,), DEFAULT_FORM
            reasons.append(
                _fmt(
                    _(
                        "Article %(qualification)s is not listed in CPC art. 187 or 191: "
                        "preliminary investigation by the internal affairs bodies is proposed "
                        "(CPC art. 189(3)); the official decides."
                    ),
                    qualification=_qualification(number, part_no, para),
                )
            )
            citations.append("CPC art. 189 part 3")
        else:
            bodies, form = primary.rule.bodies, primary.rule.form
            citations.insert(0, primary.rule.source)
            reasons.insert(
                0,
                _fmt(
                    _(
                        "%(source)s: %(qualification)s is investigated by %(bodies)s "
                        "in the form of %(form)s."
                    ),
                    source=primary.rule.source,
                    qualification=_qualification(number, part_no, para),
                    bodies=", ".join(str(law.body_label(b)) for b in bodies),
                    form=FORM_LABELS[form],
                ),
            )
            if primary.how == "paragraph":
                reasons.append(
                    str(
                        _(
                            "Who investigates this part depends on its paragraph: "
                            "give it to be sure."
                        )
                    )
                )
            if len(bodies) > 1:
                reasons.append(
                    str(
                        _(
                            "The law names several bodies: the one that began the "
                            "investigation continues it."
                        )
                    )
                )
        if form == "inquiry":
            reasons.append(
                str(
                    _(
                        "Inquiry only when the suspect is known (CPC art. 191(13)); "
                        "otherwise preliminary investigation (CPC art. 189(3))."
                    )
                )
            )
            citations.append("CPC art. 191 part 13")
        if gravity != Gravity.UNKNOWN:
            reasons.append(
                _fmt(
                    _("Gravity: %(gravity)s (%(citation)s)."),
                    gravity=Gravity(gravity).label,
                    citation=GRAVITY_CITATIONS[Gravity(gravity)],
                )
            )
        if gravity in (Gravity.MINOR, Gravity.MEDIUM, Gravity.GRAVE) and form != "protocol":
            reasons.append(
                str(
                    _(
                        "Accelerated pre-trial investigation is possible if the offence and "
                        "the person are established and the person fully admits guilt "
                        "(CPC art. 190(2))."
                    )
                )
            )
            citations.append("CPC art. 190 part 2")
    chosen, org = _choose(bodies, region_code, district_code, reasons)
    if org is None and FALLBACK_BODY not in bodies:
        fallback = bodies_for_place(region_code, district_code, kinds=[OrgKind.POLICE])
        if fallback:
            org = fallback[0]
            reasons.append(
                str(
                    _(
                        "The police of the place is proposed instead: it records the report and "
                        "refers it to the competent body (CPC art. 181(5))."
                    )
                )
            )
            citations.append("CPC art. 181 part 5")
    if org is None:
        reasons.append(_("No criminal-prosecution body covers this place."))
    else:
        reasons.append(
            _fmt(
                _("%(body)s (%(code)s) covers the place of the offence."),
                body=org.name,
                code=org.code,
            )
        )
    return BodyProposal(
        organisation=org,
        kind=org.kind if org else "",
        form=form,
        reasons=reasons,
        citations=list(dict.fromkeys(citations)),
        jurisdiction=chosen,
        gravity=gravity,
        alternatives=alternatives,
    )


# ---------------------------------------------------------------- officer


@dataclass
class OfficerProposal:
    """The officer proposed for a case in a body, the ranking of all candidates, and why."""

    user: User | None
    reasons: list[Any] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    form: str = ""
    role: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "user": self.user.pk if self.user else None,
            "username": self.user.username if self.user else None,
            "form": self.form,
            "role": self.role,
            "reasons": [str(r) for r in self.reasons],
            "ranking": list(self.ranking),
        }


def loads(user_ids: Iterable[int]) -> dict[int, tuple[float, int]]:
    """``{user id: (weighted load, open cases)}`` from active investigator grants."""
    result: dict[int, tuple[float, int]] = dict.fromkeys(user_ids, (0.0, 0))
    rows = Grant.objects.filter(
        user_id__in=list(result),
        role=GrantRole.INVESTIGATOR,
        revoked_at__isnull=True,
        case__stage__in=list(STAGE_WEIGHTS),
    ).values_list("user_id", "case__stage", "case__article_id", "case__part__number")
    for uid, stage, article, part in rows:
        load, count = result[uid]
        result[uid] = (load + case_weight(stage, gravity_of(article, part or "")), count + 1)
    return result


def form_of(article: str, part: str = "", paragraph: str = "") -> str:
    """The form of investigation the law gives the article (art. 187, 191; default 189(3))."""
    plain = [m for m in law.matches(article, part, paragraph) if not m.condition]
    primary = next((m for m in plain if m.how == "full"), None) or (plain[0] if plain else None)
    return primary.rule.form if primary else DEFAULT_FORM


def propose_officer(
    organisation: Organisation,
    *,
    article: str | Article,
    part: str | ArticlePart | None,
    exclude: Iterable[Any] = (),
    form: str = "",
) -> OfficerProposal:
    """Propose an investigating officer of ``organisation`` for a case of ``article`` ``part``.

    Role by the form (``form`` if the official chose one, else the law's: inquiry officers
    for inquiry and protocol form, investigators for preliminary investigation; the other
    role when the body has none); then specialists first, then the lightest load, then the
    one given a case longest ago, then username.
    """
    number = article.number if isinstance(article, Article) else str(article)
    part_no = part.number if isinstance(part, ArticlePart) else str(part or "")
    chapter = (
        article.chapter
        if isinstance(article, Article)
        else (Article.objects.filter(number=number).values_list("chapter", flat=True).first() or "")
    )
    law_form = form_of(number, part_no)
    form = form or law_form
    role = ROLE_FOR_FORM.get(form, "")
    excluded = {getattr(x, "pk", x) for x in exclude}
    staff = list(
        User.objects.filter(
            organisation=organisation, is_active=True, role__in=list(INVESTIGATING_ROLES)
        )
        .exclude(pk__in=excluded)
        .order_by("username")
    )
    reasons: list[Any] = []
    if form != law_form:
        reasons.append(
            _fmt(
                _("The official chose the form: %(form)s (the law proposes %(law_form)s)."),
                form=FORM_LABELS.get(form, form),
                law_form=FORM_LABELS[law_form],
            )
        )
    candidates = [u for u in staff if u.role == role] if role else staff
    if role and not candidates and staff:
        reasons.append(
            _fmt(
                _("The body has no active %(role)s: other investigating officers are proposed."),
                role=Role(role).label,
            )
        )
        candidates = staff
    elif role:
        reasons.append(
            _fmt(
                _("%(form)s is conducted by: %(role)s (CPC art. 189)."),
                form=_capitalised(FORM_LABELS.get(form, form)),
                role=Role(role).label,
            )
        )
    if not candidates:
        reasons.append(_("The body has no active investigator or inquiry officer."))
        return OfficerProposal(None, reasons, [], form, role)
    ids = [u.pk for u in candidates]
    load = loads(ids)
    states = {s.user_id: s for s in OfficerState.objects.filter(user_id__in=ids)}
    specs = {s.user_id: s for s in Specialisation.objects.filter(user_id__in=ids)}

    def key(u: User) -> tuple[int, float, dt.datetime, str]:
        spec = specs.get(u.pk)
        state = states.get(u.pk)
        return (
            0 if spec and spec.covers(number, chapter) else 1,
            round(load[u.pk][0], 6),
            (state.last_allocated_at if state and state.last_allocated_at else _NEVER),
            u.username,
        )

    ordered = sorted(candidates, key=key)
    ranking = []
    for u in ordered:
        state = states.get(u.pk)
        ranking.append(
            {
                "user": u.pk,
                "username": u.username,
                "name": u.full_name,
                "role": u.role,
                "specialist": key(u)[0] == 0,
                "load": round(load[u.pk][0], 3),
                "open_cases": load[u.pk][1],
                "last_allocated_at": (
                    state.last_allocated_at.isoformat()
                    if state and state.last_allocated_at
                    else None
                ),
            }
        )
    best = ordered[0]
    top = ranking[0]
    if top["specialist"]:
        reasons.append(
            _fmt(_("%(name)s specialises in this article or its chapter."), name=best.full_name)
        )
    elif specs:
        reasons.append(_("No candidate specialises in this article or its chapter."))
    reasons.append(
        _fmt(
            _("%(name)s has the lightest load: %(load)s (%(cases)s open cases)."),
            name=best.full_name or best.username,
            load=top["load"],
            cases=top["open_cases"],
        )
    )
    if len(ordered) > 1 and key(ordered[1])[:2] == key(best)[:2]:
        reasons.append(_("Equal loads: the officer given a case longest ago comes first."))
    return OfficerProposal(best, reasons, ranking, form, role)
