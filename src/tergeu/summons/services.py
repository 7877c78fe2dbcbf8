"""Electronic summons: sending, the person's link (opened, confirmed), delivery and fallback.

:func:`send_summons` sends a finalised summons document of the case to the person it names,
by the first of the chosen channels they have a contact for, with a personal link
``/s/<token>/``. The token is in the message only (the message kind is secret, so the
journal does not hold its text); the summons keeps its SHA-256.

The outbox reports delivery by signals (:mod:`tergeu.notifications.signals`), connected in
:mod:`.hooks`: ``message_sent`` and ``message_delivered`` advance the status; when the
message is given up (``message_failed``, status dead) the next channel is tried with a new
link (the old token is replaced: its message never arrived), and when none is left the
summons is ``failed``. Each step is journaled (``summons.*``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tergeu.cases.access import Perm, get_case
from tergeu.cases.models import Case, Participant
from tergeu.core import clock
from tergeu.core.errors import Conflict, NotFound
from tergeu.core.validation import Checker
from tergeu.documents.catalogue import get_type
from tergeu.documents.models import Document
from tergeu.documents.rendering import format_date, format_time
from tergeu.documents.signatures import latest_pdf_sha256, read_pdf
from tergeu.integrity.journal import record, service
from tergeu.notifications.models import Channel, Kind, Message, MessageStatus
from tergeu.notifications.services import LANGUAGES, enqueue
from tergeu.settings.env import env_str

from .models import RANK, Summons, SummonsStatus
from .rules import CONSEQUENCES, LINK_DAYS_AFTER, SUMMONS_RULE

DOC_TYPE = "summons"
DEFAULT_CHANNELS = (Channel.SMS.value, Channel.EMAIL.value)


def link_base(site_url: str = "") -> str:
    """Where the personal links start: TERGEU_PUBLIC_URL when set (docs/operations.md),
    else the address the request came to (``site_url``)."""
    configured = getattr(settings, "TERGEU_PUBLIC_URL", None) or env_str("TERGEU_PUBLIC_URL", "")
    return str(configured or site_url).rstrip("/")


def token_hash(token: str) -> str:
    """What is stored of a personal link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def contacts_of(person: Participant) -> dict[str, str]:
    """The person's usable addresses by channel (a phone for SMS, an e-mail for e-mail)."""
    return usable_contacts(person.phone, person.email)


def usable_contacts(phone: str, email: str) -> dict[str, str]:
    """A phone and an e-mail by channel, those that are well formed (others are skipped)."""
    found: dict[str, str] = {}
    check = Checker()
    number = check.phone("phone", (phone or "").strip())
    if number and not check.errors:
        found[Channel.SMS.value] = number
    address = (email or "").strip()
    check = Checker()
    check.email("email", address)
    if address and not check.errors:
        found[Channel.EMAIL.value] = address
    return found


def language_of(person: Participant) -> str:
    """The language the person is written to in: theirs, else Russian."""
    return person.language if person.language in dict(LANGUAGES) else "ru"


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _channels(check: Checker, channels: Any) -> list[str]:
    if isinstance(channels, str):
        channels = [channels]
    if not isinstance(channels, Sequence) or not channels:
        check.add("channels", _("Choose at least one channel: SMS or e-mail."))
        return []
    allowed = set(Channel.values)
    wanted = [str(c) for c in channels]
    if any(c not in allowed for c in wanted):
        check.add("channels", _("Choose SMS and/or e-mail."))
        return []
    if len(set(wanted)) != len(wanted):
        check.add("channels", _("Each channel may be chosen once."))
        return []
    return wanted


def _document(check: Checker, case: Case, document_id: Any) -> Document | None:
    pk = _uuid(document_id)
    doc = Document.objects.filter(pk=pk, case=case).first() if pk else None
    if doc is None:
        check.add("document_id", _("Choose a summons document of this case."))
        return None
    if doc.doc_type != DOC_TYPE:
        check.add("document_id", _("This document is not a summons."))
        return None
    if not doc.is_final:
        check.add("document_id", _("Finalise (sign) the summons before sending it."))
        return None
    if Summons.objects.filter(document=doc).exists():
        raise Conflict(_("This summons has already been sent."))
    return doc


def details(summons: Summons, language: str) -> dict[str, Any]:
    """What the summons says, for the message and the page, in ``language``."""
    doc = summons.document
    spec = get_type(DOC_TYPE)
    fields = doc.fields
    capacity = fields.get("capacity", "")
    field = spec.field("capacity") if spec else None
    choice = field.choice(capacity) if field else None
    moment = dt.datetime.fromisoformat(fields["appear_at"])
    consequence = CONSEQUENCES.get(capacity)
    org = summons.case.organisation
    return {
        "name": summons.participant.full_name,
        "capacity": choice.label.text(language) if choice else capacity,
        "purpose": fields.get("purpose", ""),
        "date": format_date(clock.local(moment).date(), language),
        "time": format_time(moment, language),
        "appear_at": moment,
        "address": fields.get("address", ""),
        "room": fields.get("room", ""),
        "official": fields.get("official", ""),
        "contacts": fields.get("contacts", ""),
        "erdr_number": summons.case.erdr_number,
        "organisation": getattr(org, f"name_{language}", "") or org.name_ru,
        "consequence": consequence.text if consequence else "",
        "consequence_rule": consequence.rule if consequence else "",
        "rule": SUMMONS_RULE,
        "number": doc.number,
    }


def _enqueue(summons: Summons, token: str, base: str) -> Message:
    """Queue the summons by its current channel with the link carrying ``token``."""
    channel = summons.channel
    address = contacts_of(summons.participant)[channel]
    link = base.rstrip("/") + reverse("summons:public", args=[token])
    context = {**details(summons, summons.language), "link": link}
    return enqueue(
        channel=channel,
        recipient=address,
        language=summons.language,
        kind=Kind.SUMMONS,
        context=context,
        case_id=summons.case_id,
    )


@service
def send_summons(
    user: Any,
    case_key: uuid.UUID | str,
    document_id: Any,
    channels: Any = DEFAULT_CHANNELS,
    *,
    site_url: str = "",
) -> tuple[Summons, str]:
    """Send a finalised summons of the case to its person; return it and the link's token.

    Only the case team (permission to work on the case). The first chosen channel the
    person has a contact for is used; the others are kept, in order, for the fallback.
    """
    case = get_case(user, case_key, Perm.WORK, lock=True)
    check = Checker()
    wanted = _channels(check, channels)
    doc = _document(check, case, document_id)
    person: Participant | None = None
    usable: list[str] = []
    if doc is not None:
        person_pk = _uuid(doc.fields.get("participant"))
        person = (
            Participant.objects.filter(pk=person_pk, case=case, removed_at__isnull=True).first()
            if person_pk
            else None
        )
        if person is None:
            check.add("document_id", _("The person summoned is no longer a participant."))
        elif wanted:
            have = contacts_of(person)
            usable = [c for c in wanted if c in have]
            if not usable:
                check.add(
                    "channels",
                    _(
                        "The person has no phone or e-mail for the chosen channels: "
                        "add one to the participant's data first."
                    ),
                )
    check.done()
    assert doc is not None
    assert person is not None
    token = secrets.token_urlsafe(32)
    now = clock.now()
    appear_at = dt.datetime.fromisoformat(doc.fields["appear_at"])
    summons = Summons.objects.create(
        case=case,
        document=doc,
        participant=person,
        channels=usable,
        channel_index=0,
        language=language_of(person),
        token_sha256=token_hash(token),
        appear_at=appear_at,
        expires_at=max(appear_at, now) + LINK_DAYS_AFTER,
        link_base=link_base(site_url),
        sent_by=user,
    )
    summons.message = _enqueue(summons, token, summons.link_base)
    summons.save(update_fields=["message", "updated_at"])
    record(
        "summons.queued",
        actor=user,
        case_id=case.pk,
        obj=summons,
        data={
            "document": str(doc.pk),
            "number": doc.number,
            "participant": str(person.pk),
            "channels": usable,
            "channel": summons.channel,
            "message": str(summons.message.pk),
            "language": summons.language,
            "rule": SUMMONS_RULE,
        },
    )
    return summons, token


def summonses_of(user: Any, case_key: uuid.UUID | str) -> QuerySet[Summons]:
    """The summonses of a case, newest first, for whoever may see the case."""
    case = get_case(user, case_key, Perm.VIEW)
    return (
        Summons.objects.filter(case=case)
        .select_related("participant", "document", "message")
        .order_by("-created_at")
    )


def sendable_documents(case: Case) -> QuerySet[Document]:
    """Finalised summons documents of ``case`` not sent yet."""
    return Document.objects.filter(
        case=case, doc_type=DOC_TYPE, status="final", summons__isnull=True
    ).order_by("number")


# --- the person's link ---------------------------------------------------------------


def summons_by_token(token: str) -> Summons:
    """The summons of a personal link that still works, else NotFound."""
    if not token or len(token) > 100:
        raise NotFound()
    summons = (
        Summons.objects.select_related("case", "case__organisation", "participant", "document")
        .filter(token_sha256=token_hash(token), expires_at__gt=clock.now())
        .first()
    )
    if summons is None:
        raise NotFound()
    return summons


def _advance(summons: Summons, status: str) -> None:
    if RANK[SummonsStatus(status)] > RANK[SummonsStatus(summons.status)] or (
        summons.status == SummonsStatus.FAILED and status != SummonsStatus.FAILED
    ):
        summons.status = status


@service
def open_summons(token: str) -> Summons:
    """The person opens their link: the first opening is recorded and journaled."""
    summons = summons_by_token(token)
    summons = (
        Summons.objects.select_for_update()
        .select_related("case", "case__organisation", "participant", "document")
        .get(pk=summons.pk)
    )
    if summons.opened_at is None:
        summons.opened_at = clock.now()
        _advance(summons, SummonsStatus.OPENED)
        summons.save(update_fields=["opened_at", "status", "updated_at"])
        record(
            "summons.opened",
            case_id=summons.case_id,
            obj=summons,
            data={"participant": str(summons.participant_id), "channel": summons.channel},
        )
    return summons


@service
def confirm_summons(token: str) -> Summons:
    """The person confirms they will come (once; a second confirmation changes nothing)."""
    summons = open_summons(token)
    if summons.confirmed_at is None:
        summons.confirmed_at = clock.now()
        _advance(summons, SummonsStatus.CONFIRMED)
        summons.save(update_fields=["confirmed_at", "status", "updated_at"])
        record(
            "summons.confirmed",
            case_id=summons.case_id,
            obj=summons,
            data={"participant": str(summons.participant_id), "appear_at": summons.appear_at},
        )
    return summons


@service
def summons_pdf(token: str) -> tuple[Summons, bytes]:
    """The signed PDF of the summons, for the person holding the link (journaled)."""
    summons = summons_by_token(token)
    sha = latest_pdf_sha256(summons.document)
    if not sha:
        raise NotFound()
    data = read_pdf(sha)
    record(
        "document.read",
        case_id=summons.case_id,
        obj=summons.document,
        data={"purpose": "summons_link", "summons": str(summons.pk), "pdf_sha256": sha},
    )
    return summons, data


# --- delivery (receivers of the outbox's signals, see hooks.py) ------------------------


def _of_message(message: Message) -> Summons | None:
    if message.kind != Kind.SUMMONS:  # every outbox message passes here: no query for others
        return None
    return (
        Summons.objects.select_for_update()
        .select_related("participant", "case", "document")
        .filter(message=message)
        .first()
    )


def message_sent(message: Message) -> None:
    """The peer accepted the summons' message."""
    summons = _of_message(message)
    if summons is None:
        return
    summons.sent_at = summons.sent_at or clock.now()
    _advance(summons, SummonsStatus.SENT)
    summons.save(update_fields=["sent_at", "status", "updated_at"])
    record(
        "summons.sent",
        case_id=summons.case_id,
        obj=summons,
        data={"channel": message.channel, "message": str(message.pk)},
    )


def message_delivered(message: Message) -> None:
    """A receipt says the summons' message arrived."""
    summons = _of_message(message)
    if summons is None:
        return
    summons.delivered_at = summons.delivered_at or clock.now()
    _advance(summons, SummonsStatus.DELIVERED)
    summons.save(update_fields=["delivered_at", "status", "updated_at"])
    record(
        "summons.delivered",
        case_id=summons.case_id,
        obj=summons,
        data={"channel": message.channel, "message": str(message.pk)},
    )


def message_failed(message: Message) -> None:
    """The summons' message was given up: try the next channel, or mark the summons failed."""
    if message.status != MessageStatus.DEAD:
        return
    summons = _of_message(message)
    if summons is None:
        return
    have = contacts_of(summons.participant)
    record(
        "summons.channel_failed",
        case_id=summons.case_id,
        obj=summons,
        data={
            "channel": message.channel,
            "message": str(message.pk),
            "error": (getattr(message, "last_error", "") or "")[:500],
        },
    )
    if summons.opened_at is not None:
        return  # the person has the summons (a late negative receipt): keep their link
    for index in range(summons.channel_index + 1, len(summons.channels)):
        if summons.channels[index] not in have:
            continue
        token = secrets.token_urlsafe(32)
        summons.channel_index = index
        summons.token_sha256 = token_hash(token)
        summons.message = _enqueue(summons, token, summons.link_base)
        if RANK[SummonsStatus(summons.status)] < RANK[SummonsStatus.OPENED]:
            summons.status = SummonsStatus.QUEUED
        summons.save()
        record(
            "summons.fallback",
            case_id=summons.case_id,
            obj=summons,
            data={"channel": summons.channel, "message": str(summons.message.pk)},
        )
        return
    summons.status = SummonsStatus.FAILED
    summons.failed_at = clock.now()
    summons.save(update_fields=["status", "failed_at", "updated_at"])
    record(
        "summons.failed",
        case_id=summons.case_id,
        obj=summons,
        data={"channels": summons.channels},
    )
