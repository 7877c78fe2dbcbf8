"""Territorial jurisdiction: which criminal-prosecution bodies cover a place.

A body's territory is its region and, when it has one, its district (accounts.Organisation).
A district body covers its district; a body without a district (a regional department)
covers the whole region. The most specific bodies come first.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import PROSECUTION_BODY_KINDS, District, Organisation, Region
from tergeu.core.validation import Checker


def bodies_for_place(
    region_code: str, district_code: str = "", kinds: Collection[str] | None = None
) -> list[Organisation]:
    """Criminal-prosecution bodies (or bodies of ``kinds``) whose territory covers the place.

    Order: bodies of the district first, then region-level bodies (no district); each
    group by body code, so the order is deterministic. Without ``district_code`` the
    place is known only to the region: region-level bodies come first, then the district
    bodies of that region (any of them may cover it). Unknown codes give an empty list;
    :func:`check_place` says which code is wrong.
    """
    wanted = sorted(str(k) for k in (kinds if kinds is not None else PROSECUTION_BODY_KINDS))
    region_code = (region_code or "").strip()
    district_code = (district_code or "").strip()
    if not region_code or not wanted:
        return []
    rows = Organisation.objects.filter(kind__in=wanted, region_id=region_code).select_related(
        "district"
    )
    if district_code:
        rows = rows.filter(Q(district__isnull=True) | Q(district__code=district_code))
    bodies = list(rows.order_by("code"))

    def rank(org: Organisation) -> tuple[int, str, str]:
        if org.district_id is None:
            specificity = 1
        elif district_code:
            specificity = 0
        else:
            specificity = 2
        return (specificity, org.district.code if org.district else "", org.code)

    return sorted(bodies, key=rank)


def check_place(
    check: Checker, region_code: str, district_code: str = "", *, prefix: str = ""
) -> None:
    """Add field errors (``region_code``, ``district_code``) for an unknown place."""
    region_code = (region_code or "").strip()
    district_code = (district_code or "").strip()
    if not region_code:
        check.add(f"{prefix}region_code", _("Choose the region of the offence."))
    elif not Region.objects.filter(code=region_code).exists():
        check.add(
            f"{prefix}region_code", _("Unknown region code %(code)s.") % {"code": region_code}
        )
    elif (
        district_code
        and not District.objects.filter(region_id=region_code, code=district_code).exists()
    ):
        check.add(
            f"{prefix}district_code",
            _("Unknown district code %(code)s in region %(region)s.")
            % {"code": district_code, "region": region_code},
        )
