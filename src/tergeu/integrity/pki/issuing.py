"""Building certificates and CRLs whose signatures come from key custody.

``cryptography`` builds the to-be-signed part (it needs *a* key of the issuer's family to
do so, which fixes the signature algorithm identifier inside it); the custody signs those
bytes and the result is assembled with ``asn1crypto``. So a CA key in an HSM works the
same as one in the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from asn1crypto import crl as acrl
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
    PublicKeyTypes,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from tergeu.settings.env import env_str

from .custody import CustodyError, KeyCustody, Padding

#: id-kp-documentSigning (RFC 9336).
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
#: Tergeu's TSA policy: a UUID-based OID (ITU-T X.667), needs no registration.
TSA_POLICY_OID = "2.25.46038894528460595966053028207113092661"


def base_url() -> str:
    """The public URL prefix written into certificates (CRL and CA certificate locations)."""
    default = "http://{}:{}".format(
        env_str("TERGEU_HOST", "127.0.0.1"), env_str("TERGEU_PORT", "8000")
    )
    return env_str("TERGEU_PKI_BASE_URL", default).rstrip("/")


def crl_url(ca_name: str) -> str:
    """Where the CRL of ``ca_name`` is served."""
    return f"{base_url()}/pki/crl/{ca_name}.crl"


def ca_cert_url(ca_name: str) -> str:
    """Where the certificate of ``ca_name`` is served."""
    return f"{base_url()}/pki/ca/{ca_name}.crt"


def random_serial() -> int:
    """A random positive 127-bit serial (RFC 5280: at most 20 octets, unpredictable)."""
    return secrets.randbits(126) | (1 << 126)


def serial_hex(serial: int) -> str:
    """The serial as stored and shown: upper-case hexadecimal, as ``openssl x509 -serial``."""
    return f"{serial:X}"


def sha256_hex(der: bytes) -> str:
    """SHA-256 fingerprint in lower-case hexadecimal."""
    return hashlib.sha256(der).hexdigest()


@functools.lru_cache(maxsize=2)
def _template_key(family: str) -> CertificateIssuerPrivateKeyTypes:
    """A throwaway key of the issuer's family, only to have cryptography lay out the TBS."""
    if family == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _family(public_key: PublicKeyTypes) -> tuple[str, Padding]:
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return "ec", None
    if isinstance(public_key, rsa.RSAPublicKey):
        return "rsa", "pkcs1v15"
    raise CustodyError(f"a CA key must be ECDSA or RSA, not {type(public_key).__name__}")


def _as_cert_public_key(public_key: PublicKeyTypes) -> CertificatePublicKeyTypes:
    if not isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise CustodyError(f"unsupported public key {type(public_key).__name__}")
    return public_key


@dataclass(frozen=True)
class Issuer:
    """Who signs: the issuer's name and public key, and the key's reference in custody."""

    name: x509.Name
    public_key: PublicKeyTypes
    key_ref: str
    custody: KeyCustody

    @classmethod
    def of(cls, cert_der: bytes, key_ref: str, custody: KeyCustody) -> Issuer:
        """An issuer from its certificate."""
        cert = x509.load_der_x509_certificate(cert_der)
        return cls(cert.subject, cert.public_key(), key_ref, custody)

    def sign(self, tbs: bytes) -> bytes:
        _, pad = _family(self.public_key)
        return self.custody.sign(self.key_ref, tbs, "sha256", pad)

    def template_key(self) -> CertificateIssuerPrivateKeyTypes:
        return _template_key(_family(self.public_key)[0])


def _ski(public_key: PublicKeyTypes) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(_as_cert_public_key(public_key))


def _aki(public_key: PublicKeyTypes) -> x509.AuthorityKeyIdentifier:
    key = _as_cert_public_key(public_key)
    assert isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey)
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(key)


def _crl_dp(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def _aia(url: str) -> x509.AuthorityInformationAccess:
    return x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                x509.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(url)
            )
        ]
    )


def _key_usage(**flags: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{n: flags.get(n, False) for n in names})


def issue(
    *,
    issuer: Issuer | None,
    subject: x509.Name,
    public_key: PublicKeyTypes,
    not_before: dt.datetime,
    not_after: dt.datetime,
    extensions: list[tuple[x509.ExtensionType, bool]],
    issuer_ca_name: str | None,
    self_key_ref: str | None = None,
    custody: KeyCustody | None = None,
) -> tuple[int, bytes]:
    """Issue a certificate; return its serial and DER.

    ``issuer`` None means self-signed with ``self_key_ref`` in ``custody``. SKI, AKI and,
    for issued certificates, the CRL distribution point and CA issuers URL of
    ``issuer_ca_name`` are added here.
    """
    if issuer is None:
        if self_key_ref is None or custody is None:
            raise ValueError("a self-signed certificate needs its own key reference")
        issuer = Issuer(subject, public_key, self_key_ref, custody)
    serial = random_serial()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.name)
        .public_key(_as_cert_public_key(public_key))
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(_ski(public_key), critical=False)
        .add_extension(_aki(issuer.public_key), critical=False)
    )
    if issuer_ca_name:
        builder = builder.add_extension(_crl_dp(crl_url(issuer_ca_name)), critical=False)
        builder = builder.add_extension(_aia(ca_cert_url(issuer_ca_name)), critical=False)
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    template = builder.sign(issuer.template_key(), hashes.SHA256())
    tbs_der = template.tbs_certificate_bytes
    tbs = ax509.TbsCertificate.load(tbs_der)
    cert = ax509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": tbs["signature"],
            "signature_value": issuer.sign(tbs_der),
        }
    )
    der = cert.dump()
    x509.load_der_x509_certificate(der)  # fails loudly if the assembly is malformed
    return serial, der


def ca_extensions(path_length: int | None) -> list[tuple[x509.ExtensionType, bool]]:
    """basicConstraints CA (critical) and keyUsage keyCertSign + cRLSign (critical)."""
    return [
        (x509.BasicConstraints(ca=True, path_length=path_length), True),
        (_key_usage(key_cert_sign=True, crl_sign=True, digital_signature=True), True),
    ]


def tsa_extensions() -> list[tuple[x509.ExtensionType, bool]]:
    """A TSA: not a CA, digitalSignature, EKU timeStamping only and critical (RFC 3161)."""
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(digital_signature=True, content_commitment=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
    ]


def signing_extensions(email: str = "") -> list[tuple[x509.ExtensionType, bool]]:
    """An official's signing certificate: digitalSignature + nonRepudiation; EKU
    emailProtection (what S/MIME and ``openssl cms`` expect) and documentSigning."""
    exts: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(digital_signature=True, content_commitment=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), False),
    ]
    if email:
        exts.append((x509.SubjectAlternativeName([x509.RFC822Name(email)]), False))
    return exts


def name(**parts: str) -> x509.Name:
    """An X.500 name from keyword parts (C, O, OU, CN, serialNumber, SN, GN), in that order."""
    oids = {
        "C": NameOID.COUNTRY_NAME,
        "O": NameOID.ORGANIZATION_NAME,
        "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "SN": NameOID.SURNAME,
        "GN": NameOID.GIVEN_NAME,
        "serialNumber": NameOID.SERIAL_NUMBER,
        "CN": NameOID.COMMON_NAME,
    }
    return x509.Name([x509.NameAttribute(oids[k], v[:64]) for k in oids if (v := parts.get(k))])


_REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
}


def build_crl(
    issuer: Issuer,
    revoked: list[tuple[int, dt.datetime, str]],
    *,
    this_update: dt.datetime,
    next_update: dt.datetime,
) -> bytes:
    """A CRL (v2, with AKI and CRL number) listing ``(serial, revoked_at, reason)``.

    The CRL number is the issue time in microseconds, so it only grows (RFC 5280, 5.2.3).
    """
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.name)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(_aki(issuer.public_key), critical=False)
        .add_extension(x509.CRLNumber(int(this_update.timestamp() * 1_000_000)), critical=False)
    )
    for serial, when, reason in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
        flag = _REASONS.get(reason, x509.ReasonFlags.unspecified)
        if flag is not x509.ReasonFlags.unspecified:
            entry = entry.add_extension(x509.CRLReason(flag), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    template = builder.sign(issuer.template_key(), hashes.SHA256())
    tbs_der = template.tbs_certlist_bytes
    tbs = acrl.TbsCertList.load(tbs_der)
    return acrl.CertificateList(
        {
            "tbs_cert_list": tbs,
            "signature_algorithm": tbs["signature"],
            "signature": issuer.sign(tbs_der),
        }
    ).dump()


_SHORT_NAMES = {
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.SURNAME: "SN",
    NameOID.GIVEN_NAME: "GN",
}


def subject_text(name: x509.Name) -> str:
    """An RFC 4514 string of a name, with readable keys for serialNumber, SN and GN."""
    return name.rfc4514_string(_SHORT_NAMES)


def cert_fields(der: bytes) -> dict[str, Any]:
    """The fields a model row keeps of a certificate: subject, DER, SHA-256, end of validity."""
    cert = x509.load_der_x509_certificate(der)
    return {
        "subject": subject_text(cert.subject)[:500],
        "der": der,
        "sha256": sha256_hex(der),
        "not_after": cert.not_valid_after_utc,
    }


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes (ValueError if it is neither)."""
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def der_of(cert: x509.Certificate) -> bytes:
    """The DER encoding of a certificate."""
    return cert.public_bytes(serialization.Encoding.DER)


def is_self_signed(cert: x509.Certificate) -> bool:
    """Issuer equals subject and the certificate's own key verifies its signature."""
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:  # InvalidSignature, unsupported keys
        return False
    return True


def is_ca(cert: x509.Certificate) -> bool:
    """basicConstraints says CA and, if keyUsage is present, it allows keyCertSign."""
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not bc.ca:
        return False
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(ku.key_cert_sign)


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer`` signed ``cert`` (names chain and the signature verifies)."""
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # ValueError, TypeError, InvalidSignature
        return False
    return True
