"""Key custody: where private keys live and the only place they are used.

Everything else in Tergeu holds a *key reference* (a string) and asks the custody to
sign. The default :class:`EncryptedDatabaseCustody` keeps keys in the database as
encrypted PKCS#8; a PKCS#11 token or an HSM replaces it by implementing
:class:`KeyCustody` and naming the class in ``TERGEU_KEY_CUSTODY`` (a dotted path,
read from the Django setting of that name or the environment).

The master secret of the default custody comes from ``TERGEU_KEY_PASSPHRASE``, or, if
that is unset, from ``$TERGEU_DATA_DIR/keys/master.key`` (random, mode 0600, created on
first use, never committed). Losing it makes every stored key unusable: back it up.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    PrivateKeyTypes,
    PublicKeyTypes,
)
from django.conf import settings
from django.utils.module_loading import import_string

from tergeu.core.ids import uuid7
from tergeu.settings.env import DATA_DIR, env_str

KeyKind = Literal["ec-p256", "rsa-3072"]
#: RSA paddings a custody understands; ``None`` for ECDSA. PSS uses MGF1 with the same
#: hash and a salt as long as the digest (RFC 4055's recommendation, what tokens do).
Padding = Literal["pkcs1v15", "pss"] | None
KEY_KINDS: tuple[KeyKind, ...] = ("ec-p256", "rsa-3072")
DEFAULT_CUSTODY = "tergeu.integrity.pki.custody.EncryptedDatabaseCustody"

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class CustodyError(Exception):
    """A key is missing, of the wrong type, or cannot be used as asked."""


@runtime_checkable
class KeyCustody(Protocol):
    """What Tergeu needs from a keeper of private keys.

    Key bytes never leave the custody: :meth:`sign` is the only use of a private key.
    ``prepare`` is called in synchronous code before a signing session (pyHanko signs
    inside an event loop, where a database or a token login may not be reached).
    """

    def generate(self, kind: KeyKind) -> str:
        """Create a key pair of ``kind`` and return its reference."""
        ...

    def public_key(self, key_ref: str) -> PublicKeyTypes:
        """The public key of ``key_ref``."""
        ...

    def sign(self, key_ref: str, data: bytes, hash_algo: str, padding: Padding = None) -> bytes:
        """Sign ``data`` (not a digest) with ``hash_algo``: DER ECDSA or raw RSA bytes."""
        ...

    def prepare(self, key_ref: str) -> None:
        """Make ``key_ref`` usable from a thread that runs an event loop."""
        ...

    def import_key(self, private_key: bytes, password: bytes | None = None) -> str:
        """Take an existing key (PEM or DER PKCS#8/PKCS#1/SEC1) into custody; its reference.

        A hardware custody that cannot import raises :class:`CustodyError`; such CAs are
        imported by reference (``import_ca(..., key_ref=...)``).
        """
        ...


def _hash(name: str) -> hashes.HashAlgorithm:
    try:
        return _HASHES[name.lower()]()
    except KeyError:
        raise CustodyError(f"unsupported hash algorithm {name!r}") from None


def sign_with(key: PrivateKeyTypes, data: bytes, hash_algo: str, pad: Padding) -> bytes:
    """Sign with an in-memory private key (for custodies that hold keys in software)."""
    algo = _hash(hash_algo)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if pad is not None:
            raise CustodyError("an ECDSA key takes no padding")
        return key.sign(data, ec.ECDSA(algo))
    if isinstance(key, rsa.RSAPrivateKey):
        if pad == "pss":
            return key.sign(
                data, padding.PSS(mgf=padding.MGF1(algo), salt_length=algo.digest_size), algo
            )
        if pad in (None, "pkcs1v15"):
            return key.sign(data, padding.PKCS1v15(), algo)
        raise CustodyError(f"unknown padding {pad!r}")
    raise CustodyError(f"unsupported key type {type(key).__name__}")


def new_key(kind: KeyKind) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
    """A fresh private key of ``kind``."""
    if kind == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "rsa-3072":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    raise CustodyError(f"unknown key kind {kind!r}")


def kind_of(key: PrivateKeyTypes | PublicKeyTypes) -> str:
    """A short name of the key's algorithm (``ec-p256``, ``rsa-2048``, ...)."""
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return {"secp256r1": "ec-p256", "secp384r1": "ec-p384", "secp521r1": "ec-p521"}.get(
            key.curve.name, f"ec-{key.curve.name}"
        )
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return f"rsa-{key.key_size}"
    raise CustodyError(f"unsupported key type {type(key).__name__}")


def master_key_path() -> Path:
    """Where the master secret lives when TERGEU_KEY_PASSPHRASE is unset."""
    return DATA_DIR / "keys" / "master.key"


def ensure_master_key() -> Path:
    """Create the master secret file (0600) if it is missing; return its path.

    Written beside and hard-linked into place, so concurrent processes agree on one.
    """
    path = master_key_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".master-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use theirs
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path


@functools.lru_cache(maxsize=4)
def _derive(secret: str) -> bytes:
    """A strong password from the master secret (scrypt, so a weak passphrase costs more)."""
    return (
        hashlib.scrypt(secret.encode(), salt=b"tergeu-pki-custody-v1", n=2**14, r=8, p=1, dklen=32)
        .hex()
        .encode()
    )


def master_password() -> bytes:
    """The password that encrypts the stored keys."""
    passphrase = env_str("TERGEU_KEY_PASSPHRASE", "")
    if not passphrase:
        passphrase = ensure_master_key().read_text().strip()
    return _derive(passphrase)


class EncryptedDatabaseCustody:
    """Keys as encrypted PKCS#8 (BestAvailableEncryption) in :class:`~.models.PrivateKey` rows.

    Decrypted only inside :meth:`sign`, and dropped right after. ``prepare`` keeps the
    *encrypted* row in memory so a signer running in an event loop needs no database.
    """

    prefix = "db:"

    def __init__(self) -> None:
        self._sealed: dict[str, str] = {}

    def _store(self, key: PrivateKeyTypes, algorithm: str) -> str:
        from .models import PrivateKey

        key_ref = f"{self.prefix}{uuid7()}"
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(master_password()),
        ).decode()
        public_der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        PrivateKey.objects.create(
            key_ref=key_ref, algorithm=algorithm, public_der=public_der, encrypted_pem=pem
        )
        self._sealed[key_ref] = pem
        return key_ref

    def generate(self, kind: KeyKind) -> str:
        """Create a key pair and store it encrypted."""
        return self._store(new_key(kind), kind)

    def import_key(self, private_key: bytes, password: bytes | None = None) -> str:
        """Store an existing private key (PEM or DER), encrypted with the master secret."""
        try:
            if b"-----BEGIN" in private_key:
                key = serialization.load_pem_private_key(private_key, password)
            else:
                key = serialization.load_der_private_key(private_key, password)
        except (ValueError, TypeError) as exc:
            raise CustodyError(f"cannot read the private key: {exc}") from exc
        return self._store(key, kind_of(key))

    def _row(self, key_ref: str) -> str:
        from .models import PrivateKey

        sealed = self._sealed.get(key_ref)
        if sealed is None:
            row = PrivateKey.objects.filter(key_ref=key_ref).only("encrypted_pem").first()
            if row is None:
                raise CustodyError(f"no key {key_ref!r} in custody")
            sealed = row.encrypted_pem
        return sealed

    def prepare(self, key_ref: str) -> None:
        """Keep the encrypted key in memory for a signer that runs in an event loop."""
        self._sealed[key_ref] = self._row(key_ref)

    def public_key(self, key_ref: str) -> PublicKeyTypes:
        """The public key, from the stored SubjectPublicKeyInfo (no decryption)."""
        from .models import PrivateKey

        row = PrivateKey.objects.filter(key_ref=key_ref).only("public_der").first()
        if row is None:
            raise CustodyError(f"no key {key_ref!r} in custody")
        return serialization.load_der_public_key(bytes(row.public_der))

    def sign(self, key_ref: str, data: bytes, hash_algo: str, padding: Padding = None) -> bytes:
        """Decrypt the key, sign, forget the key."""
        try:
            key = serialization.load_pem_private_key(self._row(key_ref).encode(), master_password())
        except ValueError as exc:
            raise CustodyError(f"cannot open {key_ref}: wrong master secret?") from exc
        return sign_with(key, data, hash_algo, padding)


@functools.lru_cache(maxsize=8)
def _custody_for(path: str) -> KeyCustody:
    cls = import_string(path)
    custody = cls()
    if not isinstance(custody, KeyCustody):
        raise CustodyError(f"{path} does not implement KeyCustody")
    return custody


def get_custody() -> KeyCustody:
    """The configured custody (TERGEU_KEY_CUSTODY, else :class:`EncryptedDatabaseCustody`)."""
    path = getattr(settings, "TERGEU_KEY_CUSTODY", None) or env_str(
        "TERGEU_KEY_CUSTODY", DEFAULT_CUSTODY
    )
    return _custody_for(path)
