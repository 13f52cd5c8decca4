"""Personal API tokens as text: made, recognised and hashed. Pure functions.

A token is ``apat_`` + 36 random base62 characters + a 6-character base62 CRC32 of
them, e.g. ``apat_3Xb…Q0aZ9k``. The fixed prefix and the checksum let secret scanners
(GitHub, gitleaks, trufflehog) find a leaked token and tell it from random text without
asking the portal. Only a SHA-256 hash is stored: the token is 214 bits of randomness,
so a fast hash is enough (a slow one would only slow every API call down).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib

PREFIX = "apat_"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_CHARS = 36
CHECKSUM_CHARS = 6
PATTERN = re.compile(rf"^{PREFIX}[0-9A-Za-z]{{{RANDOM_CHARS + CHECKSUM_CHARS}}}$")
# What the README gives to secret scanners (without the anchors).
SCANNER_REGEX = rf"{PREFIX}[0-9A-Za-z]{{{RANDOM_CHARS + CHECKSUM_CHARS}}}"
VISIBLE_CHARS = len(PREFIX) + 6  # the prefix shown in lists: ``apat_3Xb9Qd``


def base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def checksum(body: str) -> str:
    return base62(zlib.crc32(body.encode()), CHECKSUM_CHARS)


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return PREFIX + body + checksum(body)


def is_well_formed(token: str) -> bool:
    """Shape and checksum; says nothing of whether the portal issued it."""
    if not PATTERN.match(token):
        return False
    body = token[len(PREFIX) : len(PREFIX) + RANDOM_CHARS]
    return secrets.compare_digest(token[-CHECKSUM_CHARS:], checksum(body))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def visible_prefix(token: str) -> str:
    return token[:VISIBLE_CHARS]
