"""Reports filed by citizens on the public form, without a staff account (CPC art. 180, 181).

1. :func:`request_code`: the applicant gives IIN, name, phone and/or e-mail and language;
   a 6-digit code goes to the phone (else the e-mail) through the outbox. Only its
   HMAC-SHA256 (key: SECRET_KEY) is kept; it is valid :data:`CODE_MINUTES` minutes and
   dies after :data:`MAX_ATTEMPTS` wrong tries.
2. :func:`verify_code`: the right code verifies the identity for :data:`IDENTITY_MINUTES`.
3. :func:`submit_report`: one transaction records the report in the KUI of the police
   body that covers the place (:func:`tergeu.allocation.territory.bodies_for_place`),
   with its facts and attachments, journals ``report.submitted_online`` and queues the
   acknowledgement with the tracking number and the status link.
4. :func:`report_by_token`, :func:`report_by_tracking`: the applicant's status page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import District
from tergeu.allocation.territory import bodies_for_place, check_place
from tergeu.core import blobs, clock
from tergeu.core.errors import NotFound, ServiceError, ValidationFailed
from tergeu.core.validation import Checker
from tergeu.evidence import filetypes
from tergeu.integrity.journal import record, service
from tergeu.notifications.models import Channel, Kind
from tergeu.notifications.services import LANGUAGES, enqueue

from . import config, facts
from .models import OneTimeCode, Report, ReportAttachment, Source
from .notices import notify_applicant
from .ratelimit import consume, hit
from .review import assess_report
from .services import next_kui_number

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
IDENTITY_MINUTES = 60
DESCRIPTION_MIN = 30
DESCRIPTION_MAX = 20_000
#: Attachments the public form accepts, recognised by content (:mod:`tergeu.evidence.filetypes`).
ALLOWED_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "application/pdf": "PDF"}
#: Tracking numbers: no 0/O, 1/I/L, U (read aloud over the phone without mistakes).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


class IdentityExpired(ServiceError):
    """The confirmed identity is missing or older than :data:`IDENTITY_MINUTES`."""

    status = 403
    code = "identity_expired"

    def __init__(self) -> None:
        super().__init__(
            _("Your confirmation has expired. Please confirm your phone or e-mail again.")
        )


class Upload(Protocol):
    """A file as Django's UploadedFile gives it."""

    name: str | None
    size: int | None
    content_type: str | None

    def read(self, size: int = ...) -> bytes: ...

    def seek(self, offset: int, whence: int = ...) -> int: ...


@dataclass(frozen=True)
class Submitted:
    """A filed report and the secret of its status link (shown once, sent to the applicant)."""

    report: Report
    token: str
    status_url: str


def code_hmac(challenge_id: uuid.UUID, code: str) -> str:
    """HMAC-SHA256 of the code, bound to its challenge, keyed with SECRET_KEY."""
    message = f"{challenge_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """What is stored of a status token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _identity(
    check: Checker, iin: str, full_name: str, phone: str, email: str, language: str
) -> tuple[str, str, str, str]:
    iin = (iin or "").strip()
    full_name = " ".join((full_name or "").split())
    check.required("iin", iin)
    check.iin("iin", iin)
    check.required("full_name", full_name)
    check.max_length("full_name", full_name, 300)
    phone = check.phone("phone", (phone or "").strip())
    email = (email or "").strip()
    check.email("email", email)
    check.max_length("email", email, 254)
    if not phone and not email:
        check.add("phone", _("Give a phone number or an e-mail address (or both)."))
    check.choice("language", language, LANGUAGES)
    return iin, full_name, phone, email


@service
def request_code(
    *,
    iin: str,
    full_name: str,
    phone: str = "",
    email: str = "",
    language: str = "ru",
    client_ip: str = "",
) -> tuple[OneTimeCode, str]:
    """Send a one-time code to the phone (SMS) or else the e-mail; return it and the code.

    The code is returned only so that a demo installation can show it (TERGEU_SHOW_OTP);
    it is stored as an HMAC and the journal never sees it.
    """
    check = Checker()
    iin, full_name, phone, email = _identity(check, iin, full_name, phone, email, language)
    check.done()
    channel, recipient = (Channel.SMS, phone) if phone else (Channel.EMAIL, email)
    hit("otp_contact", recipient)
    hit("otp_ip", client_ip)
    code = f"{secrets.randbelow(1_000_000):06d}"
    challenge = OneTimeCode(
        iin=iin,
        full_name=full_name,
        phone=phone,
        email=email,
        language=language,
        channel=channel,
        recipient=recipient,
        expires_at=clock.now() + dt.timedelta(minutes=CODE_MINUTES),
    )
    challenge.code_hmac = code_hmac(challenge.id, code)
    challenge.save()
    enqueue(
        channel=channel,
        recipient=recipient,
        language=language,
        kind=Kind.OTP,
        context={"code": code, "minutes": CODE_MINUTES},
    )
    record("report.code_sent", obj=challenge, data={"channel": channel, "recipient": recipient})
    return challenge, code


def _challenge(challenge_id: Any, *, lock: bool = False) -> OneTimeCode | None:
    try:
        pk = uuid.UUID(str(challenge_id))
    except ValueError:
        return None
    qs = OneTimeCode.objects.all()
    if lock:
        qs = qs.select_for_update()
    return qs.filter(pk=pk).first()


@service
def _try_code(challenge_id: Any, code: str, client_ip: str) -> str:
    """Check a code and keep the count of wrong tries (committed even when wrong)."""
    hit("code_ip", client_ip)
    challenge = _challenge(challenge_id, lock=True)
    if challenge is None:
        return "unknown"
    if challenge.verified_at is not None:
        return "used"
    if challenge.voided or challenge.attempts >= MAX_ATTEMPTS:
        return "void"
    if clock.now() > challenge.expires_at:
        return "expired"
    given = "".join((code or "").split())
    if not hmac.compare_digest(challenge.code_hmac, code_hmac(challenge.id, given)):
        challenge.attempts += 1
        challenge.voided = challenge.attempts >= MAX_ATTEMPTS
        challenge.save(update_fields=["attempts", "voided", "updated_at"])
        record("report.code_rejected", obj=challenge, data={"attempts": challenge.attempts})
        return "void" if challenge.voided else "wrong"
    challenge.verified_at = clock.now()
    challenge.save(update_fields=["verified_at", "updated_at"])
    record("report.identity_confirmed", obj=challenge, data={"channel": challenge.channel})
    return "ok"


OUTCOMES = {
    "unknown": _("Request a new code."),
    "used": _("This code has already been used. Request a new code."),
    "void": _("Too many wrong codes: this code no longer works. Request a new code."),
    "expired": _("The code has expired. Request a new code."),
    "wrong": _("The code is wrong. Check it and try again."),
}


def verify_code(challenge_id: Any, code: str, *, client_ip: str = "") -> OneTimeCode:
    """Confirm the identity with the code, or refuse on field ``code`` (nothing else changes)."""
    outcome = _try_code(challenge_id, code, client_ip)
    if outcome != "ok":
        raise ValidationFailed.one("code", OUTCOMES[outcome])
    challenge = _challenge(challenge_id)
    assert challenge is not None
    return challenge


def verified_identity(challenge_id: Any) -> OneTimeCode | None:
    """The confirmed identity of a challenge, while it is fresh (else None)."""
    if not challenge_id:
        return None
    challenge = _challenge(challenge_id)
    if challenge is None or challenge.verified_at is None:
        return None
    if clock.now() - challenge.verified_at > dt.timedelta(minutes=IDENTITY_MINUTES):
        return None
    return challenge


def _check_files(check: Checker, files: Sequence[Upload]) -> list[tuple[Upload, str, str]]:
    """The attachments with their clean names and recognised types (errors to ``check``)."""
    limit, most = config.max_file_bytes(), config.max_files()
    if len(files) > most:
        check.add("attachments", _("At most %(limit)d files, please.") % {"limit": most})
        return []
    good = []
    allowed = ", ".join(ALLOWED_TYPES.values())
    for upload in files:
        name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "file"
        if upload.size is not None and upload.size > limit:
            check.add(
                "attachments",
                _("The file “%(name)s” is larger than %(limit)s MB.")
                % {"name": name, "limit": f"{limit / (1024 * 1024):g}"},
            )
            continue
        upload.seek(0)
        head = upload.read(filetypes.HEAD_BYTES)
        upload.seek(0)
        mime = filetypes.sniff(head) if head else None
        if mime not in ALLOWED_TYPES:
            check.add(
                "attachments",
                _("“%(name)s” is not a photo or document of an allowed format (%(allowed)s).")
                % {"name": name, "allowed": allowed},
            )
            continue
        good.append((upload, name, str(mime)))
    return good


def _store(upload: Upload, limit: int) -> tuple[str, int]:
    chunks = []
    size = 0
    while True:
        chunk = upload.read(blobs.CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise ValidationFailed.one("attachments", _("A file is too large."))
        chunks.append(chunk)
    return blobs.put_bytes(b"".join(chunks)), size


def _tracking_number() -> str:
    while True:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        number = f"{raw[:4]}-{raw[4:]}"
        if not Report.objects.filter(tracking_number=number).exists():
            return number


@service
def submit_report(
    challenge_id: Any,
    *,
    event_kind: str,
    description: str,
    offence_at: dt.datetime | None,
    region_code: str,
    district_code: str = "",
    address: str = "",
    answers: Mapping[str, Any] | None = None,
    attachments: Sequence[Any] = (),
    confirm_liability: bool = False,
    client_ip: str = "",
    site_url: str = "",
) -> Submitted:
    """File a report in the KUI of the police body of the place, as the confirmed applicant."""
    identity = verified_identity(challenge_id)
    if identity is None:
        raise IdentityExpired()
    now = clock.now()
    check = Checker()
    check.choice("event_kind", event_kind, facts.EventKind.choices)
    description = (description or "").strip()
    check.required("description", description)
    if description and len(description) < DESCRIPTION_MIN:
        check.add(
            "description",
            _("Describe what happened in at least %(limit)d characters.")
            % {"limit": DESCRIPTION_MIN},
        )
    check.max_length("description", description, DESCRIPTION_MAX)
    check.required("offence_at", offence_at)
    check.not_future("offence_at", offence_at)
    check_place(check, region_code, district_code)
    address = " ".join((address or "").split())
    check.required("address", address)
    check.max_length("address", address, 500)
    if not confirm_liability:
        check.add("confirm_liability", _("Confirm that you know the liability for a false report."))
    report_facts = facts.build(check, event_kind, answers or {}, offence_at)
    files = _check_files(check, attachments)
    check.done()
    bodies = bodies_for_place(region_code, district_code, kinds={"police"})
    if not bodies:
        raise ValidationFailed.one(
            "region_code",
            _("No police body serves this place in Tergeu yet. Please file the report in person."),
        )
    hit("submit_iin", identity.iin)
    hit("submit_ip", client_ip)
    org = bodies[0]
    stored = [(_store(upload, config.max_file_bytes()), name, mime) for upload, name, mime in files]
    token = secrets.token_urlsafe(24)
    report = Report.objects.create(
        organisation=org,
        kui_number=next_kui_number(org, now),
        received_at=now,
        source=Source.ELECTRONIC,
        submitted_online=True,
        recorded_by=None,
        applicant_name=identity.full_name,
        applicant_iin=identity.iin,
        applicant_phone=identity.phone,
        applicant_email=identity.email,
        applicant_language=identity.language,
        description=description,
        offence_at=offence_at,
        region_id=region_code,
        district=District.objects.filter(region_id=region_code, code=district_code).first()
        if district_code
        else None,
        address=address,
        facts=report_facts,
        tracking_number=_tracking_number(),
        status_token_sha256=token_hash(token),
    )
    rows = [
        ReportAttachment.objects.create(
            report=report, sha256=sha, size=size, filename=name, content_type=mime
        )
        for (sha, size), name, mime in stored
    ]
    record(
        "report.submitted_online",
        obj=report,
        data={
            "kui_number": report.kui_number,
            "tracking_number": report.tracking_number,
            "organisation": org.code,
            "received_at": now,
            "event_kind": event_kind,
            "identity": str(identity.pk),
            "attachments": [
                {"sha256": a.sha256, "size": a.size, "content_type": a.content_type} for a in rows
            ],
        },
    )
    assess_report(report)
    status_url = site_url.rstrip("/") + reverse("intake:status", args=[token])
    notify_applicant(
        report,
        Kind.REPORT_RECEIVED,
        {"tracking_number": report.tracking_number, "status_url": status_url, "body": org},
    )
    return Submitted(report=report, token=token, status_url=status_url)


def report_by_token(token: str) -> Report:
    """The report of a status link (NotFound for an unknown token)."""
    if not token or len(token) > 100:
        raise NotFound()
    report = (
        Report.objects.filter(status_token_sha256=token_hash(token), submitted_online=True)
        .select_related("organisation", "referred_to")
        .first()
    )
    if report is None:
        raise NotFound()
    return report


def report_by_tracking(tracking_number: str, iin: str, *, client_ip: str = "") -> Report:
    """The report with this tracking number filed by this IIN (NotFound otherwise).

    Every look-up counts against the address's limit, found or not.
    """
    consume("lookup_ip", client_ip)
    number = "".join((tracking_number or "").split()).upper()
    if len(number) == 8 and "-" not in number:
        number = f"{number[:4]}-{number[4:]}"
    report = (
        Report.objects.filter(
            tracking_number=number, applicant_iin=(iin or "").strip(), submitted_online=True
        )
        .select_related("organisation", "referred_to")
        .first()
    )
    if report is None:
        raise ValidationFailed.one(
            "tracking_number", _("No report with this tracking number was filed with this IIN.")
        )
    return report
