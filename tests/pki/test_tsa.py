"""The timestamping authority: openssl's query and verification against POST /pki/tsa,
refusals of bad requests, and the in-process TimeStamper."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from asn1crypto import tsp
from django.test import Client

from tergeu.integrity.pki import services
from tergeu.integrity.pki.authority import current_tsa
from tergeu.integrity.pki.issuing import TSA_POLICY_OID
from tergeu.integrity.pki.models import CertificateAuthority
from tergeu.integrity.pki.tsa import RejectionResp, next_serial

from .conftest import openssl, pem_file

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.pki.urls")]

TSQ = "application/timestamp-query"


def _post(client: Client, body: bytes, content_type: str = TSQ) -> tuple[int, bytes, str]:
    response = client.post("/pki/tsa", data=body, content_type=content_type)
    return response.status_code, response.content, response["Content-Type"]


def _pems(tmp_path: Path) -> tuple[Path, Path]:
    root = pem_file(tmp_path / "root.pem", [CertificateAuthority.objects.get(name="root").der])
    tsa = current_tsa()
    assert tsa is not None
    return root, pem_file(tmp_path / "tsa.pem", [tsa.der])


@pytest.mark.parametrize("with_cert", [True, False], ids=["cert", "no-cert"])
def test_openssl_verifies_a_token_from_the_endpoint(
    pki: None, client: Client, tmp_path: Path, with_cert: bool
) -> None:
    data = tmp_path / "document.pdf"
    data.write_bytes("Хаттама / Протокол допроса".encode() * 100)
    query = tmp_path / "q.tsq"
    openssl(
        "ts", "-query", "-data", data, "-sha256", *(["-cert"] if with_cert else []),
        "-out", query,
    )  # fmt: skip
    status, body, content_type = _post(client, query.read_bytes())
    assert status == 200
    assert content_type == "application/timestamp-reply"
    reply = tmp_path / "reply.tsr"
    reply.write_bytes(body)

    root, tsa = _pems(tmp_path)
    result = openssl(
        "ts", "-verify", "-in", reply, "-queryfile", query, "-CAfile", root, "-untrusted", tsa,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert b"Verification: OK" in result.stdout
    # against the data itself too
    result = openssl(
        "ts", "-verify", "-in", reply, "-data", data, "-CAfile", root, "-untrusted", tsa,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()

    text = openssl("ts", "-reply", "-in", reply, "-text").stdout.decode()
    assert "Status: Granted." in text
    assert f"Policy OID: {TSA_POLICY_OID}" in text
    assert "Accuracy: 0x01 seconds" in text
    assert "Hash Algorithm: sha256" in text

    token = tsp.TimeStampResp.load(body)["time_stamp_token"]["content"]
    assert bool(token["certificates"]) is with_cert


def test_openssl_refuses_a_token_for_other_data(pki: None, client: Client, tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"a")
    (tmp_path / "b").write_bytes(b"b")
    query = tmp_path / "q.tsq"
    openssl("ts", "-query", "-data", tmp_path / "a", "-sha256", "-cert", "-out", query)
    _, body, _ = _post(client, query.read_bytes())
    (tmp_path / "reply.tsr").write_bytes(body)
    root, tsa = _pems(tmp_path)
    result = openssl(
        "ts", "-verify", "-in", tmp_path / "reply.tsr", "-data", tmp_path / "b",
        "-CAfile", root, "-untrusted", tsa, check=False,
    )  # fmt: skip
    assert result.returncode != 0


def test_garbage_body_is_refused(pki: None, client: Client) -> None:
    for garbage in (b"", b"hello", b"\x30\x82\xff\xff", b"\x30\x03\x02\x01\x05"):
        status, body, content_type = _post(client, garbage)
        assert status == 400
        assert content_type.startswith("text/plain")
        assert body.decode().strip() == "The body is not a DER-encoded RFC 3161 timestamp query."


def test_wrong_content_type_and_method(pki: None, client: Client, tmp_path: Path) -> None:
    status, body, _ = _post(client, b"\x30\x00", "application/octet-stream")
    assert status == 415
    assert "application/timestamp-query" in body.decode()
    assert client.get("/pki/tsa").status_code == 405


def test_too_large_query(pki: None, client: Client) -> None:
    status, body, _ = _post(client, b"\x30" * (64 * 1024 + 1))
    assert status == 400
    assert body.decode().strip() == "The timestamp query is too large."


def _request(policy: str | None = None, algo: str = "sha256", size: int = 32) -> bytes:
    fields = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": algo},
            "hashed_message": b"\x01" * size,
        },
        "cert_req": True,
    }
    if policy:
        fields["req_policy"] = policy
    return tsp.TimeStampReq(fields).dump()


def test_unsupported_requests_are_rejected_the_rfc_3161_way(
    pki: None, client: Client, tmp_path: Path
) -> None:
    cases = [
        (_request(algo="md5", size=16), "bad_alg"),
        (_request(size=20), "bad_alg"),
        (_request(policy="1.2.3.4"), "unaccepted_policy"),
    ]
    for body, fail in cases:
        status, reply, _ = _post(client, body)
        assert status == 200
        resp = RejectionResp.load(reply)
        assert resp["status"]["status"].native == "rejection"
        assert resp["status"]["fail_info"].native == {fail}
        (tmp_path / "r.tsr").write_bytes(reply)
        text = openssl("ts", "-reply", "-in", tmp_path / "r.tsr", "-text").stdout.decode()
        assert "Status: Rejected" in text
    status, reply, _ = _post(client, _request(policy=TSA_POLICY_OID))
    assert tsp.TimeStampResp.load(reply)["status"]["status"].native == "granted"


def test_serials_grow() -> None:
    serials = [next_serial() for _ in range(1000)]
    assert serials == sorted(serials)
    assert len(set(serials)) == 1000
    assert serials[-1].bit_length() <= 160


def test_in_process_timestamper(pki: None) -> None:
    stamper = services.timestamper()
    digest = hashlib.sha256(b"document").digest()
    token = asyncio.run(stamper.async_timestamp(digest, "sha256"))
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert info["policy"].native == TSA_POLICY_OID
    signer_info = token["content"]["signer_infos"][0]
    attrs = {a["type"].native for a in signer_info["signed_attrs"]}
    assert "signing_certificate_v2" in attrs
