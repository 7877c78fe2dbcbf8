"""The registry of signature algorithms Tergeu accepts in external signatures.

Verification of certificates, CRLs and CMS signatures goes through pyhanko-certvalidator,
which asks a :class:`~pyhanko_certvalidator.sig_validate.SignatureValidator` to check each
raw signature. :class:`RegistrySignatureValidator` answers only for algorithms registered
here: RSA (PKCS#1 v1.5 and PSS) and ECDSA now, each delegated to pyca/cryptography
through certvalidator's default validator.

The seam for GOST R 34.10-2012 (what Kazakhstan's NCA also issues): implement
:class:`SignatureAlgorithm` with a library that knows GOST (for example a binding of
OpenSSL's gost engine), and :func:`register` it with the signature OIDs
(1.2.643.7.1.1.3.2 for 256-bit, 1.2.643.7.1.1.3.3 for 512-bit keys). The digests of
such signatures (Streebog, 1.2.643.7.1.1.2.2/.3) must also be computed, which pyHanko
does through ``get_pyca_cryptography_hash``; that hook is the other half of the work,
and key custody needs a ``gost-2012-256`` key kind for signing. See docs/pki.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from asn1crypto import algos
from asn1crypto.keys import PublicKeyInfo
from pyhanko_certvalidator.errors import AlgorithmNotSupported
from pyhanko_certvalidator.sig_validate import (
    DEFAULT_SIGNATURE_VALIDATOR,
    DEFAULT_VALIDATION_CONTEXT,
    SignatureValidationContext,
    SignatureValidator,
)


class SignatureAlgorithm(Protocol):
    """One family of signature algorithms: its names and how to verify a raw signature."""

    @property
    def label(self) -> str:
        """A readable name (``GOST R 34.10-2012``)."""
        ...

    @property
    def mechanisms(self) -> frozenset[str]:
        """asn1crypto's names (``sha256_rsa``, ``rsassa_pss``, ``sha256_ecdsa``) or dotted OIDs."""
        ...

    def verify(
        self,
        signature: bytes,
        signed_data: bytes,
        public_key_info: PublicKeyInfo,
        signature_algorithm: algos.SignedDigestAlgorithm,
        context: SignatureValidationContext,
    ) -> None:
        """Return if the signature is good; raise (``InvalidSignature``, ...) otherwise."""
        ...


@dataclass(frozen=True)
class PycaAlgorithm:
    """An algorithm pyca/cryptography verifies (via certvalidator's default validator)."""

    label: str
    mechanisms: frozenset[str]

    def verify(
        self,
        signature: bytes,
        signed_data: bytes,
        public_key_info: PublicKeyInfo,
        signature_algorithm: algos.SignedDigestAlgorithm,
        context: SignatureValidationContext,
    ) -> None:
        DEFAULT_SIGNATURE_VALIDATOR.validate_signature(
            signature, signed_data, public_key_info, signature_algorithm, context
        )


_HASHES = ("sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512")

RSA_PKCS1 = PycaAlgorithm(
    "RSA PKCS#1 v1.5",
    frozenset({"rsassa_pkcs1v15", *(f"{h}_rsa" for h in _HASHES)}),
)
RSA_PSS = PycaAlgorithm("RSA-PSS", frozenset({"rsassa_pss"}))
ECDSA = PycaAlgorithm("ECDSA", frozenset({"ecdsa", *(f"{h}_ecdsa" for h in _HASHES)}))

_registry: dict[str, SignatureAlgorithm] = {}


def register(algorithm: SignatureAlgorithm) -> None:
    """Accept signatures of ``algorithm`` (replaces an earlier registration of its names)."""
    for mechanism in algorithm.mechanisms:
        _registry[mechanism] = algorithm


def unregister(algorithm: SignatureAlgorithm) -> None:
    """Stop accepting ``algorithm``."""
    for mechanism in algorithm.mechanisms:
        if _registry.get(mechanism) is algorithm:
            del _registry[mechanism]


for _algorithm in (RSA_PKCS1, RSA_PSS, ECDSA):
    register(_algorithm)


def lookup(signature_algorithm: algos.SignedDigestAlgorithm) -> SignatureAlgorithm | None:
    """The registered algorithm for an AlgorithmIdentifier, by name or dotted OID."""
    ident = signature_algorithm["algorithm"]
    return _registry.get(ident.native) or _registry.get(ident.dotted)


def mechanism_name(signature_algorithm: algos.SignedDigestAlgorithm) -> str:
    """A readable name of the algorithm (asn1crypto's name, or the OID)."""
    return str(signature_algorithm["algorithm"].native)


class RegistrySignatureValidator(SignatureValidator):
    """certvalidator's signature check, restricted to (and dispatched by) the registry."""

    def validate_signature(
        self,
        signature: bytes,
        signed_data: bytes,
        public_key_info: PublicKeyInfo,
        signature_algorithm: algos.SignedDigestAlgorithm,
        context: SignatureValidationContext = DEFAULT_VALIDATION_CONTEXT,
    ) -> None:
        algorithm = lookup(signature_algorithm)
        if algorithm is None:
            raise AlgorithmNotSupported(
                f"Signature mechanism {mechanism_name(signature_algorithm)} is not accepted."
            )
        algorithm.verify(signature, signed_data, public_key_info, signature_algorithm, context)
