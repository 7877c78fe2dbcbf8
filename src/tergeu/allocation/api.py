"""JSON API of allocation: proposals (body and officer, with reasons) and specialisations.

Every operation calls :mod:`tergeu.allocation.services`: proposals are journaled
(``allocation.proposed``); specialisations are set by administrators only (journaled).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from tergeu.core.api_helpers import ERRORS, actor

from . import services

router = Router(tags=["allocation"])


class ProposalIn(Schema):
    """The place and qualification of an offence."""

    region_code: str = Field(..., max_length=2, description="Region of the place (2 digits).")
    district_code: str = Field("", max_length=2, description="District of the place.")
    article: str | None = Field(None, max_length=10, description="Article of the Criminal Code.")
    part: str | None = Field(None, max_length=10, description="Part of the article.")
    paragraph: str | None = Field(None, max_length=10, description="Paragraph of the part.")


class BodyOut(Schema):
    """The proposed body: who investigates (CPC art. 187, 191) and where (territory)."""

    organisation: dict[str, Any] | None = Field(
        None, description="id, code, kind, name of the body; null if none covers the place."
    )
    kind: str
    form: str = Field(..., description="preliminary, inquiry or protocol (CPC art. 189, 191).")
    jurisdiction: str = Field(..., description="Body named by the law, e.g. anticorruption.")
    gravity: str = Field(..., description="Criminal Code art. 10, 11.")
    reasons: list[str] = Field(..., description="Why, in the language of the request.")
    citations: list[str]
    alternatives: list[dict[str, Any]]


class OfficerOut(Schema):
    """The proposed officer of the body and the ranking of all candidates."""

    user: int | None
    username: str | None
    form: str
    role: str
    reasons: list[str]
    ranking: list[dict[str, Any]] = Field(
        ..., description="user, username, name, role, specialist, load, open_cases, ..."
    )


class ProposalOut(Schema):
    body: BodyOut
    officer: OfficerOut | None


class SpecialisationIn(Schema):
    chapters: list[str] = Field(default_factory=list, description="Chapters, e.g. ['6'].")
    articles: list[str] = Field(default_factory=list, description="Articles, e.g. ['188'].")


class SpecialisationOut(Schema):
    user_id: int
    chapters: list[str]
    articles: list[str]


@router.post(
    "/allocation/proposals",
    response={200: ProposalOut, **ERRORS},
    summary="Propose the body and the officer",
)
def propose(request: HttpRequest, payload: ProposalIn) -> dict[str, Any]:
    """Propose the body for an offence at a place and, in it, the officer; journaled."""
    body, officer = services.propose(actor(request), **payload.dict())
    return {"body": body.as_json(), "officer": officer.as_json() if officer else None}


@router.get(
    "/allocation/specialisations/{user_id}",
    response={200: SpecialisationOut, **ERRORS},
    summary="An officer's specialisation",
)
def get_specialisation(request: HttpRequest, user_id: int) -> dict[str, Any]:
    """What the officer specialises in (administrators)."""
    spec = services.get_specialisation(actor(request), user_id)
    return {
        "user_id": user_id,
        "chapters": spec.chapters if spec else [],
        "articles": spec.articles if spec else [],
    }


@router.put(
    "/allocation/specialisations/{user_id}",
    response={200: SpecialisationOut, **ERRORS},
    summary="Set an officer's specialisation",
)
def set_specialisation(
    request: HttpRequest, user_id: int, payload: SpecialisationIn
) -> dict[str, Any]:
    """Set the chapters and articles the officer specialises in (administrators; journaled)."""
    spec = services.set_specialisation(
        actor(request), user_id, chapters=payload.chapters, articles=payload.articles
    )
    return {"user_id": user_id, "chapters": spec.chapters, "articles": spec.articles}
