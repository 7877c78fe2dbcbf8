"""Reading the PKI: CAs, chains, trust roots, CRLs. Nothing here is journaled; the
changes of state are in :mod:`.services`.
"""

from __future__ import annotations

import datetime as dt

from asn1crypto import x509 as ax509
from cryptography import x509
from django.db.models import Q

from tergeu.core import clock
from tergeu.core.errors import NotFound
from tergeu.settings.env import env_int

from .custody import get_custody
from .issuing import Issuer, build_crl, is_self_signed, issued_by
from .models import ROOT, Certificate, CertificateAuthority, Purpose, TrustedRoot

#: Hours a CRL stays current (its nextUpdate); a fresh one is made on every request.
CRL_HOURS = env_int("TERGEU_PKI_CRL_HOURS", 24)
MAX_CHAIN = 8


def ca_by_name(name: str) -> CertificateAuthority:
    """The CA called ``name`` (NotFound if there is none)."""
    ca = CertificateAuthority.objects.filter(name=name).first()
    if ca is None:
        raise NotFound()
    return ca


def signing_root() -> CertificateAuthority | None:
    """The root that issues Tergeu's issuing CAs and TSA: ours, or an imported one with a key."""
    qs = CertificateAuthority.objects.filter(kind=ROOT, active=True).exclude(key_ref="")
    return qs.filter(name=ROOT).first() or qs.order_by("created_at").first()


def issuing_ca(kind: str) -> CertificateAuthority | None:
    """The CA that issues new certificates to staff of organisations of ``kind``."""
    return (
        CertificateAuthority.objects.filter(kind=kind, active=True)
        .exclude(key_ref="")
        .order_by("-created_at")
        .first()
    )


def current_tsa(now: dt.datetime | None = None) -> Certificate | None:
    """The TSA certificate in use: not revoked, valid for at least 30 more days."""
    now = now or clock.now()
    return (
        Certificate.objects.filter(
            purpose=Purpose.TIMESTAMPING,
            revoked_at__isnull=True,
            not_before__lte=now,
            not_after__gt=now + dt.timedelta(days=30),
        )
        .select_related("ca")
        .order_by("-not_before")
        .first()
    )


def _known_cas() -> list[x509.Certificate]:
    ders = [bytes(d) for d in CertificateAuthority.objects.values_list("der", flat=True)]
    ders += [bytes(d) for d in TrustedRoot.objects.values_list("der", flat=True)]
    return [x509.load_der_x509_certificate(d) for d in ders]


def chain_of(cert: x509.Certificate) -> list[x509.Certificate]:
    """The certificates above ``cert`` (its issuer first) up to a self-signed root, as far as
    the known CAs and trusted roots reach."""
    known = _known_cas()
    chain: list[x509.Certificate] = []
    current = cert
    while not is_self_signed(current) and len(chain) < MAX_CHAIN:
        issuer = next(
            (c for c in known if c.subject == current.issuer and issued_by(current, c)), None
        )
        if issuer is None or issuer in chain:
            break
        chain.append(issuer)
        current = issuer
    return chain


def asn1(cert: x509.Certificate | bytes) -> ax509.Certificate:
    """The asn1crypto form of a certificate (what pyHanko takes)."""
    from .issuing import der_of

    der = cert if isinstance(cert, bytes) else der_of(cert)
    return ax509.Certificate.load(der)


def trust_root_ders() -> list[bytes]:
    """DER of every trust anchor: self-signed CAs (ours and imported) and trusted roots."""
    ders = [
        bytes(d)
        for d in CertificateAuthority.objects.filter(kind=ROOT).values_list("der", flat=True)
    ]
    ders += [bytes(d) for d in TrustedRoot.objects.values_list("der", flat=True)]
    return list(dict.fromkeys(ders))


def intermediate_ders() -> list[bytes]:
    """DER of the CAs that are not roots (offered to path building)."""
    return [
        bytes(d)
        for d in CertificateAuthority.objects.exclude(kind=ROOT).values_list("der", flat=True)
    ]


def make_crl(ca: CertificateAuthority, now: dt.datetime | None = None) -> bytes:
    """A fresh CRL signed by ``ca``, listing the certificates it issued that are revoked."""
    if not ca.key_ref:
        raise NotFound()
    now = (now or clock.now()).replace(microsecond=0)
    revoked = [
        (int(serial, 16), when, reason)
        for serial, when, reason in Certificate.objects.filter(
            ca=ca, revoked_at__isnull=False
        ).values_list("serial", "revoked_at", "revocation_reason")
        if when is not None
    ]
    issuer = Issuer.of(bytes(ca.der), ca.key_ref, get_custody())
    return build_crl(
        issuer, revoked, this_update=now, next_update=now + dt.timedelta(hours=CRL_HOURS)
    )


def all_crls(now: dt.datetime | None = None) -> list[bytes]:
    """Fresh CRLs of every CA whose key Tergeu holds."""
    return [make_crl(ca, now) for ca in CertificateAuthority.objects.exclude(key_ref="")]


def valid_signing_certificate(user_id: object, now: dt.datetime) -> Certificate | None:
    """The person's newest signing certificate that is not revoked and not about to expire."""
    return (
        Certificate.objects.filter(
            Q(user_id=user_id),
            purpose=Purpose.SIGNING,
            revoked_at__isnull=True,
            not_before__lte=now + dt.timedelta(minutes=5),
            not_after__gt=now + dt.timedelta(days=1),
        )
        .select_related("ca")
        .order_by("-not_before")
        .first()
    )
