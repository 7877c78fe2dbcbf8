"""Fixtures for documents: a registered case with an investigator's grant and participants.

The Criminal Code is loaded by a data migration of the qualification app once it lands;
until then (and harmlessly after) the article and part are made with get_or_create.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import itertools
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.utils.translation.reloader import translation_file_changed

from tergeu.accounts.models import Organisation, OrgKind, Region, Role, User
from tergeu.cases.models import Case, Grant, GrantRole, Participant, ParticipantStatus
from tergeu.core import clock
from tergeu.core.iin import make_iin
from tergeu.qualification.models import Article, ArticlePart
from tergeu.web.translations import compile_catalogues


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """The .po files compiled to .mo (build output, not committed), caches forgotten.

    The lock is the one the other suites take: xdist workers compile at the same time.
    """
    lock = Path(tempfile.gettempdir()) / "tergeu-compile-catalogues.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            written = compile_catalogues()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if written:
        translation_file_changed(None, written[0])


@pytest.fixture
def region(db: Any) -> Region:
    region, _ = Region.objects.get_or_create(
        code="75",
        defaults={"name_kk": "Алматы қ.", "name_ru": "г. Алматы", "name_en": "Almaty"},
    )
    return region


@pytest.fixture
def organisation(region: Region) -> Organisation:
    return Organisation.objects.create(
        code="750101",
        kind=OrgKind.POLICE,
        region=region,
        name_kk="Алматы қаласы Полиция департаментінің Тергеу басқармасы",
        name_ru="Следственное управление ДП г. Алматы",
        name_en="Investigations Directorate of the Almaty City Police",
    )


_serials = itertools.count(101)


def make_user(organisation: Organisation, username: str, **extra: Any) -> User:
    """A user of ``organisation`` (an investigator unless ``role`` says otherwise).

    Every user has an IIN, which a signing certificate needs.
    """
    values: dict[str, Any] = {
        # serials ten apart: make_iin skips a serial that cannot be issued to the next one
        "iin": make_iin(dt.date(1985, 4, 12), False, 10 * next(_serials)),
        "role": Role.INVESTIGATOR,
        "organisation": organisation,
        "first_name": "Айгерим",
        "last_name": "Серикова",
        "patronymic": "Болатовна",
        **extra,
    }
    return User.objects.create_user(username=username, **values)


@pytest.fixture
def investigator(organisation: Organisation) -> User:
    return make_user(organisation, "investigator")


@pytest.fixture
def outsider(organisation: Organisation) -> User:
    """An investigator of the same body without a grant to the case."""
    return make_user(organisation, "outsider", first_name="Ерлан", last_name="Ахметов")


@pytest.fixture
def article(db: Any) -> ArticlePart:
    art, _ = Article.objects.get_or_create(
        number="188",
        defaults={"title": "Кража", "sort_key": 188_000, "special_part": True},
    )
    part, _ = ArticlePart.objects.get_or_create(
        article=art,
        number="2",
        defaults={"text": "Кража, совершенная группой лиц по предварительному сговору ..."},
    )
    return part


@pytest.fixture
def case(organisation: Organisation, investigator: User, article: ArticlePart) -> Case:
    registered = dt.datetime(2025, 3, 3, 5, 30, tzinfo=dt.UTC)
    case = Case.objects.create(
        erdr_number="257501010001234",
        registered_at=registered,
        organisation=organisation,
        region=organisation.region,
        fabula="Тайное хищение телефона в торговом центре.",
        article=article.article,
        part=article,
        paragraph="",
        investigator=investigator,
    )
    Grant.objects.create(
        case=case, user=investigator, role=GrantRole.INVESTIGATOR, granted_at=clock.now()
    )
    return case


def make_participant(case: Case, status: str, last_name: str, **extra: Any) -> Participant:
    """A participant of ``case`` with ``status``."""
    return Participant.objects.create(
        case=case,
        status=status,
        last_name=last_name,
        first_name=extra.pop("first_name", "Данияр"),
        patronymic=extra.pop("patronymic", "Маратович"),
        birth_date=extra.pop("birth_date", dt.date(1990, 5, 17)),
        added_by=case.investigator,
        **extra,
    )


@pytest.fixture
def victim(case: Case) -> Participant:
    return make_participant(
        case, ParticipantStatus.VICTIM, "Жумабеков", iin="900517300123", address="Абая 1"
    )


@pytest.fixture
def witness(case: Case) -> Participant:
    return make_participant(case, ParticipantStatus.WITNESS, "Ким", first_name="Ольга")


@pytest.fixture
def suspect(case: Case) -> Participant:
    return make_participant(case, ParticipantStatus.SUSPECT, "Петров", first_name="Иван")


@pytest.fixture
def people(victim: Participant, witness: Participant, suspect: Participant) -> dict[str, str]:
    """Participant ids by status, as the sample fields use them."""
    return {"victim": str(victim.pk), "witness": str(witness.pk), "suspect": str(suspect.pk)}


@pytest.fixture
def head(case: Case, organisation: Organisation) -> User:
    """The head of the investigator's unit, with the head's grant to the case."""
    user = make_user(
        organisation, "head", role=Role.HEAD_OF_UNIT, first_name="Бауыржан", last_name="Оспанов"
    )
    Grant.objects.create(case=case, user=user, role=GrantRole.HEAD, granted_at=clock.now())
    return user


@pytest.fixture
def prosecutor(case: Case, region: Region) -> User:
    """The supervising prosecutor of the case (of a prosecutor's office), with a grant."""
    office = Organisation.objects.create(
        code="750199",
        kind=OrgKind.PROSECUTOR,
        region=region,
        name_kk="Алматы қаласының прокуратурасы",
        name_ru="Прокуратура г. Алматы",
        name_en="Almaty City Prosecutor's Office",
    )
    user = make_user(
        office, "prosecutor", role=Role.PROSECUTOR, first_name="Гүлнар", last_name="Әбдірахманова"
    )
    Grant.objects.create(case=case, user=user, role=GrantRole.PROSECUTOR, granted_at=clock.now())
    return user


@pytest.fixture
def admin(organisation: Organisation) -> User:
    """An administrator (who may revoke certificates)."""
    return make_user(organisation, "admin", role=Role.ADMINISTRATOR, last_name="Админов")
