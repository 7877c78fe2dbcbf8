"""Notices to participants of a case, each in the recipient's language, by SMS and/or e-mail.

Every notice is queued in the outbox inside the transaction of the change that causes it
and journaled (``notice.*``, the recipients counted, no text):

- recognition as a victim (CPC art. 71): when a resolution on recognition as a victim is
  finalised (signed), to the person it recognises (:func:`victim_recognised`);
- termination of the investigation (CPC art. 289(2)): when the case moves to
  ``terminated``, to the participants of :data:`.rules.TERMINATION_STATUSES` and to the
  applicant of the report (:func:`case_terminated`);
- the file is ready to study (CPC art. 294(1), 295, 296): :func:`notify_familiarisation`,
  called by the investigator, with the place and the term.

The first two are called by :mod:`.hooks` when the journal records the change (the cases
and documents apps do not depend on this one). A contact that is not well formed is
skipped, never a reason to refuse the change itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tergeu.cases.access import Perm, get_case
from tergeu.cases.models import Case, Participant
from tergeu.cases.stages import TERMINATION_GROUNDS
from tergeu.core import clock
from tergeu.core.errors import ValidationFailed
from tergeu.core.validation import Checker
from tergeu.documents.models import Document
from tergeu.documents.rendering import format_date
from tergeu.integrity.journal import record, service
from tergeu.notifications.models import Kind, Message
from tergeu.notifications.services import LANGUAGES, enqueue

from .rules import (
    FAMILIARISATION_RULE,
    FAMILIARISATION_STATUSES,
    TERMINATION_RULE,
    TERMINATION_STATUSES,
    VICTIM_RULE,
)
from .services import contacts_of, language_of, usable_contacts


def _org(case: Case, language: str) -> str:
    org = case.organisation
    return str(getattr(org, f"name_{language}", "") or org.name_ru)


def _send(
    contacts: dict[str, str],
    language: str,
    kind: str,
    context: dict[str, Any],
    case: Case,
    report: Any = None,
) -> list[Message]:
    return [
        enqueue(
            channel=channel,
            recipient=address,
            language=language,
            kind=kind,
            context={**context, "organisation": _org(case, language)},
            case_id=case.pk,
            report=report,
        )
        for channel, address in contacts.items()
    ]


def _to_participant(person: Participant, kind: str, context: dict[str, Any]) -> list[Message]:
    context = {"name": person.full_name, "erdr_number": person.case.erdr_number, **context}
    return _send(contacts_of(person), language_of(person), kind, context, person.case)


def victim_recognised(actor: Any, doc: Document) -> None:
    """Tell the person a finalised resolution recognises as a victim (CPC art. 71)."""
    person = (
        Participant.objects.select_related("case", "case__organisation")
        .filter(pk=doc.fields.get("participant"), case_id=doc.case_id)
        .first()
    )
    if person is None:
        return
    language = language_of(person)
    moment = doc.finalised_at or clock.now()
    sent = _to_participant(
        person,
        Kind.VICTIM_RECOGNISED,
        {"number": doc.number, "date": format_date(clock.local(moment).date(), language)},
    )
    record(
        "notice.victim_recognised",
        actor=actor,
        case_id=doc.case_id,
        obj=person,
        data={"document": str(doc.pk), "messages": len(sent), "rule": VICTIM_RULE},
    )


def _ground_label(code: str, language: str) -> str:
    ground = next((g for g in TERMINATION_GROUNDS if g.code == code), None)
    if ground is None:
        return code
    with translation.override(language):
        return str(ground.label)


def case_terminated(actor: Any, case: Case, ground: str) -> None:
    """Tell the participants of art. 289(2) and the applicant that the case is terminated."""
    count = 0
    people = Participant.objects.select_related("case", "case__organisation").filter(
        case=case, removed_at__isnull=True, status__in=TERMINATION_STATUSES
    )
    for person in people:
        language = language_of(person)
        count += len(
            _to_participant(
                person, Kind.CASE_TERMINATED, {"ground": _ground_label(ground, language)}
            )
        )
    report = case.report
    if report is not None:
        language = report.applicant_language
        language = language if language in dict(LANGUAGES) else "ru"
        contacts = usable_contacts(report.applicant_phone, report.applicant_email)
        context = {
            "name": report.applicant_name,
            "erdr_number": case.erdr_number,
            "ground": _ground_label(ground, language),
        }
        count += len(_send(contacts, language, Kind.CASE_TERMINATED, context, case, report))
    record(
        "notice.case_terminated",
        actor=actor,
        case_id=case.pk,
        obj=case,
        data={"ground": ground, "messages": count, "rule": TERMINATION_RULE},
    )


def _date(check: Checker, value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        check.add("until", _("Enter a date like 1990-05-31."))
        return None


@service
def notify_familiarisation(
    user: Any,
    case_key: uuid.UUID | str,
    participant_ids: Iterable[Any],
    *,
    place: str,
    until: dt.date | str,
) -> list[Message]:
    """Tell participants that the file is ready to study, where and until when (art. 294(1))."""
    case = get_case(user, case_key, Perm.WORK)
    check = Checker()
    place = " ".join((place or "").split())
    check.required("place", place)
    check.max_length("place", place, 500)
    last_day = _date(check, until)
    if last_day is not None and last_day < clock.local(clock.now()).date():
        check.add("until", _("The term cannot end in the past."))
    ids = [str(i) for i in (participant_ids or [])]
    people: list[Participant] = []
    if not ids:
        check.add("participant_ids", _("Choose at least one participant."))
    for raw in ids:
        try:
            pk = uuid.UUID(raw)
        except ValueError:
            pk = None
        person = (
            Participant.objects.select_related("case", "case__organisation")
            .filter(pk=pk, case=case, removed_at__isnull=True)
            .first()
            if pk
            else None
        )
        if person is None:
            check.add("participant_ids", _("Choose participants of this case."))
        elif person.status not in FAMILIARISATION_STATUSES:
            check.add(
                "participant_ids",
                _("%(name)s may not be told to study the file (CPC art. 294(1)).")
                % {"name": person.full_name},
            )
        elif not contacts_of(person):
            check.add(
                "participant_ids",
                _("%(name)s has no phone or e-mail: add one to the participant's data first.")
                % {"name": person.full_name},
            )
        else:
            people.append(person)
    check.done()
    assert last_day is not None
    investigator = case.investigator
    sent: list[Message] = []
    for person in people:
        language = language_of(person)
        sent += _to_participant(
            person,
            Kind.FAMILIARISATION,
            {
                "place": place,
                "until": format_date(last_day, language),
                "investigator": investigator.get_full_name() if investigator else "",
            },
        )
    if not sent:
        raise ValidationFailed.one("participant_ids", _("Choose at least one participant."))
    record(
        "notice.familiarisation",
        actor=user,
        case_id=case.pk,
        obj=case,
        data={
            "participants": [str(p.pk) for p in people],
            "place": place,
            "until": last_day.isoformat(),
            "messages": len(sent),
            "rule": FAMILIARISATION_RULE,
        },
    )
    return sent
