"""Administration pages: bodies (organisations), officials' accounts and districts.

Only administrators see them; anyone else gets 403 (the refusal is journaled by the
service that reads the list or the object). Every change goes through
:mod:`tergeu.accounts.admin_services` or :mod:`tergeu.accounts.territory`.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tergeu.accounts import admin_services as services
from tergeu.accounts import territory
from tergeu.accounts.models import District, Organisation, OrgKind, Region, Role
from tergeu.core.errors import ServiceError
from tergeu.core.pagination import paginate

from ..forms import LANGUAGE_CHOICES, apply_error
from .common import PAGE_SIZE, http_errors, page_number, query_without_page

# ---------------------------------------------------------------- forms


def _organisation_choices(
    kinds: set[str] | None = None, exclude: str = ""
) -> list[tuple[str, str]]:
    """'—' and the bodies (of ``kinds``, without the one coded ``exclude``) by code."""
    qs = Organisation.objects.order_by("code").exclude(code=exclude)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    return [("", "—"), *((o.code, f"{o.code} {o.name}") for o in qs)]


def _choose(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    """Give the choice field ``name`` of ``form`` its choices (read when the form is made)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class OrganisationFilterForm(forms.Form):
    """Search of the list of bodies (GET)."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Beginning of the code, or words of the name"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *OrgKind.choices],
    )


class OrganisationForm(forms.Form):
    """A body: code, kind, names in three languages, territory, parent, supervisor."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=6,
        help_text=gettext_lazy("6 digits: region, district (00 for the whole region), body."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OrgKind.choices)
    name_kk = forms.CharField(label=gettext_lazy("Name in Kazakh"), max_length=300)
    name_ru = forms.CharField(label=gettext_lazy("Name in Russian"), max_length=300)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=300)
    region = forms.ChoiceField(
        label=gettext_lazy("Region"),
        required=False,
        help_text=gettext_lazy("Leave empty to take it from the code."),
    )
    district = forms.ChoiceField(
        label=gettext_lazy("District"),
        required=False,
        help_text=gettext_lazy("Leave empty to take it from the code."),
    )
    parent = forms.ChoiceField(label=gettext_lazy("Part of"), required=False)
    supervisor = forms.ChoiceField(
        label=gettext_lazy("Supervising prosecutor's office"), required=False
    )

    field_map = {
        "region_code": "region",
        "district_code": "district",
        "parent_code": "parent",
        "supervisor_code": "supervisor",
    }

    def __init__(self, *args: Any, instance: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        own = instance.code if instance else ""
        _choose(self, "parent", _organisation_choices(exclude=own))
        _choose(self, "supervisor", _organisation_choices({OrgKind.PROSECUTOR}, exclude=own))
        if instance is not None:
            # The code, region and district are part of the ERDR numbers: never changed.
            for name in ("code", "region", "district"):
                del self.fields[name]
            return
        regions = Region.objects.order_by("code")
        _choose(self, "region", [("", "—"), *((r.code, f"{r.code} {r.name}") for r in regions)])
        districts = District.objects.select_related("region").order_by("region__code", "code")
        labels = ((d, f"{d.region_id}{d.code} {d.region.name}: {d.name}") for d in districts)
        _choose(self, "district", [("", "—"), *((f"{d.region_id}:{d.code}", t) for d, t in labels)])

    @staticmethod
    def initial_of(org: Organisation) -> dict[str, Any]:
        """The form's initial values for an existing body."""
        return {
            "kind": org.kind,
            "name_kk": org.name_kk,
            "name_ru": org.name_ru,
            "name_en": org.name_en,
            "parent": org.parent.code if org.parent else "",
            "supervisor": org.supervisor.code if org.supervisor else "",
        }

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for the create or update service."""
        data = dict(self.cleaned_data)
        kwargs = {
            "kind": data["kind"],
            "name_kk": data["name_kk"],
            "name_ru": data["name_ru"],
            "name_en": data["name_en"],
            "parent_code": data["parent"],
            "supervisor_code": data["supervisor"],
        }
        if self.instance is None:
            district = data.get("district") or ""
            region, _sep, district_code = district.partition(":")
            kwargs["code"] = data["code"]
            kwargs["region_code"] = data.get("region") or region
            kwargs["district_code"] = district_code
            if region and data.get("region") and region != data["region"]:
                kwargs["district_code"] = "?"  # the service reports it as unknown in the region
        return kwargs


class UserFilterForm(forms.Form):
    """Search and filters of the list of accounts (GET)."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Name, IIN or user name"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    organisation = forms.ChoiceField(label=gettext_lazy("Body"), required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        required=False,
        choices=[("", gettext_lazy("All roles")), *Role.choices],
    )
    active = forms.ChoiceField(
        label=gettext_lazy("Account"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("yes", gettext_lazy("Active")),
            ("no", gettext_lazy("Blocked")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(
            self, "organisation", [("", gettext_lazy("All bodies")), *_organisation_choices()[1:]]
        )


class UserForm(forms.Form):
    """An official's account; a new one has its first password."""

    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    patronymic = forms.CharField(label=gettext_lazy("Patronymic"), required=False, max_length=150)
    iin = forms.CharField(label=gettext_lazy("IIN"), max_length=12)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    organisation = forms.ChoiceField(label=gettext_lazy("Body"), required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=LANGUAGE_CHOICES, initial="ru"
    )
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput({"type": "tel"}),
    )

    field_map = {"organisation_code": "organisation", "new_password": "password"}

    def __init__(self, *args: Any, new: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "organisation", _organisation_choices())
        if new:
            for name in ("password", "password_again"):
                self.fields[name] = copy.deepcopy(PasswordForm.base_fields[name])

    def clean(self) -> dict[str, Any]:
        """The two passwords of a new account agree."""
        return _same_passwords(self, super().clean() or {})

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for the create or update service."""
        data = dict(self.cleaned_data)
        data.pop("password_again", None)
        data["organisation_code"] = data.pop("organisation")
        return data


class PasswordForm(forms.Form):
    """A new password, typed twice."""

    password = forms.CharField(
        label=gettext_lazy("Password"),
        max_length=128,
        strip=False,
        help_text=gettext_lazy("At least 10 characters, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=gettext_lazy("Password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_map = {"new_password": "password"}

    def clean(self) -> dict[str, Any]:
        """The two passwords agree."""
        return _same_passwords(self, super().clean() or {})


def _same_passwords(form: forms.Form, data: dict[str, Any]) -> dict[str, Any]:
    """Put an error on the second password if it differs from the first."""
    first, second = data.get("password"), data.get("password_again")
    if first and second and first != second:
        form.add_error("password_again", gettext_lazy("The two passwords differ."))
    return data


class DeactivateForm(forms.Form):
    """Why an account is blocked."""

    reason = forms.CharField(
        label=gettext_lazy("Reasons"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _region_choices() -> list[tuple[str, str]]:
    return [(r.code, f"{r.code} {r.name}") for r in Region.objects.order_by("code")]


class DistrictFilterForm(forms.Form):
    """Search of the list of districts (GET)."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Beginning of the code, or words of the name"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "region", [("", gettext_lazy("All regions")), *_region_choices()])


class DistrictForm(forms.Form):
    """A district: region (when new), 2-digit code, names in three languages."""

    region = forms.ChoiceField(label=gettext_lazy("Region"))
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=2,
        help_text=gettext_lazy(
            "2 digits inside the region (00 stands for the whole region). They are digits "
            "3 and 4 of the codes of the district's bodies."
        ),
    )
    name_kk = forms.CharField(label=gettext_lazy("Name in Kazakh"), max_length=300)
    name_ru = forms.CharField(label=gettext_lazy("Name in Russian"), max_length=300)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=300)

    field_map = {"region_code": "region"}

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            del self.fields["region"]  # a district never moves to another region
            self.initial = {**self.initial_of(instance), **self.initial}
            if instance.body_count:
                self.fields["code"].disabled = True
                self.fields["code"].help_text = gettext_lazy(
                    "Bodies of this district have codes made from it, so it cannot change."
                )
            return
        _choose(self, "region", [("", "—"), *_region_choices()])

    @staticmethod
    def initial_of(district: Any) -> dict[str, Any]:
        """The form's initial values for an existing district."""
        return {name: getattr(district, name) for name in ("code", *territory.NAMES)}

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for the create or update service."""
        data = self.cleaned_data
        kwargs = {name: data[name] for name in territory.NAMES}
        if not self.fields["code"].disabled:
            kwargs["code"] = data["code"]
        if self.instance is None:
            kwargs["region_code"] = data["region"]
        return kwargs


# ---------------------------------------------------------------- helpers


def _context(request: HttpRequest, section: str, **extra: Any) -> dict[str, Any]:
    return {"nav_section": "admin", "admin_section": section, **extra}


def _saved(request: HttpRequest, message: str, to: str, **kwargs: Any) -> HttpResponse:
    messages.success(request, message)
    return redirect(to, **kwargs)


# ---------------------------------------------------------------- organisations


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Bodies by code, with search by code or name and a filter by kind."""
    form = OrganisationFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    with http_errors():
        qs = services.organisations(request.user, q=data.get("q", ""), kind=data.get("kind", ""))
    page = paginate(qs, page_number(request), PAGE_SIZE)
    context = _context(
        request, "organisations", form=form, page=page, query=query_without_page(request)
    )
    return render(request, "web/admin/organisations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    """Create a body."""
    with http_errors():
        services.require_administrator(request.user, "organisation_new")
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            org = services.create_organisation(request.user, **form.service_kwargs())
        except ServiceError as exc:
            apply_error(form, exc, OrganisationForm.field_map)
        else:
            return _saved(
                request,
                _("The body %(code)s is created.") % {"code": org.code},
                "web:admin_organisations",
            )
    return render(
        request, "web/admin/organisation_form.html", _context(request, "organisations", form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    """Change a body's kind, names, parent or supervisor."""
    with http_errors():
        org = services.get_organisation(request.user, pk)
    if request.method == "POST":
        form = OrganisationForm(request.POST, instance=org)
        if form.is_valid():
            try:
                services.update_organisation(request.user, org.pk, **form.service_kwargs())
            except ServiceError as exc:
                apply_error(form, exc, OrganisationForm.field_map)
            else:
                return _saved(
                    request,
                    _("The body %(code)s is saved.") % {"code": org.code},
                    "web:admin_organisations",
                )
    else:
        form = OrganisationForm(initial=OrganisationForm.initial_of(org), instance=org)
    context = _context(request, "organisations", form=form, org=org)
    return render(request, "web/admin/organisation_form.html", context)


# ---------------------------------------------------------------- users


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    """Accounts by name, searched by name, IIN or user name, filtered by body and role."""
    form = UserFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    active = {"yes": True, "no": False}.get(data.get("active", ""))
    with http_errors():
        qs = services.users(
            request.user,
            q=data.get("q", ""),
            organisation_code=data.get("organisation", ""),
            role=data.get("role", ""),
            active=active,
        )
    page = paginate(qs, page_number(request), PAGE_SIZE)
    context = _context(request, "users", form=form, page=page, query=query_without_page(request))
    return render(request, "web/admin/users.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    """Create an account with its first password."""
    with http_errors():
        services.require_administrator(request.user, "user_new")
    form = UserForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            user = services.create_user(request.user, **form.service_kwargs())
        except ServiceError as exc:
            apply_error(form, exc, UserForm.field_map)
        else:
            return _saved(
                request,
                _("The account %(username)s is created.") % {"username": user.username},
                "web:admin_user",
                pk=user.pk,
            )
    return render(request, "web/admin/user_new.html", _context(request, "users", form=form))


def _render_user(request: HttpRequest, account: Any, **forms_: Any) -> HttpResponse:
    """The account page: its data form, a new password, deactivation."""
    if "form" not in forms_:
        initial = {
            name: getattr(account, name) for name in UserForm.base_fields if hasattr(account, name)
        }
        initial["organisation"] = account.organisation.code if account.organisation else ""
        forms_["form"] = UserForm(initial=initial, new=False)
    forms_.setdefault("password_form", PasswordForm(prefix="password"))
    forms_.setdefault("deactivate_form", DeactivateForm(prefix="deactivate"))
    return render(
        request, "web/admin/user_edit.html", _context(request, "users", account=account, **forms_)
    )


def _account(request: HttpRequest, pk: int) -> Any:
    with http_errors():
        return services.get_user(request.user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An account: change its data, role or body."""
    account = _account(request, pk)
    if request.method != "POST":
        return _render_user(request, account)
    form = UserForm(request.POST, new=False)
    if form.is_valid():
        try:
            services.update_user(request.user, account.pk, **form.service_kwargs())
        except ServiceError as exc:
            apply_error(form, exc, UserForm.field_map)
        else:
            return _saved(request, _("The account is saved."), "web:admin_user", pk=account.pk)
    return _render_user(request, account, form=form)


@login_required
@require_POST
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a new password for an account."""
    account = _account(request, pk)
    form = PasswordForm(request.POST, prefix="password")
    if form.is_valid():
        try:
            services.reset_password(request.user, account.pk, form.cleaned_data["password"])
        except ServiceError as exc:
            apply_error(form, exc, PasswordForm.field_map)
        else:
            return _saved(request, _("The new password is set."), "web:admin_user", pk=account.pk)
    return _render_user(request, account, password_form=form)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Block an account (no sign-in; its API tokens are revoked)."""
    account = _account(request, pk)
    form = DeactivateForm(request.POST, prefix="deactivate")
    if form.is_valid():
        try:
            services.deactivate_user(request.user, account.pk, form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_error(form, exc)
        else:
            return _saved(request, _("The account is blocked."), "web:admin_user", pk=account.pk)
    return _render_user(request, account, deactivate_form=form)


# ---------------------------------------------------------------- districts


@login_required
@require_GET
def district_list(request: HttpRequest) -> HttpResponse:
    """Districts by region: every region (with a search, those with districts found)."""
    form = DistrictFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    region_code, q = data.get("region", ""), data.get("q", "")
    with http_errors():
        regions = list(territory.regions(request.user))
        found = list(territory.districts(request.user, region_code=region_code, q=q))
    by_region: dict[str, list[Any]] = {}
    for district in found:
        by_region.setdefault(district.region_id, []).append(district)
    groups = [
        (region, by_region.get(region.code, []))
        for region in regions
        if (region.code == region_code if region_code else not q or region.code in by_region)
    ]
    context = _context(request, "districts", form=form, groups=groups, total=len(found))
    return render(request, "web/admin/districts.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def district_new(request: HttpRequest) -> HttpResponse:
    """Create a district of a region (``?region=RR`` chooses the region)."""
    with http_errors():
        services.require_administrator(request.user, "district_new")
    if request.method == "POST":
        form = DistrictForm(request.POST)
    else:
        form = DistrictForm(initial={"region": request.GET.get("region", "")[:2]})
    if form.is_bound and form.is_valid():
        try:
            district = territory.create_district(request.user, **form.service_kwargs())
        except ServiceError as exc:
            apply_error(form, exc, DistrictForm.field_map)
        else:
            return _saved(
                request,
                _("The district %(code)s of region %(region)s is created.")
                % {"code": district.code, "region": district.region_id},
                "web:admin_districts",
            )
    return render(
        request, "web/admin/district_form.html", _context(request, "districts", form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def district_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a district, or change its code while no body is in it."""
    with http_errors():
        district = territory.get_district(request.user, pk)
    if request.method == "POST":
        form = DistrictForm(request.POST, instance=district)
        if form.is_valid():
            try:
                territory.update_district(request.user, district.pk, **form.service_kwargs())
            except ServiceError as exc:
                apply_error(form, exc, DistrictForm.field_map)
            else:
                return _saved(
                    request,
                    _("The district %(code)s of region %(region)s is saved.")
                    % {"code": form.cleaned_data["code"], "region": district.region_id},
                    "web:admin_districts",
                )
    else:
        form = DistrictForm(instance=district)
    context = _context(request, "districts", form=form, district=district)
    return render(request, "web/admin/district_form.html", context)


#: Included by ``tergeu.web.urls`` under ``admin/`` (names in the ``web`` namespace).
urlpatterns = [
    path("organisations/", organisation_list, name="admin_organisations"),
    path("organisations/new/", organisation_new, name="admin_organisation_new"),
    path("organisations/<uuid:pk>/", organisation_edit, name="admin_organisation"),
    path("users/", user_list, name="admin_users"),
    path("users/new/", user_new, name="admin_user_new"),
    path("users/<int:pk>/", user_edit, name="admin_user"),
    path("users/<int:pk>/password/", user_password, name="admin_user_password"),
    path("users/<int:pk>/deactivate/", user_deactivate, name="admin_user_deactivate"),
    path("districts/", district_list, name="admin_districts"),
    path("districts/new/", district_new, name="admin_district_new"),
    path("districts/<int:pk>/", district_edit, name="admin_district"),
]
