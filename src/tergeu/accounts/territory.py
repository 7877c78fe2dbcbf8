"""Territory: the regions of Kazakhstan and their districts.

The 20 regions (17 regions and the cities of Astana, Almaty and Shymkent) and their
2-digit codes come from KATO, the classifier of administrative-territorial objects
(``data/regions.json``, see ``data/README.md``); migration ``accounts.0002_load_regions``
loads them into every database with :func:`load_regions`, so no one edits them.

Districts are each installation's own: their 2-digit codes inside a region are part of the
codes of the bodies there (``RRDDBB``) and so of the ERDR numbers those bodies give. An
administrator creates and renames them with the services below (on the page, through the
API, or from a CSV file with ``tergeu manage load_districts``); anyone else is refused and
the refusal is journaled; every change is journaled (``district.created``,
``district.updated``). A district is never deleted, and its code does not change once a
body of the district has a code made from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tergeu.core.errors import NotFound, ServiceError, ValidationFailed
from tergeu.core.validation import Checker
from tergeu.integrity.journal import record, service

from .admin_services import _check_names, _require_admin, _text, _words_match
from .models import District, Organisation, Region

#: The regions of Kazakhstan with their KATO codes and names in three languages.
REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.json"
NAMES = ("name_kk", "name_ru", "name_en")
#: What :func:`update_district` may change: the region never does.
DISTRICT_UPDATABLE = frozenset({"code", *NAMES})
#: The columns of a file for :func:`import_districts` (``tergeu manage load_districts``).
CSV_COLUMNS = ("region_code", "code", *NAMES)

_DISTRICT_CODE = re.compile(r"^\d{2}$")


# ---------------------------------------------------------------- regions (KATO)


def region_rows() -> list[dict[str, str]]:
    """The regions of ``data/regions.json``: ``code``, ``name_kk``, ``name_ru``, ``name_en``."""
    rows: list[dict[str, str]] = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    return rows


def load_regions(region_model: Any = None, using: str = "default") -> dict[str, int]:
    """Create the missing regions of ``data/regions.json`` and correct the names of the
    others; never delete one. ``region_model`` is the model to write (a migration passes
    its historical one). Returns how many were created and updated."""
    model = region_model or Region
    existing = {r.code: r for r in model.objects.using(using).all()}
    counts = {"created": 0, "updated": 0}
    for row in region_rows():
        names = {name: row[name] for name in NAMES}
        found = existing.get(row["code"])
        if found is None:
            model.objects.using(using).create(code=row["code"], **names)
            counts["created"] += 1
        elif any(getattr(found, name) != value for name, value in names.items()):
            model.objects.using(using).filter(code=row["code"]).update(**names)
            counts["updated"] += 1
    return counts


@service
def regions(admin: Any) -> QuerySet[Region]:
    """The regions by code, each with its number of districts (``district_count``)."""
    _require_admin(admin, "regions")
    return Region.objects.annotate(district_count=Count("districts")).order_by("code")


# ---------------------------------------------------------------- districts


def district_snapshot(district: District) -> dict[str, Any]:
    """What the journal says of a district."""
    return {
        "region": district.region_id,
        "code": district.code,
        "name_kk": district.name_kk,
        "name_ru": district.name_ru,
        "name_en": district.name_en,
    }


def _with_bodies(qs: QuerySet[District]) -> QuerySet[District]:
    """Each district with the number of bodies in it (``body_count``)."""
    bodies = (
        Organisation.objects.filter(district=OuterRef("pk"))
        .order_by()
        .values("district")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(body_count=Coalesce(Subquery(bodies, output_field=IntegerField()), 0))


@service
def districts(admin: Any, *, region_code: str = "", q: str = "") -> QuerySet[District]:
    """Districts by region and code, with their region and number of bodies; filtered by
    region and searched by code or words of a name in any language."""
    _require_admin(admin, "districts")
    qs = _with_bodies(District.objects.select_related("region"))
    region_code, q = _text(region_code), _text(q)
    if region_code:
        qs = qs.filter(region_id=region_code)
    if q.isdigit():
        qs = qs.filter(code__startswith=q)
    elif q:
        qs = qs.filter(_words_match(NAMES, q))
    return qs.order_by("region_id", "code")


def _district(district_id: Any, *, lock: bool = False) -> District:
    qs = _with_bodies(District.objects.select_related("region"))
    if lock:
        qs = District.objects.select_related("region").select_for_update(of=("self",))
    try:
        found = qs.filter(pk=int(district_id)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(_("There is no such district."))
    return found


@service
def get_district(admin: Any, district_id: Any) -> District:
    """One district, with its region and number of bodies (``body_count``)."""
    _require_admin(admin, "get_district")
    return _district(district_id)


def _check_code(check: Checker, region: Region | None, code: str, own: District | None) -> None:
    """Two digits, not ``00`` (a body's code uses it for the whole region), free in the
    region."""
    if not _DISTRICT_CODE.match(code):
        check.add("code", _("A district code has 2 digits."))
    elif code == "00":
        check.add("code", _("The code 00 stands for the whole region in the codes of bodies."))
    elif region is not None:
        taken = District.objects.filter(region=region, code=code)
        if own is not None:
            taken = taken.exclude(pk=own.pk)
        if taken.exists():
            check.add(
                "code",
                _("Region %(region)s already has a district with the code %(code)s.")
                % {"region": region.code, "code": code},
            )


@service
def create_district(
    admin: Any, *, region_code: str, code: str, name_kk: str, name_ru: str, name_en: str
) -> District:
    """Create a district of a region: a 2-digit code (not ``00``) that is free in the
    region, and its names in Kazakh, Russian and English."""
    _require_admin(admin, "create_district")
    region_code, code = _text(region_code), _text(code)
    names = {"name_kk": _text(name_kk), "name_ru": _text(name_ru), "name_en": _text(name_en)}
    check = Checker()
    check.required("region_code", region_code)
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if region_code and region is None:
        check.add(
            "region_code",
            _("There is no region with the code %(code)s.") % {"code": region_code[:10]},
        )
    _check_code(check, region, code, None)
    _check_names(check, names)
    check.done()
    assert region is not None
    district = District.objects.create(region=region, code=code, **names)
    record("district.created", actor=admin, obj=district, data=district_snapshot(district))
    return district


@service
def update_district(admin: Any, district_id: Any, **fields: Any) -> District:
    """Change a district's names or code (only the fields given); its region never
    changes. The code changes only while no body of the district has a code made from it."""
    _require_admin(admin, "update_district")
    district = _district(district_id, lock=True)
    check = Checker()
    for name in sorted(set(fields) - DISTRICT_UPDATABLE):
        check.add(name, _("This field cannot be changed."))
    data = {k: _text(v) for k, v in fields.items() if k in DISTRICT_UPDATABLE}
    _check_names(check, data)
    if "code" in data and data["code"] != district.code:
        _check_code(check, district.region, data["code"], district)
        if Organisation.objects.filter(district=district).exists():
            check.add(
                "code",
                _(
                    "Bodies of this district have codes made from its code, so it cannot "
                    "change any more."
                ),
            )
    check.done()
    before = district_snapshot(district)
    for name, value in data.items():
        setattr(district, name, value)
    after = district_snapshot(district)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return district
    district.save()
    record(
        "district.updated",
        actor=admin,
        obj=district,
        data={
            "region": district.region_id,
            "code": district.code,
            "before": {k: before[k] for k in changed},
            "after": {k: after[k] for k in changed},
        },
    )
    return district


# ---------------------------------------------------------------- import from a file


@dataclass
class ImportedLine:
    """What became of one line of a districts file."""

    line: int
    region_code: str
    code: str
    status: str  # created, updated, unchanged or error
    errors: dict[str, list[str]] = field(default_factory=dict)


@service
def import_districts(
    admin: Any, rows: Iterable[tuple[int, Mapping[str, Any]]], *, dry_run: bool = False
) -> list[ImportedLine]:
    """Create or rename the districts of ``rows`` (line number, :data:`CSV_COLUMNS`), all
    or none: a district already there (same region and code) gets the names of its line.

    Every line goes through :func:`create_district` or :func:`update_district`, so it is
    checked and journaled the same way. If any line is refused (or ``dry_run``), nothing
    is written; the result tells, line by line, what was (or would have been) done and why
    a line was refused.
    """
    _require_admin(admin, "import_districts")
    results: list[ImportedLine] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        values = {name: _text(row.get(name)) for name in CSV_COLUMNS}
        key = (values["region_code"], values["code"])
        result = ImportedLine(line, *key, status="error")
        results.append(result)
        if key in seen:
            message = _("This district is already on line %(line)d.") % {"line": seen[key]}
            result.errors = {"code": [str(message)]}
            continue
        seen[key] = line
        names = {name: values[name] for name in NAMES}
        existing = District.objects.filter(region_id=key[0], code=key[1]).first()
        try:
            if existing is None:
                create_district(admin, region_code=key[0], code=key[1], **names)
                result.status = "created"
            else:
                before = district_snapshot(existing)
                after = district_snapshot(update_district(admin, existing.pk, **names))
                result.status = "updated" if after != before else "unchanged"
        except ValidationFailed as exc:
            result.errors = exc.field_texts()
        except ServiceError as exc:
            result.errors = {"": [exc.text()]}
    if dry_run or any(r.status == "error" for r in results):
        transaction.set_rollback(True)
    return results


def import_refused(results: list[ImportedLine]) -> bool:
    """Whether :func:`import_districts` refused the file (then it wrote nothing)."""
    return any(r.status == "error" for r in results)
