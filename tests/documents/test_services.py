"""Services of procedural documents: drafts, finalisation, immutability, corrections, access."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from tergeu.accounts.models import Role
from tergeu.cases.models import Case, Grant, GrantRole, Participant
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, Conflict, NotFound, RuleViolation, ValidationFailed
from tergeu.documents import services
from tergeu.documents.content import content_hash, content_of
from tergeu.documents.models import DocStatus, Document
from tergeu.integrity.journal import canonical_json, payload_of
from tergeu.integrity.models import Event

from .conftest import make_user
from .samples import sample_fields

pytestmark = pytest.mark.django_db

ACCEPT = "resolution_acceptance"


def _actions(**filters: Any) -> list[str]:
    return list(Event.objects.filter(**filters).values_list("action", flat=True))


def _draft(user: Any, case: Case, people: dict[str, str], code: str = ACCEPT) -> Document:
    return services.create_draft(user, case.pk, code, sample_fields(code, people), "ru")


def test_drafts_are_numbered_in_the_case_and_journaled(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    first = _draft(investigator, case, people)
    second = services.create_draft(
        investigator,
        case.erdr_number,
        "resolution_victim",
        sample_fields("resolution_victim", people),
    )
    assert (first.number, second.number) == (1, 2)
    assert first.status == DocStatus.DRAFT
    assert first.version == 1
    assert first.title == "Постановление о принятии уголовного дела к своему производству"
    assert "Дело передано по подследственности." in first.body
    events = Event.objects.filter(action="document.created", case_id=case.pk)
    assert events.count() == 2
    data = payload_of(events.first())["data"]  # type: ignore[arg-type]
    assert data["type"] == ACCEPT
    assert data["number"] == 1
    assert (
        data["fields_sha256"] == hashlib.sha256(canonical_json(first.fields).encode()).hexdigest()
    )


def test_values_are_normalised(case: Case, investigator: Any, people: dict[str, str]) -> None:
    fields = sample_fields("protocol_interrogation_victim", people)
    fields["started_at"] = dt.datetime(2025, 3, 5, 10, 5)  # naive: Kazakhstan local time
    fields["testimony"] = "\n  Показания.  \n\n"
    doc = services.create_draft(investigator, case.pk, "protocol_interrogation_victim", fields)
    assert doc.fields["started_at"] == "2025-03-05T05:05:00+00:00"
    assert doc.fields["ended_at"] == "2025-03-05T06:40:00+00:00"
    assert doc.fields["testimony"] == "  Показания."
    assert "Начато: 10 ч 05 мин" in doc.body


def test_a_draft_is_edited_with_its_version(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    updated = services.update_draft(
        investigator, doc.pk, {"established": "Дело принято от другого следователя."}, version=1
    )
    assert updated.version == 2
    assert "Дело принято от другого следователя." in updated.body
    event = Event.objects.get(action="document.updated")
    assert payload_of(event)["data"]["changed"] == ["established"]


def test_stale_version_is_a_conflict_and_changes_nothing(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    services.update_draft(investigator, doc.pk, {"established": "Первая правка."}, version=1)
    with pytest.raises(Conflict) as excinfo:  # the same form submitted twice
        services.update_draft(investigator, doc.pk, {"established": "Вторая правка."}, version=1)
    assert excinfo.value.status == 409
    assert "changed meanwhile" in excinfo.value.text()
    doc.refresh_from_db()
    assert (doc.version, doc.fields["established"]) == (2, "Первая правка.")
    with pytest.raises(Conflict):
        services.finalise(investigator, doc.pk, version=1)
    doc.refresh_from_db()
    assert doc.status == DocStatus.DRAFT
    assert _actions(action__startswith="document.") == ["document.created", "document.updated"]


def test_finalise_renders_hashes_and_freezes(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    moment = dt.datetime(2025, 3, 10, 4, 0, tzinfo=dt.UTC)
    with clock.frozen(moment):
        final = services.finalise(investigator, doc.pk, version=1)
    assert final.status == DocStatus.FINAL
    assert final.finalised_at == moment
    assert final.finalised_by == investigator
    assert "«10» марта 2025 года" in final.body
    stored = Document.objects.get(pk=doc.pk)
    expected = hashlib.sha256(canonical_json(content_of(stored)).encode()).hexdigest()
    assert stored.content_sha256 == expected == content_hash(stored)
    content = content_of(stored)
    assert content["case"] == case.erdr_number
    assert content["number"] == 1
    assert content["finalised_at"] == "2025-03-10T04:00:00+00:00"
    event = Event.objects.get(action="document.finalised")
    assert payload_of(event)["data"]["content_sha256"] == stored.content_sha256

    with pytest.raises(Conflict, match="already finalised"):
        services.finalise(investigator, doc.pk, version=stored.version)
    with pytest.raises(Conflict, match="supersede"):
        services.update_draft(investigator, doc.pk, {"established": "x"}, version=stored.version)
    with pytest.raises(Conflict):
        services.discard_draft(investigator, doc.pk)
    assert Document.objects.get(pk=doc.pk).body == stored.body


def test_a_final_document_is_immutable_in_the_database(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    draft = _draft(investigator, case, people)
    Document.objects.filter(pk=draft.pk).update(title="A draft may change")
    final = services.finalise(investigator, draft.pk, version=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Document.objects.filter(pk=final.pk).update(body="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        Document.objects.filter(pk=final.pk).update(status=DocStatus.DRAFT)
    with pytest.raises(DatabaseError), transaction.atomic():
        Document.objects.filter(pk=final.pk).delete()
    assert Document.objects.get(pk=final.pk).body == final.body


def test_a_correction_supersedes_a_final_document_once(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    old = services.finalise(investigator, _draft(investigator, case, people).pk, version=1)
    with pytest.raises(ValidationFailed) as excinfo:
        services.supersede(investigator, old.pk, None, "  ")
    assert excinfo.value.field_texts() == {"reason": ["Give the reason for the correction."]}

    new = services.supersede(
        investigator, old.pk, {"established": "Дело передано прокурором."}, "Опечатка в тексте"
    )
    assert (new.number, new.status, new.supersedes_id) == (2, DocStatus.DRAFT, old.pk)
    assert new.correction_reason == "Опечатка в тексте"
    assert "Составлено взамен документа № 1" in new.body
    assert "Основание исправления: Опечатка в тексте" in new.body
    assert Document.objects.get(pk=old.pk).content_sha256 == old.content_sha256

    with pytest.raises(Conflict) as conflict:
        services.supersede(investigator, old.pk, None, "Ещё раз")
    assert conflict.value.text() == "This document has already been superseded by document No. 2."
    with pytest.raises(Conflict, match="Only a finalised document"):
        services.supersede(investigator, new.pk, None, "Черновик")

    final = services.finalise(investigator, new.pk, version=1)
    assert content_of(final)["supersedes"] == old.content_sha256
    assert content_of(final)["reason"] == "Опечатка в тексте"
    assert services.supersession_chain(old) == [old, final]
    assert services.supersession_chain(final) == [old, final]
    assert "document.correction_created" in _actions()


def test_a_correction_copies_the_fields_when_none_are_given(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    old = services.finalise(investigator, _draft(investigator, case, people).pk, version=1)
    new = services.supersede(investigator, old.pk, None, "Неверная дата")
    assert new.fields == old.fields


def test_discarding_a_draft_gives_its_number_back(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    services.discard_draft(investigator, doc.pk)
    assert not Document.objects.filter(pk=doc.pk).exists()
    event = Event.objects.get(action="document.discarded")
    assert event.object_id == str(doc.pk)
    assert payload_of(event)["data"]["number"] == 1
    assert _draft(investigator, case, people).number == 1


# --- bad input: every case answers 422 with the field's message and changes nothing -------

BAD_INPUTS = [
    ("nonexistent", {}, "doc_type", "Unknown document type."),
    (ACCEPT, {"foo": "x"}, "foo", "Unknown field."),
    (ACCEPT, {"established": None}, "established", "This field is required."),
    (ACCEPT, {"established": "   "}, "established", "This field is required."),
    (ACCEPT, {"established": 5}, "established", "Enter text."),
    (ACCEPT, {"established": "x" * 20_001}, "established", "At most 20000 characters, please."),
    ("resolution_qualification", {"cc_article": "18\n8"}, "cc_article", "Enter a single line."),
    (
        "resolution_qualification",
        {"cc_article": "абв"},
        "cc_article",
        "The value has the wrong form.",
    ),
    (
        "request_term_extension",
        {"extend_by_months": "one"},
        "extend_by_months",
        "Enter a whole number.",
    ),
    (
        "request_term_extension",
        {"extend_by_months": True},
        "extend_by_months",
        "Enter a whole number.",
    ),
    ("request_term_extension", {"extend_by_months": 0}, "extend_by_months", "At least 1."),
    ("request_term_extension", {"extend_by_months": 13}, "extend_by_months", "At most 12."),
    (
        "request_term_extension",
        {"total_months": 6},
        "total_months",
        "At most 3 when addressed to the district prosecutor (up to 3 months) (CPC art. 192(4)).",
    ),
    (
        "request_term_extension",
        {"extend_until": "2025-05-01"},
        "extend_until",
        "Cannot be earlier than “Current term expires on”.",
    ),
    (
        "resolution_interruption",
        {"interrupted_from": "03.05.2025"},
        "interrupted_from",
        "Enter a date as YYYY-MM-DD.",
    ),
    ("resolution_interruption", {"ground": "10"}, "ground", "Choose one of the offered values."),
    (
        "protocol_interrogation_victim",
        {"started_at": "yesterday"},
        "started_at",
        "Enter a date and time as YYYY-MM-DDTHH:MM.",
    ),
    (
        "protocol_interrogation_victim",
        {"ended_at": "2025-03-05T09:00"},
        "ended_at",
        "Cannot be earlier than “Started at”.",
    ),
    (
        "protocol_interrogation_victim",
        {"ended_at": "2025-03-05T18:06"},
        "ended_at",
        "At most 8 hours after the start (CPC art. 209(3)).",
    ),
    ("resolution_victim", {"harm": "spiritual"}, "harm", "Choose one of the offered values."),
    (
        "resolution_victim",
        {"participant": "00000000-0000-7000-8000-000000000000"},
        "participant",
        "Choose a participant of this case.",
    ),
    (
        "resolution_victim",
        {"participant": "not-a-uuid"},
        "participant",
        "Choose a participant of this case.",
    ),
    (
        "resolution_victim",
        {"participant": "@witness"},
        "participant",
        "The person must have the procedural status: Victim.",
    ),
    (
        "resolution_victim",
        {"participant": "@removed"},
        "participant",
        "Choose a participant of this case.",
    ),
]


def _bad_fields(code: str, overrides: dict[str, Any], people: dict[str, str]) -> dict[str, Any]:
    fields = sample_fields(code, people) if code != "nonexistent" else {}
    for key, value in overrides.items():
        if value is None:
            fields.pop(key, None)
        elif isinstance(value, str) and value.startswith("@"):
            fields[key] = people[value[1:]]
        else:
            fields[key] = value
    return fields


@pytest.fixture
def removed(case: Case, people: dict[str, str]) -> dict[str, str]:
    person = Participant.objects.get(pk=people["victim"])
    gone = Participant.objects.create(
        case=case,
        status=person.status,
        last_name="Выбывший",
        first_name="Участник",
        added_by=case.investigator,
        removed_at=clock.now(),
    )
    return {**people, "removed": str(gone.pk)}


@pytest.mark.parametrize(("code", "overrides", "key", "message"), BAD_INPUTS)
def test_bad_input_is_refused_and_changes_nothing(
    case: Case,
    investigator: Any,
    removed: dict[str, str],
    code: str,
    overrides: dict[str, Any],
    key: str,
    message: str,
) -> None:
    fields = _bad_fields(code, overrides, removed)
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_draft(investigator, case.pk, code, fields, "ru")
    assert excinfo.value.status == 422
    assert message in excinfo.value.field_texts()[key]
    assert not Document.objects.exists()
    assert not Event.objects.exists()


def test_language_and_fields_shape_are_checked(case: Case, investigator: Any) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_draft(investigator, case.pk, ACCEPT, {"established": "x"}, "de")
    assert excinfo.value.field_texts() == {"language": ["Choose Kazakh, Russian or English."]}
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_draft(investigator, case.pk, ACCEPT, "x", "ru")  # type: ignore[arg-type]
    assert excinfo.value.field_texts() == {"fields": ["The fields must be a JSON object."]}
    assert not Document.objects.exists()


def test_messages_follow_the_active_language(case: Case, investigator: Any) -> None:
    from django.utils import translation

    with pytest.raises(ValidationFailed) as excinfo:
        services.create_draft(investigator, case.pk, ACCEPT, {}, "ru")
    with translation.override("ru"):
        assert excinfo.value.field_texts() == {"established": ["Это поле обязательно."]}
    with translation.override("kk"):
        assert excinfo.value.field_texts() == {"established": ["Бұл өрісті толтыру міндетті."]}


@pytest.mark.parametrize(("code", "overrides", "key", "message"), BAD_INPUTS[1:6])
def test_bad_edit_changes_nothing(
    case: Case,
    investigator: Any,
    people: dict[str, str],
    code: str,
    overrides: dict[str, Any],
    key: str,
    message: str,
) -> None:
    doc = _draft(investigator, case, people)
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_draft(investigator, doc.pk, _bad_fields(code, overrides, people), 1)
    assert message in excinfo.value.field_texts()[key]
    stored = Document.objects.get(pk=doc.pk)
    assert (stored.version, stored.fields, stored.body) == (1, doc.fields, doc.body)
    assert _actions() == ["document.created"]


# --- access ------------------------------------------------------------------------------


def test_without_a_grant_the_case_is_not_found_and_the_denial_is_journaled(
    case: Case, investigator: Any, outsider: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    attempts = [
        lambda: services.create_draft(outsider, case.pk, ACCEPT, {"established": "x"}),
        lambda: services.get_document(outsider, doc.pk),
        lambda: services.update_draft(outsider, doc.pk, {"established": "x"}, 1),
        lambda: services.finalise(outsider, doc.pk, 1),
        lambda: services.discard_draft(outsider, doc.pk),
        lambda: services.documents_of(outsider, case.pk),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    denials = Event.objects.filter(action="access.denied", actor=outsider)
    assert denials.count() == len(attempts)
    assert {e.case_id for e in denials} == {case.pk}
    assert Document.objects.get(pk=doc.pk).version == 1
    assert Document.objects.count() == 1


def test_an_unknown_document_is_not_found_and_journaled(investigator: Any) -> None:
    with pytest.raises(NotFound):
        services.get_document(investigator, "00000000-0000-7000-8000-000000000000")
    with pytest.raises(NotFound):
        services.finalise(investigator, "nonsense", 1)
    assert _actions() == ["access.denied", "access.denied"]


def test_a_reader_may_read_but_not_draft(
    case: Case, investigator: Any, organisation: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    prosecutor = make_user(organisation, "prosecutor", role=Role.PROSECUTOR)
    Grant.objects.create(
        case=case, user=prosecutor, role=GrantRole.PROSECUTOR, granted_at=clock.now()
    )
    assert services.get_document(prosecutor, doc.pk) == doc
    assert [d.pk for d in services.documents_of(prosecutor, case.pk)] == [doc.pk]
    with pytest.raises(AccessDenied):
        services.create_draft(prosecutor, case.pk, ACCEPT, {"established": "x"})
    with pytest.raises(AccessDenied):
        services.finalise(prosecutor, doc.pk, 1)
    assert Event.objects.filter(action="access.denied", actor=prosecutor).count() == 2
    assert Document.objects.get(pk=doc.pk).status == DocStatus.DRAFT


def test_reading_a_document_is_journaled(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    read = services.get_document(investigator, str(doc.pk))
    assert read.body == doc.body
    event = Event.objects.get(action="document.read")
    assert (event.case_id, event.object_id, event.actor) == (case.pk, str(doc.pk), investigator)


# --- effects -----------------------------------------------------------------------------


def test_the_electronic_format_resolution_switches_the_case_when_finalised(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    code = "resolution_electronic_format"
    doc = _draft(investigator, case, people, code)
    case.refresh_from_db()
    assert case.electronic is False  # a draft decides nothing
    version = case.version
    services.finalise(investigator, doc.pk, version=1)
    case.refresh_from_db()
    assert case.electronic is True
    assert case.version == version + 1
    event = Event.objects.get(action="case.format_changed")
    assert payload_of(event)["data"]["electronic"] is True
    assert (event.case_id, event.object_type) == (case.pk, "Case")

    with pytest.raises(RuleViolation) as excinfo:  # nothing to decide any more
        _draft(investigator, case, people, code)
    assert excinfo.value.text().endswith("(CPC art. 42-1(2))")

    correction = services.supersede(investigator, doc.pk, None, "Уточнены мотивы")
    services.finalise(investigator, correction.pk, version=1)
    assert Event.objects.filter(action="case.format_changed").count() == 1  # idempotent

    paper = _draft(investigator, case, people, "resolution_paper_format")
    services.finalise(investigator, paper.pk, version=1)
    case.refresh_from_db()
    assert case.electronic is False
    assert Event.objects.filter(action="case.format_changed").count() == 2


def test_finalising_rechecks_the_fields(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people, "resolution_victim")
    Participant.objects.filter(pk=people["victim"]).update(removed_at=clock.now())
    with pytest.raises(ValidationFailed) as excinfo:
        services.finalise(investigator, doc.pk, version=1)
    assert excinfo.value.field_texts() == {"participant": ["Choose a participant of this case."]}
    assert Document.objects.get(pk=doc.pk).status == DocStatus.DRAFT
