"""Reference data of the demo: districts of two regions, their bodies, and the staff.

The regions come with every database (KATO, migration ``accounts.0002_load_regions``).
Districts, organisations and users are written with the ORM here, inside one transaction
and before any administrator exists to call the administration services, and each one is
journaled like those services would journal it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from tergeu.accounts.models import District, Organisation, OrgKind, Region, Role, User
from tergeu.accounts.territory import district_snapshot, load_regions
from tergeu.core import clock
from tergeu.core.iin import make_iin
from tergeu.integrity.journal import record

#: The password of every demo account (public on purpose: it is printed by ``tergeu demo``).
DEMO_PASSWORD = "tergeu-demo-2026"


@dataclass(frozen=True)
class RegionSpec:
    """A region with the grammatical forms its bodies' names need, and its districts."""

    code: str
    kk: str  # Алматы қаласы
    ru: str  # город Алматы
    en: str  # Almaty city
    ru_gen: str  # города Алматы
    ru_dat: str  # городу Алматы
    kk_gen: str  # Алматы қаласының
    city_en: str  # Almaty
    city_ru: str  # Алматы (for addresses: "г. Алматы")
    districts: tuple[tuple[str, str, str, str], ...]  # code, kk, ru, en
    streets: tuple[str, ...]


REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec(
        code="75",
        kk="Алматы қаласы",
        ru="город Алматы",
        en="Almaty city",
        ru_gen="города Алматы",
        ru_dat="городу Алматы",
        kk_gen="Алматы қаласының",
        city_en="Almaty",
        city_ru="Алматы",
        districts=(
            ("01", "Алмалы ауданы", "Алмалинский район", "Almaly district"),
            ("02", "Әуезов ауданы", "Ауэзовский район", "Auezov district"),
            ("03", "Бостандық ауданы", "Бостандыкский район", "Bostandyk district"),
            ("04", "Медеу ауданы", "Медеуский район", "Medeu district"),
            ("05", "Түрксіб ауданы", "Турксибский район", "Turksib district"),
        ),
        streets=(
            "пр. Абая",
            "ул. Толе би",
            "пр. Достык",
            "ул. Жибек жолы",
            "пр. Райымбека",
            "ул. Сатпаева",
            "ул. Розыбакиева",
            "мкр. Орбита-1",
            "мкр. Аксай-4",
            "ул. Жандосова",
            "пр. Аль-Фараби",
            "ул. Макатаева",
            "ул. Байзакова",
            "пр. Суюнбая",
        ),
    ),
    RegionSpec(
        code="71",
        kk="Астана қаласы",
        ru="город Астана",
        en="Astana city",
        ru_gen="города Астаны",
        ru_dat="городу Астане",
        kk_gen="Астана қаласының",
        city_en="Astana",
        city_ru="Астана",
        districts=(
            ("01", "Алматы ауданы", "район Алматы", "Almaty district"),
            ("02", "Есіл ауданы", "район Есиль", "Yesil district"),
            ("03", "Сарыарқа ауданы", "район Сарыарка", "Saryarka district"),
            ("04", "Байқоңыр ауданы", "район Байконур", "Baikonur district"),
        ),
        streets=(
            "пр. Мангилик Ел",
            "ул. Кенесары",
            "пр. Республики",
            "ул. Сыганак",
            "пр. Кабанбай батыра",
            "ул. Акмешит",
            "ул. Бейбитшилик",
            "пр. Туран",
            "ул. Петрова",
            "пр. Абылай хана",
            "ул. Сейфуллина",
            "ул. Ауэзова",
        ),
    ),
)

#: Body number (last two digits of the code) and kind; the bodies serve the whole city,
#: so their district code is ``00`` (code ``RR00BB``).
BODIES: tuple[tuple[str, OrgKind], ...] = (
    ("01", OrgKind.POLICE),
    ("02", OrgKind.ANTICORRUPTION),
    ("03", OrgKind.ECONOMIC),
    ("04", OrgKind.PROSECUTOR),
    ("05", OrgKind.COURT),
    ("06", OrgKind.BAR),
    ("07", OrgKind.FORENSIC),
)


def body_names(kind: str, r: RegionSpec) -> tuple[str, str, str]:
    """The (kk, ru, en) names of the body of ``kind`` in region ``r``."""
    names = {
        OrgKind.POLICE: (
            f"{r.kk_gen} Полиция департаменті",
            f"Департамент полиции {r.ru_gen}",
            f"{r.city_en} City Police Department",
        ),
        OrgKind.ANTICORRUPTION: (
            f"Сыбайлас жемқорлыққа қарсы іс-қимыл агенттігінің {r.kk} бойынша департаменті",
            f"Департамент Агентства по противодействию коррупции по {r.ru_dat}",
            f"Anti-Corruption Agency Department for {r.city_en}",
        ),
        OrgKind.ECONOMIC: (
            f"{r.kk} бойынша Экономикалық тергеп-тексерулер департаменті",
            f"Департамент экономических расследований по {r.ru_dat}",
            f"Economic Investigations Department for {r.city_en}",
        ),
        OrgKind.PROSECUTOR: (
            f"{r.kk_gen} прокуратурасы",
            f"Прокуратура {r.ru_gen}",
            f"{r.city_en} City Prosecutor's Office",
        ),
        OrgKind.COURT: (
            f"{r.kk_gen} қылмыстық істер жөніндегі мамандандырылған ауданаралық соты",
            f"Специализированный межрайонный суд по уголовным делам {r.ru_gen}",
            f"Specialised Inter-District Criminal Court of {r.city_en}",
        ),
        OrgKind.BAR: (
            f"{r.kk_gen} адвокаттар алқасы",
            f"Коллегия адвокатов {r.ru_gen}",
            f"{r.city_en} City Bar Association",
        ),
        OrgKind.FORENSIC: (
            f"{r.kk} бойынша сот сараптамасы институты",
            f"Институт судебной экспертизы по {r.ru_dat}",
            f"Institute of Forensic Examination for {r.city_en}",
        ),
    }
    return names[OrgKind(kind)]


def org_code(region: str, kind: str) -> str:
    """The 6-digit code (RRDDBB) of the demo body of ``kind`` in ``region``."""
    number = next(n for n, k in BODIES if k == kind)
    return f"{region}00{number}"


@dataclass(frozen=True)
class Person:
    """A demo account: login, role, where they work, their name, birth and language."""

    username: str
    role: Role
    region: str
    kind: OrgKind | None
    last_name: str
    first_name: str
    patronymic: str
    male: bool
    born: dt.date
    language: str


#: Every demo account: username, role, region, body kind, full name, sex, birth, language.
#: Region 75 (Almaty) has the plain usernames; region 71 (Astana) the ones ending in 2.
_STAFF = """
investigator         investigator        75 police     Жумабеков Арман Серикович     m 1988-04-12 kk
inquiry_officer      inquiry_officer     75 police     Ахметова Динара Болатовна     f 1993-09-03 ru
head_of_unit         head_of_unit        75 police     Омаров Бауыржан Кайратович    m 1979-01-25 kk
duty_officer         duty_officer        75 police     Ким Виктор Алексеевич         m 1990-06-17 ru
investigator_ac      investigator        75 ac         Исмаилов Тимур Ерланович      m 1986-11-08 ru
head_ac              head_of_unit        75 ac         Сарсенбаев Ерлан Муратович    m 1975-03-30 kk
investigator_econ    investigator        75 econ       Касымова Айгерим Нурлановна   f 1991-12-01 kk
head_econ            head_of_unit        75 econ       Петров Андрей Викторович      m 1977-07-19 ru
prosecutor           prosecutor          75 prosecutor Бекова Салтанат Ержановна     f 1984-02-14 ru
investigating_judge  investigating_judge 75 court      Абдрахманов Кайрат Жанатович  m 1972-10-05 kk
judge                judge               75 court      Смагулова Гульнара Аскаровна  f 1970-05-22 ru
defender             defender            75 bar        Нестеренко Ольга Игоревна     f 1982-08-09 ru
defender_duty        defender            75 bar        Сейткалиев Нурлан Маратович   m 1985-02-11 kk
bar_head             head_of_unit        75 bar        Жунусова Лаура Ахметовна      f 1971-06-30 ru
expert               expert              75 forensic   Туленов Данияр Асхатович      m 1987-03-03 kk
analyst              analyst             75 prosecutor Ли Елена Сергеевна            f 1992-01-20 en
admin                administrator       75 -          Мухамеджанов Ринат Талгатович m 1985-09-15 ru
investigator2        investigator        71 police     Нурпеисов Алибек Даулетович   m 1989-05-10 kk
inquiry_officer2     inquiry_officer     71 police     Васильева Марина Олеговна     f 1994-07-27 ru
head_of_unit2        head_of_unit        71 police     Жаксылыков Марат Абаевич      m 1978-12-12 kk
duty_officer2        duty_officer        71 police     Кенжебаева Асель Маратовна    f 1995-04-04 ru
investigator_ac2     investigator        71 ac         Утегенов Нурсултан Бахытович  m 1987-08-21 kk
head_ac2             head_of_unit        71 ac         Соколов Дмитрий Николаевич    m 1976-02-02 ru
investigator_econ2   investigator        71 econ       Байжанова Мадина Ермековна    f 1990-10-30 ru
head_econ2           head_of_unit        71 econ       Искаков Серик Болатович       m 1974-06-06 kk
prosecutor2          prosecutor          71 prosecutor Ибрагимов Руслан Бахытович    m 1983-11-11 ru
investigating_judge2 investigating_judge 71 court      Есенова Айжан Талгатовна      f 1975-09-09 kk
judge2               judge               71 court      Оспанов Ерболат Нурланович    m 1969-04-18 ru
defender2            defender            71 bar        Джаксыбекова Жанна Ериковна   f 1980-03-15 ru
bar_head2            head_of_unit        71 bar        Калиев Берик Сапарович        m 1970-01-08 kk
expert2              expert              71 forensic   Цой Андрей Вячеславович       m 1986-12-24 ru
"""


_KINDS = {"ac": OrgKind.ANTICORRUPTION, "econ": OrgKind.ECONOMIC}


def _person(line: str) -> Person:
    username, role, region, kind, last, first, patronymic, sex, born, language = line.split()
    return Person(
        username=username,
        role=Role(role),
        region=region,
        kind=None if kind == "-" else OrgKind(_KINDS.get(kind, kind)),
        last_name=last,
        first_name=first,
        patronymic=patronymic,
        male=sex == "m",
        born=dt.date.fromisoformat(born),
        language=language,
    )


PEOPLE: tuple[Person, ...] = tuple(_person(line) for line in _STAFF.strip().splitlines())

USERNAMES: tuple[str, ...] = tuple(p.username for p in PEOPLE)


def accounts() -> list[tuple[str, str, str]]:
    """(username, role label, organisation name) of the demo accounts that exist."""
    found_users = User.objects.filter(username__in=USERNAMES).select_related("organisation")
    users = {u.username: u for u in found_users}
    rows = []
    for person in PEOPLE:
        found = users.get(person.username)
        if found is not None:
            org = found.organisation.name if found.organisation else "—"
            rows.append((found.username, str(Role(found.role).label), org))
    return rows


def _create_regions() -> None:
    """The districts of the demo's regions (those not there yet: a district is never
    replaced). The regions themselves are KATO's, loaded by a migration; loading them
    again only matters on a database emptied since (tests that flush tables)."""
    load_regions()
    for r in REGIONS:
        region = Region.objects.get(code=r.code)
        for code, kk, ru, en in r.districts:
            district, created = District.objects.get_or_create(
                region=region, code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en}
            )
            if created:
                record("district.created", obj=district, data=district_snapshot(district))


def _create_organisations() -> None:
    for r in REGIONS:
        region = Region.objects.get(code=r.code)
        prosecutor_office: Organisation | None = None
        for _number, kind in sorted(BODIES, key=lambda b: b[1] != OrgKind.PROSECUTOR):
            kk, ru, en = body_names(kind, r)
            supervised = kind in (OrgKind.POLICE, OrgKind.ANTICORRUPTION, OrgKind.ECONOMIC)
            org = Organisation.objects.create(
                code=org_code(r.code, kind),
                kind=kind,
                region=region,
                district=None,
                supervisor=prosecutor_office if supervised else None,
                name_kk=kk,
                name_ru=ru,
                name_en=en,
            )
            if kind == OrgKind.PROSECUTOR:
                prosecutor_office = org
            record(
                "org.created",
                obj=org,
                data={
                    "code": org.code,
                    "kind": kind,
                    "name": ru,
                    "supervisor": org.supervisor.code if org.supervisor else None,
                },
            )


def _create_users() -> None:
    password = make_password(DEMO_PASSWORD)  # hashed once (Argon2): the demo stays fast
    for serial, p in enumerate(PEOPLE, start=101):
        org = Organisation.objects.get(code=org_code(p.region, p.kind)) if p.kind else None
        admin = p.role == Role.ADMINISTRATOR
        user = User.objects.create(
            username=p.username,
            password=password,
            role=p.role,
            organisation=org,
            last_name=p.last_name,
            first_name=p.first_name,
            patronymic=p.patronymic,
            iin=make_iin(p.born, p.male, serial),
            language=p.language,
            phone=f"+7701555{serial:04d}",
            email=f"{p.username}@tergeu.example",
            is_staff=admin,
            is_superuser=admin,
            date_joined=clock.now(),
        )
        record(
            "user.created",
            obj=user,
            data={
                "username": user.username,
                "role": user.role,
                "organisation": org.code if org else None,
                "is_staff": admin,
                "is_superuser": admin,
            },
        )


def create_reference() -> None:
    """Create the regions, bodies and accounts of the demo (one transaction, journaled)."""
    with transaction.atomic():
        _create_regions()
        _create_organisations()
        _create_users()
