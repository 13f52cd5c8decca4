"""Secrets in a file, sealed under the operator's passphrase (scrypt + AES-256-GCM)."""

from __future__ import annotations

import base64
import binascii
import os
import uuid
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.db import models
from django.views.decorators.debug import sensitive_variables

from accessportal.catalog_io.schema import MIN_PASSPHRASE_LENGTH, CatalogError

# --- Sealing secrets under a passphrase --------------------------------------------------

KDF_PARAMS = {"n": 2**17, "r": 8, "p": 1}  # OWASP's scrypt recommendation: 128 MiB
# Bounds for parameters read from a file, so a crafted file cannot ask for gigabytes.
KDF_LIMITS = {"n": (2**14, 2**20), "r": (1, 16), "p": (1, 4)}
SALT_BYTES = 16
NONCE_BYTES = 12
CHECK_PLAINTEXT = "accessportal-catalog passphrase check"
CHECK_CONTEXT = "catalog:passphrase-check"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


class Sealer:
    """AES-256-GCM under a key derived from the operator's passphrase."""

    @sensitive_variables("passphrase")
    def __init__(self, passphrase: str, *, salt: bytes, n: int, r: int, p: int) -> None:
        key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
        self._aead = AESGCM(key)
        self.header = {
            "kdf": "scrypt",
            **{"n": n, "r": r, "p": p},
            "salt": _b64(salt),
            "cipher": "AES-256-GCM",
        }

    @classmethod
    def create(cls, passphrase: str) -> Sealer:
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise CatalogError(
                f"The passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters."
            )
        sealer = cls(passphrase, salt=os.urandom(SALT_BYTES), **KDF_PARAMS)
        sealer.header["check"] = sealer.seal(CHECK_PLAINTEXT, context=CHECK_CONTEXT)
        return sealer

    @classmethod
    def open_header(cls, passphrase: str, header: Any) -> Sealer:
        """The sealer a file's ``secrets`` header describes; refuses a wrong passphrase."""
        if not isinstance(header, dict) or header.get("kdf") != "scrypt":
            raise CatalogError("secrets: unknown key derivation (expected scrypt).")
        if header.get("cipher") != "AES-256-GCM":
            raise CatalogError("secrets: unknown cipher (expected AES-256-GCM).")
        params = {}
        for name, (low, high) in KDF_LIMITS.items():
            value = header.get(name)
            if type(value) is not int or not low <= value <= high:
                raise CatalogError(f"secrets.{name}: must be an integer from {low} to {high}.")
            params[name] = value
        if params["n"] & (params["n"] - 1):
            raise CatalogError("secrets.n: must be a power of two.")
        try:
            salt = _unb64(header["salt"])
        except (KeyError, TypeError, AttributeError, binascii.Error, ValueError):
            raise CatalogError("secrets.salt: missing or not base64.") from None
        if len(salt) < SALT_BYTES:
            raise CatalogError(f"secrets.salt: must be at least {SALT_BYTES} bytes.")
        sealer = cls(passphrase, salt=salt, **params)
        try:
            check = sealer.open(header.get("check"), context=CHECK_CONTEXT)
        except CatalogError:
            check = None
        if check != CHECK_PLAINTEXT:
            raise CatalogError("Wrong passphrase for this file (or its secrets header is damaged).")
        sealer.header["check"] = header["check"]
        return sealer

    def seal(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return _b64(nonce + sealed)

    def open(self, token: Any, *, context: str) -> str:
        if not isinstance(token, str):
            raise CatalogError("missing sealed value")
        try:
            blob = _unb64(token)
            plain = self._aead.decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8")
            )
            return plain.decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError, UnicodeError):
            raise CatalogError(
                "sealed value does not open (altered, or moved to another row)"
            ) from None


def secret_context(model: type[models.Model], label: str, code: uuid.UUID | str) -> str:
    """What a sealed value in the file is bound to: its model, field and row."""
    return f"catalog:{model.__name__}.{label}:{code}"
