"""The built-in timestamping authority (RFC 3161), in process and over HTTP.

:class:`CustodyTimeStamper` is a pyHanko :class:`~pyhanko.sign.timestamps.TimeStamper`
that answers requests itself (after pyHanko's ``DummyTimeStamper``), signing with the
TSA key in custody; :func:`reply_to` turns a DER ``TimeStampReq`` from outside (``openssl
ts -query``, curl) into a DER ``TimeStampResp`` for the ``POST /pki/tsa`` endpoint.

Tokens carry: policy :data:`~.issuing.TSA_POLICY_OID`, the request's message imprint and
nonce, a serial that grows with time and is unique (nanoseconds since the epoch, shifted,
plus a per-process counter), an accuracy of one second, and a signingCertificateV2
attribute naming the TSA certificate (SHA-256), which ``openssl ts -verify`` checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import threading
import time

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as ax509
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.timestamps import TimeStamper

from tergeu.core import clock

from .custody import KeyCustody, Padding
from .issuing import TSA_POLICY_OID

#: Digest algorithms the TSA accepts in a message imprint, with their digest lengths.
ACCEPTED_DIGESTS = {"sha256": 32, "sha384": 48, "sha512": 64}


class TsaRequestError(ValueError):
    """The request body is not a DER-encoded RFC 3161 TimeStampReq."""


_lock = threading.Lock()
_last = 0
_counter = itertools.count()
_process_tag = int.from_bytes(os.urandom(2), "big")


def next_serial() -> int:
    """A serial that grows with time within a process and is unique across processes.

    Nanoseconds since the epoch (never repeating or going back in this process), shifted
    by 24 bits, with a random 16-bit tag of the process and an 8-bit counter below.
    """
    global _last
    with _lock:
        now = max(time.time_ns(), _last + 1)
        _last = now
        return (now << 24) | (_process_tag << 8) | (next(_counter) & 0xFF)


class RejectionResp(core.Sequence):
    """A TimeStampResp without a token (asn1crypto's type wrongly requires the token)."""

    _fields = [("status", tsp.PKIStatusInfo)]


def _rejection(fail_info: str, text: str) -> RejectionResp:
    return RejectionResp(
        {
            "status": tsp.PKIStatusInfo(
                {
                    "status": tsp.PKIStatus("rejection"),
                    "status_string": [text],
                    "fail_info": tsp.PKIFailureInfo({fail_info}),
                }
            )
        }
    )


class CustodyTimeStamper(TimeStamper):
    """An in-process TSA: pyHanko's TimeStamper answering with our TSA certificate and key."""

    def __init__(
        self,
        tsa_cert: ax509.Certificate,
        chain: list[ax509.Certificate],
        custody: KeyCustody,
        key_ref: str,
    ) -> None:
        custody.prepare(key_ref)
        self.tsa_cert = tsa_cert
        self.chain = list(chain)
        self.custody = custody
        self.key_ref = key_ref
        super().__init__(include_nonce=True)

    def _signature_algorithm(self, md: str) -> tuple[algos.SignedDigestAlgorithm, Padding]:
        if self.tsa_cert.public_key.algorithm == "ec":
            return algos.SignedDigestAlgorithm({"algorithm": f"{md}_ecdsa"}), None
        return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}), "pkcs1v15"

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp | RejectionResp:
        """Answer a request: a token, or a rejection saying why."""
        imprint: tsp.MessageImprint = req["message_imprint"]
        imprint_algo = imprint["hash_algorithm"]["algorithm"].native
        if ACCEPTED_DIGESTS.get(imprint_algo) != len(imprint["hashed_message"].native):
            return _rejection("bad_alg", f"unsupported message imprint ({imprint_algo})")
        policy = req["req_policy"].native
        if policy is not None and policy != TSA_POLICY_OID:
            return _rejection("unaccepted_policy", f"policy {policy} is not offered")
        if req["extensions"].native:
            return _rejection("unaccepted_extension", "extensions are not supported")
        now = clock.now().astimezone(dt.UTC).replace(microsecond=0)
        tst_info = {
            "version": "v1",
            "policy": TSA_POLICY_OID,
            "message_imprint": imprint,
            "serial_number": next_serial(),
            "gen_time": now,
            "accuracy": {"seconds": 1},
            "tsa": ax509.GeneralName(name="directory_name", value=self.tsa_cert.subject),
        }
        if req["nonce"].native is not None:
            tst_info["nonce"] = req["nonce"]
        tst_der = tsp.TSTInfo(tst_info).dump()
        md = "sha256"
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(now)})),
                simple_cms_attribute(
                    "signing_certificate_v2", as_signing_certificate_v2(self.tsa_cert, md)
                ),
                simple_cms_attribute("message_digest", hashlib.sha256(tst_der).digest()),
            ]
        )
        sig_algo, pad = self._signature_algorithm(md)
        signature = self.custody.sign(self.key_ref, signed_attrs.dump(), md, pad)
        digest_algo = algos.DigestAlgorithm({"algorithm": md})
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                            {
                                "issuer": self.tsa_cert.issuer,
                                "serial_number": self.tsa_cert.serial_number,
                            }
                        )
                    }
                ),
                "digest_algorithm": digest_algo,
                "signature_algorithm": sig_algo,
                "signed_attrs": signed_attrs,
                "signature": signature,
            }
        )
        signed_data = {
            "version": "v3",
            "digest_algorithms": cms.DigestAlgorithms((digest_algo,)),
            "encap_content_info": cms.EncapsulatedContentInfo(
                {"content_type": "tst_info", "content": cms.ParsableOctetString(tst_der)}
            ),
            "signer_infos": [signer_info],
        }
        if req["cert_req"].native:
            # RFC 3161, 2.4.1: certReq asks for the TSA certificate; the chain helps
            # verifiers that only hold the root.
            signed_data["certificates"] = [self.tsa_cert, *self.chain]
        token = cms.ContentInfo(
            {"content_type": "signed_data", "content": cms.SignedData(signed_data)}
        )
        return tsp.TimeStampResp(
            {"status": tsp.PKIStatusInfo({"status": "granted"}), "time_stamp_token": token}
        )

    async def async_request_tsa_response(
        self, req: tsp.TimeStampReq
    ) -> tsp.TimeStampResp | RejectionResp:
        """Answer synchronously: signing needs no I/O once the key is prepared.

        A rejection is returned as such; pyHanko reads its status and raises
        ``TimestampRequestError`` with the status string.
        """
        return self.request_tsa_response(req)


def parse_request(body: bytes) -> tsp.TimeStampReq:
    """Decode and fully parse a DER TimeStampReq (:class:`TsaRequestError` if it is not one)."""
    if not body:
        raise TsaRequestError("empty body")
    try:
        req = tsp.TimeStampReq.load(body, strict=True)
        req.native  # noqa: B018  (forces a full parse: asn1crypto is lazy)
        if req["version"].native != "v1":
            raise TsaRequestError("version must be 1")
    except TsaRequestError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise TsaRequestError(str(exc)) from exc
    return req


def reply_to(stamper: CustodyTimeStamper, body: bytes) -> bytes:
    """The DER TimeStampResp for a DER TimeStampReq ``body``."""
    return stamper.request_tsa_response(parse_request(body)).dump()
