"""Authenticated encryption for the secrets the portal must be able to send again.

API keys and IAM passwords are third-party secrets the playground sends upstream, so
they are encrypted (AES-256-GCM), not hashed. A stored value reads
``v1:<key id>:<urlsafe base64 of nonce + ciphertext>``. The caller passes a *context*
naming the row and field (``ApplicationAccess.api_key:<uuid>``); it is bound in as
associated data, so a ciphertext copied onto another row fails to decrypt.

Keys come from ``PORTAL_ENCRYPTION_KEYS`` (the first encrypts, all decrypt), never from
SECRET_KEY. Anything that cannot be decrypted raises ``DecryptionError``: fail closed,
never a silent empty string.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32

logger = logging.getLogger(__name__)


class CryptoError(Exception):
    """Base class; messages never contain plaintext or key material."""


class DecryptionError(CryptoError):
    pass


class KeyConfigurationError(CryptoError):
    pass


def generate_key() -> str:
    """A fresh key in the form PORTAL_ENCRYPTION_KEYS expects."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


# Fingerprints: HMAC-SHA256 under a key derived (HKDF-SHA256, this label as "info") from
# each encryption key. Why this is safe to store beside the ciphertext:
# - HKDF with its own label yields a key independent of the AES key: fingerprints say
#   nothing about the AES key, and the AES key is never used for two purposes.
# - HMAC is a keyed PRF: without PORTAL_ENCRYPTION_KEYS a database copy cannot be used to
#   test guesses of a key offline (as a plain SHA-256 of the key would allow).
# - What it does reveal, to someone holding the database alone, is which rows hold equal
#   secrets: exactly what it is for (warning about a key registered twice).
FINGERPRINT_INFO = b"accessportal-secret-fingerprint:v1"


def _fingerprint_key(raw: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=FINGERPRINT_INFO).derive(raw)


def _key_id(raw: bytes) -> str:
    # A short fingerprint to pick the right key on decrypt; reveals nothing usable.
    return hashlib.sha256(b"accessportal-key-id:" + raw).hexdigest()[:8]


@dataclass(frozen=True)
class Keyring:
    """Ordered keys: ``primary`` encrypts, every key decrypts."""

    primary: str
    keys: dict[str, AESGCM]
    fingerprint_keys: dict[str, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def from_strings(cls, values: Iterable[str]) -> Keyring:
        keys: dict[str, AESGCM] = {}
        fingerprint_keys: dict[str, bytes] = {}
        primary = ""
        for position, value in enumerate(v.strip() for v in values if v.strip()):
            try:
                raw = base64.urlsafe_b64decode(value.encode("ascii"))
            except (binascii.Error, UnicodeEncodeError, ValueError):
                raise KeyConfigurationError(
                    f"Encryption key #{position + 1} is not urlsafe base64."
                ) from None
            if len(raw) != KEY_BYTES:
                raise KeyConfigurationError(
                    f"Encryption key #{position + 1} must decode to {KEY_BYTES} bytes."
                )
            kid = _key_id(raw)
            primary = primary or kid
            keys.setdefault(kid, AESGCM(raw))
            fingerprint_keys.setdefault(kid, _fingerprint_key(raw))
        if not keys:
            raise KeyConfigurationError("No encryption key is configured.")
        return cls(primary=primary, keys=keys, fingerprint_keys=fingerprint_keys)

    def fingerprint(self, plaintext: str, *, purpose: str, kid: str | None = None) -> str:
        """``<key id>:<hex HMAC>`` of a secret, under the primary key unless ``kid``.
        Equal secrets (of one ``purpose``) have equal fingerprints under one key."""
        kid = kid or self.primary
        message = purpose.encode("utf-8") + b"\0" + plaintext.encode("utf-8")
        digest = hmac.new(self.fingerprint_keys[kid], message, hashlib.sha256).hexdigest()
        return f"{kid}:{digest}"

    def fingerprints(self, plaintext: str, *, purpose: str) -> list[str]:
        """The fingerprint under every configured key: rows written before a key rotation
        (and not yet passed through rotate_secrets) still match."""
        return [self.fingerprint(plaintext, purpose=purpose, kid=k) for k in self.fingerprint_keys]

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.keys[self.primary].encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{FORMAT_VERSION}:{self.primary}:{body}"

    def decrypt(self, token: str, *, context: str) -> str:
        version, kid, body = _split(token)
        if version != FORMAT_VERSION:
            raise DecryptionError("Unknown secret format.")
        key = self.keys.get(kid)
        if key is None:
            raise DecryptionError(f"Secret was encrypted with key {kid}, which is not configured.")
        try:
            blob = base64.urlsafe_b64decode(body.encode("ascii"))
            plain = key.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8"))
        except (InvalidTag, binascii.Error, ValueError, UnicodeEncodeError):
            raise DecryptionError(
                "Secret failed authentication (wrong key, row or data)."
            ) from None
        return plain.decode("utf-8")

    def needs_rotation(self, token: str) -> bool:
        return _split(token)[1] != self.primary

    def reencrypt(self, token: str, *, context: str) -> str:
        """The same secret under the primary key; unchanged if already there."""
        if not self.needs_rotation(token):
            self.decrypt(token, context=context)  # still prove it is readable
            return token
        return self.encrypt(self.decrypt(token, context=context), context=context)


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(":", 2)
    if len(parts) != 3:
        raise DecryptionError("Malformed secret value.")
    return parts[0], parts[1], parts[2]


def write_private(path: Path, text: str) -> None:
    """Create a file only its owner can read, from the first byte (no chmod afterwards)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _development_key(path: Path) -> str:
    if not path.exists():
        write_private(path, generate_key() + "\n")
        logger.warning(
            "PORTAL_ENCRYPTION_KEYS is not set: generated a development key in %s. "
            "Set PORTAL_ENCRYPTION_KEYS in production.",
            path,
        )
    return path.read_text().strip()


@functools.cache
def active_keyring() -> Keyring:
    """The keyring from settings (cached; tests clear it when they change the setting)."""
    from django.conf import settings

    values = list(settings.PORTAL_ENCRYPTION_KEYS)
    if not values:
        values = [_development_key(Path(settings.PORTAL_ENCRYPTION_KEY_FILE))]
    return Keyring.from_strings(values)


def encrypt(plaintext: str, *, context: str) -> str:
    return active_keyring().encrypt(plaintext, context=context)


def decrypt(token: str, *, context: str) -> str:
    return active_keyring().decrypt(token, context=context)


def fingerprint(plaintext: str, *, purpose: str) -> str:
    return active_keyring().fingerprint(plaintext, purpose=purpose)


def fingerprints(plaintext: str, *, purpose: str) -> list[str]:
    return active_keyring().fingerprints(plaintext, purpose=purpose)
