"""JSON API of administration: bodies (organisations), officials' accounts, regions and
districts.

Every operation calls :mod:`tergeu.accounts.admin_services` or
:mod:`tergeu.accounts.territory`, so only administrators may use it (anyone else gets
403, journaled) and every change is journaled.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, labelled, paged

from . import admin_services as services
from . import territory
from .models import District, Organisation, OrgKind, Region, Role, User

router = Router(tags=["administration"])

# ---------------------------------------------------------------- schemas


class OrganisationOut(Schema):
    """A body: its code, kind, names and links."""

    id: uuid.UUID
    code: str = Field(
        ..., description="6 digits RRDDBB: region, district (00: whole region), body."
    )
    kind: OrgKind
    kind_label: str = Field(..., description="The kind in the language of the request.")
    name: str = Field(..., description="Name in the language of the request.")
    name_kk: str
    name_ru: str
    name_en: str
    region_code: str
    district_code: str | None = Field(None, description="None: the body serves the region.")
    parent_code: str | None = Field(None, description="The body it is a unit of.")
    supervisor_code: str | None = Field(
        None, description="The prosecutor's office that supervises its investigations."
    )


class OrganisationIn(Schema):
    """A new body."""

    code: str = Field(..., max_length=6, description="6 digits RRDDBB.")
    kind: str = Field(..., description="police, anticorruption, economic, prosecutor, ...")
    name_kk: str = Field(..., max_length=300)
    name_ru: str = Field(..., max_length=300)
    name_en: str = Field(..., max_length=300)
    region_code: str = Field("", max_length=2, description="Default: the code's first 2 digits.")
    district_code: str = Field(
        "", max_length=2, description="Default: digits 3-4 of the code (none if 00)."
    )
    parent_code: str = Field("", max_length=6, description="Code of the body it is a unit of.")
    supervisor_code: str = Field(
        "", max_length=6, description="Code of the supervising prosecutor's office."
    )


class OrganisationPatch(Schema):
    """Changes to a body: only the fields sent change; the code never does."""

    kind: str | None = None
    name_kk: str | None = Field(None, max_length=300)
    name_ru: str | None = Field(None, max_length=300)
    name_en: str | None = Field(None, max_length=300)
    parent_code: str | None = Field(None, max_length=6, description="'' or null: no parent.")
    supervisor_code: str | None = Field(
        None, max_length=6, description="'' or null: no supervisor."
    )


class OrganisationRef(Schema):
    """A body, by code and name."""

    code: str
    name: str


class UserOut(Schema):
    """An official's account (never its password)."""

    id: int
    username: str
    last_name: str
    first_name: str
    patronymic: str
    full_name: str
    iin: str | None
    role: Role
    role_label: str = Field(..., description="The role in the language of the request.")
    organisation: OrganisationRef | None
    language: str
    email: str
    phone: str
    is_active: bool
    date_joined: dt.datetime
    last_login: dt.datetime | None


class UserIn(Schema):
    """A new account."""

    username: str = Field(..., max_length=150)
    last_name: str = Field(..., max_length=150)
    first_name: str = Field(..., max_length=150)
    patronymic: str = Field("", max_length=150)
    iin: str = Field(..., description="IIN, 12 digits.")
    role: str = Field(..., description="investigator, head_of_unit, prosecutor, judge, ...")
    organisation_code: str = Field("", max_length=6, description="Code of the body.")
    language: str = Field("ru", description="kk, ru or en.")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20, description="E.g. +7 701 234 56 78.")
    password: str = Field(..., max_length=128, description="At least 10 characters.")


class UserPatch(Schema):
    """Changes to an account: only the fields sent change. A change of role or body
    revokes the case grants that no longer fit."""

    username: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    first_name: str | None = Field(None, max_length=150)
    patronymic: str | None = Field(None, max_length=150)
    iin: str | None = None
    role: str | None = None
    organisation_code: str | None = Field(None, max_length=6, description="'' or null: none.")
    language: str | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=20)


class DeactivationIn(Schema):
    """Why an account is blocked."""

    reason: str = Field(..., max_length=1000)


class PasswordIn(Schema):
    """A new password for an account."""

    password: str = Field(..., max_length=128, description="At least 10 characters.")


class OrganisationFilter(PageParams):
    """Search of bodies."""

    q: str = Field("", max_length=200, description="Beginning of the code, or words of a name.")
    kind: str = Field("", description="Only bodies of this kind.")


class UserFilter(PageParams):
    """Search of accounts."""

    q: str = Field("", max_length=200, description="IIN (its beginning), user name or words.")
    organisation: str = Field("", max_length=6, description="Code of a body.")
    role: str = Field("", description="Only this role.")
    active: bool | None = Field(None, description="Only active (true) or blocked (false).")


class RegionOut(Schema):
    """A region or city of republican significance (KATO), with its number of districts."""

    code: str = Field(..., description="2 digits: the first two of the KATO code.")
    name: str = Field(..., description="Name in the language of the request.")
    name_kk: str
    name_ru: str
    name_en: str
    districts: int = Field(..., description="How many districts it has in Tergeu.")


class DistrictOut(Schema):
    """A district of a region."""

    id: int
    region_code: str
    code: str = Field(..., description="2 digits inside the region (digits 3-4 of body codes).")
    name: str = Field(..., description="Name in the language of the request.")
    name_kk: str
    name_ru: str
    name_en: str
    bodies: int = Field(
        ..., description="How many bodies are in it; while there are any, the code is fixed."
    )


class DistrictIn(Schema):
    """A new district."""

    region_code: str = Field(..., max_length=2, description="The region's 2-digit code.")
    code: str = Field(..., max_length=2, description="2 digits, not 00, free in the region.")
    name_kk: str = Field(..., max_length=300)
    name_ru: str = Field(..., max_length=300)
    name_en: str = Field(..., max_length=300)


class DistrictPatch(Schema):
    """Changes to a district: only the fields sent change; the region never does, the code
    only while no body is in the district."""

    code: str | None = Field(None, max_length=2)
    name_kk: str | None = Field(None, max_length=300)
    name_ru: str | None = Field(None, max_length=300)
    name_en: str | None = Field(None, max_length=300)


class DistrictFilter(PageParams):
    """Search of districts."""

    region: str = Field("", max_length=2, description="Only the districts of this region.")
    q: str = Field("", max_length=200, description="Beginning of the code, or words of a name.")


# ---------------------------------------------------------------- conversions


def organisation_out(org: Organisation) -> dict[str, Any]:
    """The API representation of a body (its links must be select_related)."""
    return {
        "id": org.pk,
        "code": org.code,
        "kind": org.kind,
        "kind_label": labelled(org.kind, OrgKind.choices),
        "name": org.name,
        "name_kk": org.name_kk,
        "name_ru": org.name_ru,
        "name_en": org.name_en,
        "region_code": org.region_id,
        "district_code": org.district.code if org.district else None,
        "parent_code": org.parent.code if org.parent else None,
        "supervisor_code": org.supervisor.code if org.supervisor else None,
    }


def user_out(user: User) -> dict[str, Any]:
    """The API representation of an account."""
    org = user.organisation
    return {
        "id": user.pk,
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "patronymic": user.patronymic,
        "full_name": user.full_name,
        "iin": user.iin,
        "role": user.role,
        "role_label": labelled(user.role, Role.choices),
        "organisation": {"code": org.code, "name": org.name} if org else None,
        "language": user.language,
        "email": user.email,
        "phone": user.phone,
        "is_active": user.is_active,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def region_out(region: Region) -> dict[str, Any]:
    """The API representation of a region (annotated with ``district_count``)."""
    return {
        "code": region.code,
        "name": region.name,
        "name_kk": region.name_kk,
        "name_ru": region.name_ru,
        "name_en": region.name_en,
        "districts": getattr(region, "district_count", 0),
    }


def district_out(district: District) -> dict[str, Any]:
    """The API representation of a district (annotated with ``body_count``)."""
    return {
        "id": district.pk,
        "region_code": district.region_id,
        "code": district.code,
        "name": district.name,
        "name_kk": district.name_kk,
        "name_ru": district.name_ru,
        "name_en": district.name_en,
        "bodies": getattr(district, "body_count", 0),
    }


def _sent(payload: Schema) -> dict[str, Any]:
    """The fields sent in a PATCH, ``null`` meaning empty."""
    return {k: ("" if v is None else v) for k, v in payload.dict(exclude_unset=True).items()}


# ---------------------------------------------------------------- organisations


@router.get(
    "/admin/organisations",
    response={200: PageOut[OrganisationOut], **ERRORS},
    summary="Bodies",
)
def list_organisations(request: HttpRequest, params: Query[OrganisationFilter]) -> dict[str, Any]:
    """Bodies by code, searched by code or name; for administrators."""
    qs = services.organisations(actor(request), q=params.q, kind=params.kind)
    return paged(qs, params, organisation_out)


@router.post(
    "/admin/organisations",
    response={201: OrganisationOut, **ERRORS},
    summary="Create a body",
)
def create_organisation(
    request: HttpRequest, payload: OrganisationIn
) -> tuple[int, dict[str, Any]]:
    """Create a body; its code's region and district must exist."""
    org = services.create_organisation(actor(request), **payload.dict())
    return 201, organisation_out(services.get_organisation(actor(request), org.pk))


@router.get(
    "/admin/organisations/{org_id}",
    response={200: OrganisationOut, **ERRORS},
    summary="A body",
)
def get_organisation(request: HttpRequest, org_id: str) -> dict[str, Any]:
    """One body."""
    return organisation_out(services.get_organisation(actor(request), org_id))


@router.patch(
    "/admin/organisations/{org_id}",
    response={200: OrganisationOut, **ERRORS},
    summary="Change a body",
)
def update_organisation(
    request: HttpRequest, org_id: str, payload: OrganisationPatch
) -> dict[str, Any]:
    """Change the kind, names, parent or supervisor of a body (the fields sent)."""
    org = services.update_organisation(actor(request), org_id, **_sent(payload))
    return organisation_out(services.get_organisation(actor(request), org.pk))


# ---------------------------------------------------------------- users


@router.get("/admin/users", response={200: PageOut[UserOut], **ERRORS}, summary="Accounts")
def list_users(request: HttpRequest, params: Query[UserFilter]) -> dict[str, Any]:
    """Accounts by name, searched by IIN, user name or name, filtered by body and role."""
    qs = services.users(
        actor(request),
        q=params.q,
        organisation_code=params.organisation,
        role=params.role,
        active=params.active,
    )
    return paged(qs, params, user_out)


@router.post("/admin/users", response={201: UserOut, **ERRORS}, summary="Create an account")
def create_user(request: HttpRequest, payload: UserIn) -> tuple[int, dict[str, Any]]:
    """Create an account; a new head of unit gets the grants of the body's open cases."""
    return 201, user_out(services.create_user(actor(request), **payload.dict()))


@router.get("/admin/users/{user_id}", response={200: UserOut, **ERRORS}, summary="An account")
def get_user(request: HttpRequest, user_id: int) -> dict[str, Any]:
    """One account."""
    return user_out(services.get_user(actor(request), user_id))


@router.patch(
    "/admin/users/{user_id}", response={200: UserOut, **ERRORS}, summary="Change an account"
)
def update_user(request: HttpRequest, user_id: int, payload: UserPatch) -> dict[str, Any]:
    """Change the fields sent; a change of role or body revokes grants that no longer fit."""
    return user_out(services.update_user(actor(request), user_id, **_sent(payload)))


@router.post(
    "/admin/users/{user_id}/deactivate",
    response={200: UserOut, **ERRORS},
    summary="Block an account",
)
def deactivate_user(request: HttpRequest, user_id: int, payload: DeactivationIn) -> dict[str, Any]:
    """Block an account: no more sign-in; its API tokens are revoked."""
    return user_out(services.deactivate_user(actor(request), user_id, payload.reason))


@router.post(
    "/admin/users/{user_id}/password",
    response={200: UserOut, **ERRORS},
    summary="Set a new password",
)
def reset_password(request: HttpRequest, user_id: int, payload: PasswordIn) -> dict[str, Any]:
    """Set a new password for an account; its open sessions end."""
    return user_out(services.reset_password(actor(request), user_id, payload.password))


# ---------------------------------------------------------------- regions and districts


@router.get("/admin/regions", response={200: list[RegionOut], **ERRORS}, summary="Regions")
def list_regions(request: HttpRequest) -> list[dict[str, Any]]:
    """The 20 regions and cities of republican significance (KATO), by code, each with its
    number of districts. They come with the installation and are not edited."""
    return [region_out(r) for r in territory.regions(actor(request))]


@router.get("/admin/districts", response={200: PageOut[DistrictOut], **ERRORS}, summary="Districts")
def list_districts(request: HttpRequest, params: Query[DistrictFilter]) -> dict[str, Any]:
    """Districts by region and code, filtered by region, searched by code or name."""
    qs = territory.districts(actor(request), region_code=params.region, q=params.q)
    return paged(qs, params, district_out)


@router.post("/admin/districts", response={201: DistrictOut, **ERRORS}, summary="Create a district")
def create_district(request: HttpRequest, payload: DistrictIn) -> tuple[int, dict[str, Any]]:
    """Create a district of a region: a 2-digit code free in the region, three names."""
    district = territory.create_district(actor(request), **payload.dict())
    return 201, district_out(territory.get_district(actor(request), district.pk))


@router.get(
    "/admin/districts/{district_id}", response={200: DistrictOut, **ERRORS}, summary="A district"
)
def get_district(request: HttpRequest, district_id: int) -> dict[str, Any]:
    """One district."""
    return district_out(territory.get_district(actor(request), district_id))


@router.patch(
    "/admin/districts/{district_id}",
    response={200: DistrictOut, **ERRORS},
    summary="Change a district",
)
def update_district(
    request: HttpRequest, district_id: int, payload: DistrictPatch
) -> dict[str, Any]:
    """Change the names or the code of a district (the fields sent)."""
    district = territory.update_district(actor(request), district_id, **_sent(payload))
    return district_out(territory.get_district(actor(request), district.pk))
