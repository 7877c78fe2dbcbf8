"""A pyHanko signer whose raw signatures come from key custody.

pyHanko asks a :class:`~pyhanko.sign.signers.Signer` for ``async_sign_raw(data,
digest_algorithm)``; :class:`CustodySigner` answers it with
:meth:`~.custody.KeyCustody.sign`, so an HSM or a PKCS#11 token that implements the
custody protocol signs PAdES and CMS the same way as the default database custody.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asn1crypto import algos
from asn1crypto import x509 as ax509
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .custody import KeyCustody, Padding

_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}


@dataclass(frozen=True)
class SigningMaterial:
    """What signing as a person needs: their certificate, its chain up to the root, the key."""

    cert: ax509.Certificate
    chain: list[ax509.Certificate] = field(default_factory=list)
    key_ref: str = ""


class CustodySigner(Signer):
    """A pyHanko :class:`Signer` that signs through :class:`~.custody.KeyCustody`.

    RSA keys sign PKCS#1 v1.5 unless ``prefer_pss``; PSS then uses a salt as long as the
    digest (what the custody's ``"pss"`` padding means). ECDSA keys sign ECDSA.
    """

    def __init__(
        self,
        *,
        signing_cert: ax509.Certificate,
        chain: list[ax509.Certificate],
        custody: KeyCustody,
        key_ref: str,
        prefer_pss: bool = False,
    ) -> None:
        custody.prepare(key_ref)
        self.custody = custody
        self.key_ref = key_ref
        super().__init__(
            prefer_pss=prefer_pss,
            embed_roots=True,
            signing_cert=signing_cert,
            cert_registry=SimpleCertificateStore.from_certs([signing_cert, *chain]),
        )

    def get_signature_mechanism_for_digest(
        self, digest_algorithm: str | None
    ) -> algos.SignedDigestAlgorithm:
        """Like pyHanko's default, but PSS with a digest-length salt (what the custody does)."""
        cert = self.signing_cert
        if (
            self.signature_mechanism is None
            and cert is not None
            and cert.public_key.algorithm == "rsa"
            and self.prefer_pss
            and digest_algorithm is not None
        ):
            digest = algos.DigestAlgorithm({"algorithm": digest_algorithm})
            return algos.SignedDigestAlgorithm(
                {
                    "algorithm": "rsassa_pss",
                    "parameters": algos.RSASSAPSSParams(
                        {
                            "hash_algorithm": digest,
                            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": digest},
                            "salt_length": _DIGEST_SIZES.get(digest_algorithm, 32),
                        }
                    ),
                }
            )
        return super().get_signature_mechanism_for_digest(digest_algorithm)

    def _raw_size(self) -> int:
        cert = self.signing_cert
        assert cert is not None
        if cert.public_key.algorithm == "rsa":
            return int(cert.public_key.bit_size) // 8
        # DER ECDSA signature: SEQUENCE of two INTEGERs, each up to the order's size + 1.
        return 2 * ((int(cert.public_key.bit_size) + 7) // 8 + 3) + 3

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        """Sign ``data`` through the custody (placeholder bytes of the right size on a dry run)."""
        if dry_run:
            return bytes(self._raw_size())
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mechanism["algorithm"].native
        pad: Padding
        if algo.endswith("_ecdsa") or algo == "ecdsa":
            pad = None
        elif algo == "rsassa_pss":
            pad = "pss"
            digest_algorithm = mechanism["parameters"]["hash_algorithm"]["algorithm"].native
        elif algo.endswith("_rsa") or algo == "rsassa_pkcs1v15":
            pad = "pkcs1v15"
        else:
            raise SigningError(f"The signature mechanism {algo} is not supported by key custody.")
        return self.custody.sign(self.key_ref, data, digest_algorithm, pad)
