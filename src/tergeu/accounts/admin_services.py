"""Administration of bodies (organisations) and officials: the administrator's services.

Only a person with the role *administrator* may call these; anyone else is refused and the
refusal is journaled. Every change is journaled (``org.*``, ``user.*``), and so is every
case grant that follows from it:

- an official who becomes head of unit of a body (created so, promoted or moved there)
  gets the ``head`` grant on every open case of that body (a case is open unless it is
  archived), as the heads present at registration got it;
- an official whose role or body changes loses the grants that no longer fit
  (:data:`GRANT_HOLDERS`, :data:`OWN_BODY_GRANTS`): moved to another body, the
  investigator, team, head and registrar grants on the old body's cases, the prosecutor
  grants on the cases the old office supervises and the court grants are revoked;
- a deactivated official cannot sign in and their API tokens are revoked.

The first administrator of a fresh installation is made by :func:`bootstrap_administrator`
(``tergeu manage create_user --superadmin``), journaled without an actor.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tergeu.cases.models import Case, Grant, GrantRole, Stage
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, Conflict, NotFound
from tergeu.core.validation import Checker
from tergeu.integrity.journal import deny, record, service

from .models import (
    INVESTIGATING_ROLES,
    PROSECUTION_BODY_KINDS,
    REGISTERING_ROLES,
    ApiToken,
    District,
    Organisation,
    OrgKind,
    Region,
    Role,
    User,
)

#: Which kinds of body an official of each role works in; ``None``: any body, or none.
ROLE_ORG_KINDS: dict[str, frozenset[str] | None] = {
    Role.INVESTIGATOR: PROSECUTION_BODY_KINDS,
    Role.INQUIRY_OFFICER: PROSECUTION_BODY_KINDS,
    Role.HEAD_OF_UNIT: PROSECUTION_BODY_KINDS,
    Role.DUTY_OFFICER: PROSECUTION_BODY_KINDS,
    Role.PROSECUTOR: frozenset({OrgKind.PROSECUTOR}),
    Role.INVESTIGATING_JUDGE: frozenset({OrgKind.COURT}),
    Role.JUDGE: frozenset({OrgKind.COURT}),
    Role.DEFENDER: frozenset({OrgKind.BAR}),
    Role.EXPERT: frozenset({OrgKind.FORENSIC}),
    Role.ANALYST: None,
    Role.ADMINISTRATOR: None,
}

#: Which roles may hold each kind of case grant; a role change revokes the others.
GRANT_HOLDERS: dict[str, frozenset[str]] = {
    GrantRole.INVESTIGATOR: frozenset(INVESTIGATING_ROLES),
    GrantRole.TEAM: frozenset(REGISTERING_ROLES),
    GrantRole.HEAD: frozenset({Role.HEAD_OF_UNIT}),
    GrantRole.REGISTRAR: frozenset(REGISTERING_ROLES),
    GrantRole.PROSECUTOR: frozenset({Role.PROSECUTOR}),
    GrantRole.COURT: frozenset({Role.JUDGE, Role.INVESTIGATING_JUDGE}),
    GrantRole.DEFENDER: frozenset({Role.DEFENDER}),
    GrantRole.EXPERT: frozenset({Role.EXPERT}),
}
#: Grants held as staff of the body that registered the case.
OWN_BODY_GRANTS = frozenset(
    {GrantRole.INVESTIGATOR, GrantRole.TEAM, GrantRole.HEAD, GrantRole.REGISTRAR}
)
#: Grants held through the body at all (defenders and experts hold theirs in person).
BODY_GRANTS = OWN_BODY_GRANTS | {GrantRole.PROSECUTOR, GrantRole.COURT}

#: What :func:`update_organisation` may change: the code (with its region and district)
#: is part of the ERDR numbers the body has given, so it never changes.
ORG_UPDATABLE = frozenset(
    {"kind", "name_kk", "name_ru", "name_en", "parent_code", "supervisor_code"}
)
USER_FIELDS = (
    "username",
    "last_name",
    "first_name",
    "patronymic",
    "iin",
    "role",
    "organisation_code",
    "language",
    "email",
    "phone",
)
#: What :func:`update_user` may change (the password: :func:`reset_password`).
USER_UPDATABLE = frozenset(USER_FIELDS)

_CODE = re.compile(r"^\d{6}$")
_username = UnicodeUsernameValidator()


# ---------------------------------------------------------------- access


def is_administrator(user: Any) -> bool:
    """True if ``user`` is an active, signed-in administrator."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "role", "") == Role.ADMINISTRATOR
    )


def _require_admin(user: Any, action: str) -> None:
    """Refuse (journaled by :func:`service`) unless ``user`` is an administrator."""
    if not is_administrator(user):
        raise deny(
            AccessDenied(_("Only an administrator may do this.")),
            user if getattr(user, "pk", None) else None,
            f"admin.{action}",
            None,
            "not an administrator",
        )


@service
def require_administrator(user: Any, action: str = "page") -> None:
    """Refuse (journaled) unless ``user`` is an administrator: for pages that show only a
    blank form before any other service is called."""
    _require_admin(user, action)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _variants(word: str) -> set[str]:
    """Case variants of ``word``: SQLite's LIKE folds the case of ASCII letters only."""
    return {word, word.lower(), word.upper(), word.capitalize()}


def _words_match(fields: Iterable[str], q: str) -> Q:
    """Every word of ``q`` (at most 5) is found in one of ``fields``."""
    fields = tuple(fields)
    condition = Q()
    for word in q.split()[:5]:
        any_field = Q()
        for field in fields:
            for variant in _variants(word):
                any_field |= Q(**{f"{field}__contains": variant})
        condition &= any_field
    return condition


# ---------------------------------------------------------------- reading


@service
def organisations(admin: Any, *, q: str = "", kind: str = "") -> QuerySet[Organisation]:
    """Bodies by code, with their region, district, parent and supervisor; searched by code
    (its beginning) or words of a name in any language."""
    _require_admin(admin, "organisations")
    qs = Organisation.objects.select_related("region", "district", "parent", "supervisor")
    q = _text(q)
    if q.isdigit():
        qs = qs.filter(code__startswith=q)
    elif q:
        qs = qs.filter(_words_match(("name_kk", "name_ru", "name_en"), q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("code")


@service
def users(
    admin: Any,
    *,
    q: str = "",
    organisation_code: str = "",
    role: str = "",
    active: bool | None = None,
) -> QuerySet[User]:
    """Accounts by name, with their body; searched by IIN, user name or words of the name,
    filtered by body (code), role and whether the account is active."""
    _require_admin(admin, "users")
    qs = User.objects.select_related("organisation")
    q = _text(q)
    if q.isdigit():
        qs = qs.filter(iin__startswith=q)
    elif q:
        qs = qs.filter(
            Q(username__iexact=q)
            | _words_match(("last_name", "first_name", "patronymic", "username"), q)
        )
    if organisation_code:
        qs = qs.filter(organisation__code=organisation_code)
    if role:
        qs = qs.filter(role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("last_name", "first_name", "username")


def _organisation(org_id: Any, *, lock: bool = False) -> Organisation:
    qs = Organisation.objects.select_related("region", "district", "parent", "supervisor")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        org = qs.filter(pk=uuid.UUID(str(org_id))).first()
    except ValueError:
        org = None
    if org is None:
        raise NotFound(_("There is no such body."))
    return org


def _user(user_id: Any, *, lock: bool = False) -> User:
    qs = User.objects.select_related("organisation")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        found = qs.filter(pk=int(user_id)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(_("There is no such account."))
    return found


@service
def get_organisation(admin: Any, org_id: Any) -> Organisation:
    """One body, for an administrator."""
    _require_admin(admin, "get_organisation")
    return _organisation(org_id)


@service
def get_user(admin: Any, user_id: Any) -> User:
    """One account, for an administrator."""
    _require_admin(admin, "get_user")
    return _user(user_id)


# ---------------------------------------------------------------- organisations


def _body(check: Checker, field: str, code: str) -> Organisation | None:
    """The body with ``code``, or a message on ``field``."""
    if not code:
        return None
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        check.add(field, _("There is no body with the code %(code)s.") % {"code": code[:20]})
    return org


def _check_names(check: Checker, data: Mapping[str, Any]) -> None:
    for name in ("name_kk", "name_ru", "name_en"):
        if name in data:
            check.required(name, data[name])
            check.max_length(name, data[name], 300)


def _check_links(
    check: Checker,
    org: Organisation | None,
    kind: str,
    parent: Organisation | None,
    supervisor: Organisation | None,
) -> None:
    """The parent is not the body itself nor one of its units; the supervisor is a
    prosecutor's office other than the body; a supervising office stays one."""
    if parent is not None and org is not None:
        seen: set[Any] = set()
        node: Organisation | None = parent
        while node is not None and node.pk not in seen:
            if node.pk == org.pk:
                check.add(
                    "parent_code", _("A body cannot be inside itself or one of its own units.")
                )
                break
            seen.add(node.pk)
            node = node.parent
    if supervisor is not None:
        if supervisor.kind != OrgKind.PROSECUTOR:
            check.add("supervisor_code", _("The supervisor must be a prosecutor's office."))
        elif org is not None and supervisor.pk == org.pk:
            check.add("supervisor_code", _("A body cannot supervise itself."))
    if (
        org is not None
        and kind != OrgKind.PROSECUTOR
        and Organisation.objects.filter(supervisor=org).exists()
    ):
        check.add(
            "kind",
            _("This body supervises other bodies, so it must stay a prosecutor's office."),
        )


def _org_snapshot(org: Organisation) -> dict[str, Any]:
    return {
        "code": org.code,
        "kind": org.kind,
        "name_kk": org.name_kk,
        "name_ru": org.name_ru,
        "name_en": org.name_en,
        "region": org.region_id,
        "district": org.district.code if org.district else None,
        "parent": org.parent.code if org.parent else None,
        "supervisor": org.supervisor.code if org.supervisor else None,
    }


@service
def create_organisation(
    admin: Any,
    *,
    code: str,
    kind: str,
    name_kk: str,
    name_ru: str,
    name_en: str,
    region_code: str = "",
    district_code: str = "",
    parent_code: str = "",
    supervisor_code: str = "",
) -> Organisation:
    """Create a body. ``code`` is RRDDBB: region, district (``00``: the whole region) and
    body number; ``region_code`` and ``district_code`` default to the code's, and must
    agree with it when given. ``supervisor_code`` names the prosecutor's office that
    supervises the body's investigations."""
    _require_admin(admin, "create_organisation")
    code, kind = _text(code), _text(kind)
    region_code, district_code = _text(region_code), _text(district_code)
    names = {"name_kk": _text(name_kk), "name_ru": _text(name_ru), "name_en": _text(name_en)}
    check = Checker()
    region: Region | None = None
    district: District | None = None
    if not _CODE.match(code):
        check.add("code", _("A body code has 6 digits: region, district and body (RRDDBB)."))
    else:
        if Organisation.objects.filter(code=code).exists():
            check.add("code", _("A body with the code %(code)s already exists.") % {"code": code})
        region_code = region_code or code[:2]
        if not district_code and code[2:4] != "00":
            district_code = code[2:4]
        prefix = region_code + (district_code or "00")
        if code[:4] != prefix:
            check.add(
                "code",
                _("The code must begin with the region and district codes: %(prefix)s.")
                % {"prefix": prefix[:4]},
            )
    check.required("region_code", region_code)
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            check.add(
                "region_code",
                _("There is no region with the code %(code)s.") % {"code": region_code[:10]},
            )
    if district_code and region is not None:
        district = District.objects.filter(region=region, code=district_code).first()
        if district is None:
            check.add(
                "district_code",
                _("Region %(region)s has no district with the code %(code)s.")
                % {"region": region.code, "code": district_code[:10]},
            )
    check.choice("kind", kind, OrgKind.choices)
    _check_names(check, names)
    parent = _body(check, "parent_code", _text(parent_code))
    supervisor = _body(check, "supervisor_code", _text(supervisor_code))
    _check_links(check, None, kind, parent, supervisor)
    check.done()
    assert region is not None
    org = Organisation.objects.create(
        code=code,
        kind=kind,
        region=region,
        district=district,
        parent=parent,
        supervisor=supervisor,
        **names,
    )
    record("org.created", actor=admin, obj=org, data=_org_snapshot(org))
    return org


@service
def update_organisation(admin: Any, org_id: Any, **fields: Any) -> Organisation:
    """Change a body's kind, names, parent or supervisor (only the fields given).

    The code, region and district never change: they are part of the ERDR numbers the body
    has given. An empty ``parent_code`` or ``supervisor_code`` removes the link.
    """
    _require_admin(admin, "update_organisation")
    org = _organisation(org_id, lock=True)
    check = Checker()
    for name in sorted(set(fields) - ORG_UPDATABLE):
        check.add(name, _("This field cannot be changed."))
    data = {k: _text(v) for k, v in fields.items() if k in ORG_UPDATABLE}
    kind = data.get("kind", org.kind)
    if "kind" in data:
        check.choice("kind", kind, OrgKind.choices)
    _check_names(check, data)
    parent = org.parent
    if "parent_code" in data:
        parent = _body(check, "parent_code", data["parent_code"])
    supervisor = org.supervisor
    if "supervisor_code" in data:
        supervisor = _body(check, "supervisor_code", data["supervisor_code"])
    _check_links(check, org, kind, parent, supervisor)
    check.done()
    before = _org_snapshot(org)
    org.kind = kind
    for name in ("name_kk", "name_ru", "name_en"):
        if name in data:
            setattr(org, name, data[name])
    org.parent, org.supervisor = parent, supervisor
    after = _org_snapshot(org)
    changed = {k for k in after if after[k] != before[k]}
    if not changed:
        return org
    org.save()
    record(
        "org.updated",
        actor=admin,
        obj=org,
        data={
            "code": org.code,
            "before": {k: before[k] for k in sorted(changed)},
            "after": {k: after[k] for k in sorted(changed)},
        },
    )
    return org


# ---------------------------------------------------------------- users


def _check_password(check: Checker, password: str, user: User, field: str = "password") -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS)."""
    if not password:
        check.required(field, password)
        return
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        for message in exc.messages:
            check.add(field, message)


def _check_user(
    check: Checker, data: dict[str, str], user: User | None
) -> tuple[dict[str, Any], Organisation | None]:
    """Check the account fields in ``data`` (all of them for a new account) and return
    them normalised, with the body they name."""
    clean: dict[str, Any] = {}
    if "username" in data:
        username = data["username"]
        check.required("username", username)
        check.max_length("username", username, 150)
        if username:
            try:
                _username(username)
            except DjangoValidationError:
                check.add("username", _("Use letters, digits and the signs @ . + - _ only."))
            taken = User.objects.filter(username__iexact=username)
            if user is not None:
                taken = taken.exclude(pk=user.pk)
            if taken.exists():
                check.add("username", _("This user name is taken."))
        clean["username"] = username
    for name in ("last_name", "first_name", "patronymic"):
        if name in data:
            if name != "patronymic":
                check.required(name, data[name])
            check.max_length(name, data[name], 150)
            clean[name] = data[name]
    if "iin" in data:
        iin = data["iin"]
        check.required("iin", iin)
        check.iin("iin", iin)
        if iin:
            taken = User.objects.filter(iin=iin)
            if user is not None:
                taken = taken.exclude(pk=user.pk)
            if taken.exists():
                check.add("iin", _("An account with this IIN already exists."))
        clean["iin"] = iin
    if "language" in data:
        check.choice("language", data["language"], settings.LANGUAGES)
        clean["language"] = data["language"]
    if "email" in data:
        check.max_length("email", data["email"], 254)
        check.email("email", data["email"])
        clean["email"] = data["email"]
    if "phone" in data:
        clean["phone"] = check.phone("phone", data["phone"])
    role = data.get("role", user.role if user else "")
    if "role" in data:
        check.choice("role", role, Role.choices)
        clean["role"] = role
    org = user.organisation if user else None
    if "organisation_code" in data:
        org = _body(check, "organisation_code", data["organisation_code"])
    if role in ROLE_ORG_KINDS and ("role" in data or "organisation_code" in data):
        kinds = ROLE_ORG_KINDS[role]
        if kinds is not None and org is None and "organisation_code" not in check.errors:
            check.add("organisation_code", _("Choose the body the official works in."))
        elif kinds is not None and org is not None and org.kind not in kinds:
            check.add(
                "organisation_code",
                _("The role “%(role)s” needs a body of this kind: %(kinds)s.")
                % {
                    "role": Role(role).label,
                    "kinds": ", ".join(sorted(str(OrgKind(k).label) for k in kinds)),
                },
            )
    return clean, org


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "patronymic": user.patronymic,
        "iin": user.iin,
        "role": user.role,
        "organisation": user.organisation.code if user.organisation else None,
        "language": user.language,
        "email": user.email,
        "phone": user.phone,
    }


def _new_user(actor: Any, fields: dict[str, Any], password: str, extra: dict[str, Any]) -> User:
    """Check, create and journal an account (with the head grants it brings)."""
    check = Checker()
    data = {name: _text(fields.get(name)) for name in USER_FIELDS}
    data["language"] = data["language"] or "ru"
    clean, org = _check_user(check, data, None)
    user = User(**{k: v for k, v in clean.items() if k != "iin"}, iin=clean["iin"] or None)
    user.organisation = org
    user.date_joined = clock.now()
    _check_password(check, password or "", user)
    check.done()
    user.set_password(password)  # the configured hasher: Argon2
    user.save()
    record(
        "user.created",
        actor=actor,
        obj=user,
        data={**_user_snapshot(user), **extra},
    )
    _grant_head_on_open_cases(user, actor)
    return user


@service
def create_user(
    admin: Any,
    *,
    username: str,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    iin: str,
    role: str,
    organisation_code: str = "",
    language: str = "ru",
    email: str = "",
    phone: str = "",
    password: str,
) -> User:
    """Create an account. Officials work in a body of the kind their role needs
    (:data:`ROLE_ORG_KINDS`); the password passes Django's validators and is stored as an
    Argon2 hash. A new head of unit gets the ``head`` grant on the body's open cases."""
    _require_admin(admin, "create_user")
    fields = {
        "username": username,
        "last_name": last_name,
        "first_name": first_name,
        "patronymic": patronymic,
        "iin": iin,
        "role": role,
        "organisation_code": organisation_code,
        "language": language,
        "email": email,
        "phone": phone,
    }
    return _new_user(admin, fields, password, {})


@service
def bootstrap_administrator(*, password: str, **fields: Any) -> User:
    """Create the first administrator of an installation, with no one acting (the event
    has no actor); ``fields`` as for :func:`create_user`, without ``role``. Refused once an
    active administrator exists: they create the others."""
    if User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).exists():
        raise Conflict(
            _("An administrator already exists: create further accounts as an administrator.")
        )
    check = Checker()
    for name in sorted(set(fields) - set(USER_FIELDS) | ({"role"} & set(fields))):
        check.add(name, _("This field cannot be changed here."))
    check.done()
    return _new_user(None, {**fields, "role": Role.ADMINISTRATOR}, password, {"bootstrap": True})


@service
def update_user(admin: Any, user_id: Any, **fields: Any) -> User:
    """Change an account's data, role or body (only the fields given).

    A change of role or body revokes the case grants that no longer fit (each journaled);
    a head of unit of a body gets the ``head`` grant on its open cases.
    """
    _require_admin(admin, "update_user")
    user = _user(user_id, lock=True)
    check = Checker()
    for name in sorted(set(fields) - USER_UPDATABLE):
        check.add(name, _("This field cannot be changed here."))
    data = {k: _text(v) for k, v in fields.items() if k in USER_UPDATABLE}
    if user.pk == admin.pk and data.get("role", user.role) != user.role:
        check.add("role", _("You cannot change your own role."))
    clean, org = _check_user(check, data, user)
    check.done()
    before = _user_snapshot(user)
    old_role, old_org_id = user.role, user.organisation_id
    for name, value in clean.items():
        setattr(user, name, (value or None) if name == "iin" else value)
    user.organisation = org
    after = _user_snapshot(user)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return user
    user.save()
    record(
        "user.updated",
        actor=admin,
        obj=user,
        data={
            "username": user.username,
            "before": {k: before[k] for k in changed},
            "after": {k: after[k] for k in changed},
        },
    )
    if user.role != old_role or user.organisation_id != old_org_id:
        _revoke_misfit_grants(user, admin, old_org_id)
        _grant_head_on_open_cases(user, admin)
    return user


@service
def deactivate_user(admin: Any, user_id: Any, reason: str) -> User:
    """Block an account: it can no longer sign in, and its API tokens are revoked."""
    _require_admin(admin, "deactivate_user")
    user = _user(user_id, lock=True)
    reason = _text(reason)
    check = Checker()
    check.required("reason", reason)
    check.max_length("reason", reason, 1000)
    if user.pk == admin.pk:
        check.add("user", _("You cannot deactivate your own account."))
    check.done()
    if not user.is_active:
        raise Conflict(_("This account is already deactivated."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(
        "user.deactivated",
        actor=admin,
        obj=user,
        data={"username": user.username, "reason": reason},
    )
    now = clock.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now, updated_at=now)
    for token in tokens:
        record(
            "token.revoked",
            actor=admin,
            obj=token,
            data={"name": token.name, "prefix": token.prefix, "reason": "account deactivated"},
        )
    return user


@service
def reset_password(admin: Any, user_id: Any, new_password: str) -> User:
    """Set a new password for an account (Django's validators; Argon2). The account's
    open sessions end, since they are bound to the old password."""
    _require_admin(admin, "reset_password")
    user = _user(user_id, lock=True)
    check = Checker()
    _check_password(check, new_password or "", user, "new_password")
    check.done()
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record("user.password_reset", actor=admin, obj=user, data={"username": user.username})
    return user


# ---------------------------------------------------------------- grants


def _grant_head_on_open_cases(user: User, by: Any) -> int:
    """Give an active head of unit the ``head`` grant on every open case of their body
    they do not hold yet (one query to find them, one bulk insert, an event for each)."""
    if user.role != Role.HEAD_OF_UNIT or user.organisation_id is None or not user.is_active:
        return 0
    held = Grant.objects.filter(user=user, role=GrantRole.HEAD, revoked_at__isnull=True)
    cases = list(
        Case.objects.filter(organisation_id=user.organisation_id)
        .exclude(stage=Stage.ARCHIVED)
        .exclude(pk__in=held.values("case_id"))
        .order_by("registered_at")
        .values_list("pk", "registered_at")
    )
    now = clock.now()
    rows = Grant.objects.bulk_create(
        [
            Grant(
                case_id=pk,
                user=user,
                role=GrantRole.HEAD,
                granted_at=now,
                granted_by=by,
                case_registered_at=registered_at,
            )
            for pk, registered_at in cases
        ],
        batch_size=500,
    )
    for row in rows:
        record(
            "case.access_granted",
            actor=by,
            case_id=row.case_id,
            obj=row,
            data={"user": str(user.pk), "role": GrantRole.HEAD, "reason": "head of unit"},
        )
    return len(rows)


def _misfits(user: User, old_org_id: Any) -> Q:
    """Which of the user's grants no longer fit their role and body."""
    holdable = [grant for grant, roles in GRANT_HOLDERS.items() if user.role in roles]
    condition = ~Q(role__in=holdable)
    org_id = user.organisation_id
    if org_id != old_org_id:
        if org_id is None:
            condition |= Q(role__in=BODY_GRANTS)
        else:
            condition |= Q(role__in=OWN_BODY_GRANTS) & ~Q(case__organisation_id=org_id)
            condition |= Q(role=GrantRole.PROSECUTOR) & ~Q(case__organisation__supervisor_id=org_id)
            condition |= Q(role=GrantRole.COURT)
    return condition


def _revoke_misfit_grants(user: User, by: Any, old_org_id: Any) -> int:
    """Revoke (``revoked_at``) and journal each grant that no longer fits the user."""
    rows = list(
        Grant.objects.select_for_update(of=("self",))
        .filter(user=user, revoked_at__isnull=True)
        .filter(_misfits(user, old_org_id))
        .order_by("granted_at", "pk")
    )
    if not rows:
        return 0
    now = clock.now()
    Grant.objects.filter(pk__in=[row.pk for row in rows]).update(revoked_at=now)
    for row in rows:
        record(
            "case.access_revoked",
            actor=by,
            case_id=row.case_id,
            obj=row,
            data={
                "user": str(user.pk),
                "role": row.role,
                "reason": "role or body changed",
                "user_role": user.role,
                "organisation": user.organisation.code if user.organisation else None,
            },
        )
    return len(rows)
