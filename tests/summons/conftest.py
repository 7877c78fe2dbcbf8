"""Fixtures of the summons tests: the documents suite's case, people and users, a summons
drafted and finalised (signed) through the documents services."""

from __future__ import annotations

from typing import Any

import pytest

from tergeu.cases.models import Case, Participant, ParticipantStatus
from tergeu.documents import services as documents
from tergeu.documents.models import Document
from tests.documents import conftest as _documents
from tests.documents.conftest import make_participant

# The documents suite's fixtures (the body, its investigator, the case), shared as they are.
_SHARED = ("_compiled_catalogues", "region", "organisation", "investigator", "outsider", "article")
for _name in (*_SHARED, "case"):
    globals()[_name] = getattr(_documents, _name)

SITE = "https://tergeu.example/"


def summons_fields(person: Participant, capacity: str = "witness") -> dict[str, Any]:
    """Valid fields of a summons to ``person``."""
    return {
        "participant": str(person.pk),
        "capacity": capacity,
        "purpose": "для допроса",
        "appear_at": "2030-03-12T10:00",
        "address": "г. Алматы, ул. Желтоксан, 96",
        "room": "214",
        "official": "следователь Серикова Айгерим Болатовна",
        "contacts": "+77012345678, serikova@police.kz",
    }


def signed_summons(user: Any, case: Case, person: Participant, **extra: Any) -> Document:
    """A summons to ``person`` drafted and finalised (signed) as the documents UI does it."""
    draft = documents.create_draft(
        user, case.pk, "summons", {**summons_fields(person), **extra}, language="ru"
    )
    return documents.finalise(user, draft.pk, draft.version)


@pytest.fixture
def witness(case: Case) -> Participant:
    """A witness who reads Kazakh, with a phone and an e-mail."""
    return make_participant(
        case,
        ParticipantStatus.WITNESS,
        "Ким",
        first_name="Ольга",
        phone="+77011112233",
        email="kim@example.kz",
        language="kk",
    )


@pytest.fixture
def victim(case: Case) -> Participant:
    """A victim with an e-mail only, who reads Russian."""
    return make_participant(
        case, ParticipantStatus.VICTIM, "Жумабеков", email="zhumabekov@example.kz", language="ru"
    )


@pytest.fixture
def summons_doc(investigator: Any, case: Case, witness: Participant) -> Document:
    return signed_summons(investigator, case, witness)
