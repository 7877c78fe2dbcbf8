"""Builders of test data. Organisations and users are reference data (created directly);
reports and cases are made through the services, as a user would make them."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from tergeu.accounts.models import District, Organisation, OrgKind, Region, Role, User
from tergeu.cases.models import Case
from tergeu.cases.services import register_report
from tergeu.core.iin import make_iin
from tergeu.intake.models import Report, Source
from tergeu.intake.services import record_report

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def region(code: str = "75") -> Region:
    """A region (75: Almaty city by default)."""
    obj, _ = Region.objects.get_or_create(
        code=code,
        defaults={
            "name_kk": f"Өңір {code}",
            "name_ru": f"Регион {code}",
            "name_en": f"Region {code}",
        },
    )
    return obj


def district(region_code: str = "75", code: str = "01") -> District:
    """A district of a region."""
    obj, _ = District.objects.get_or_create(
        region=region(region_code),
        code=code,
        defaults={
            "name_kk": f"Аудан {code}",
            "name_ru": f"Район {code}",
            "name_en": f"District {code}",
        },
    )
    return obj


def org(
    kind: str = OrgKind.POLICE,
    code: str | None = None,
    region_code: str = "75",
    district_code: str = "01",
    supervisor: Organisation | None = None,
) -> Organisation:
    """An organisation of ``kind``; codes are unique per call unless given."""
    code = code or f"{region_code}{district_code}{next(_seq) % 100:02d}"
    obj, _ = Organisation.objects.get_or_create(
        code=code,
        defaults={
            "kind": kind,
            "region": region(region_code),
            "district": district(region_code, district_code),
            "supervisor": supervisor,
            "name_kk": f"Орган {code}",
            "name_ru": f"Орган {code}",
            "name_en": f"Body {code}",
        },
    )
    return obj


def user(role: str, organisation: Organisation | None = None, **extra: Any) -> User:
    """A user with ``role``, a valid IIN and the test password."""
    n = next(_seq)
    obj = User.objects.create_user(
        username=extra.pop("username", f"{role}{n}"),
        password=PASSWORD,
        role=role,
        organisation=organisation,
        first_name=extra.pop("first_name", "Test"),
        last_name=extra.pop("last_name", f"{role.title()}{n}"),
        iin=extra.pop("iin", make_iin(dt.date(1960, 1, 1) + dt.timedelta(days=n), True, n)),
        **extra,
    )
    return obj


class Unit:
    """A police unit with its staff, its supervising prosecutor's office and a court."""

    def __init__(self, region_code: str = "75", district_code: str = "01") -> None:
        self.prosecutor_office = org(
            OrgKind.PROSECUTOR, region_code=region_code, district_code=district_code
        )
        self.court = org(OrgKind.COURT, region_code=region_code, district_code=district_code)
        self.police = org(
            OrgKind.POLICE,
            region_code=region_code,
            district_code=district_code,
            supervisor=self.prosecutor_office,
        )
        self.investigator = user(Role.INVESTIGATOR, self.police)
        self.inquiry_officer = user(Role.INQUIRY_OFFICER, self.police)
        self.head = user(Role.HEAD_OF_UNIT, self.police)
        self.duty = user(Role.DUTY_OFFICER, self.police)
        self.prosecutor = user(Role.PROSECUTOR, self.prosecutor_office)
        self.judge = user(Role.JUDGE, self.court)

    def report(self, by: User | None = None, **fields: Any) -> Report:
        """A report recorded in this unit's KUI."""
        data: dict[str, Any] = {
            "source": Source.IN_PERSON,
            "applicant_name": "Сейтқали Әлия",
            "description": "Из квартиры похищен ноутбук.",
        }
        data.update(fields)
        return record_report(by or self.duty, **data)

    def case(
        self, article: str = "188", part: str = "1", form: str = "preliminary", **fields: Any
    ) -> Case:
        """A case registered from a fresh report and assigned to this unit's investigator."""
        report = self.report()
        return register_report(
            self.duty,
            report.pk,
            article=article,
            part=part,
            form=form,
            investigator_id=self.investigator.pk,
            **fields,
        )
