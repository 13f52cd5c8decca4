"""Input rules the forms share. Each raises ValidationError with a message for the user."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

API_KEY_MIN = 8
API_KEY_MAX = 512
# \Z, not $: "$" also matches before a final line break, which would let "east\n" pass.
_PREFIX_CHARS = re.compile(r"^[A-Za-z0-9._~\-/]+\Z")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]*\Z")


def validate_secret_text(value: str, *, what: str = "The API key") -> None:
    """No whitespace or control characters, and a sane length.

    The message never repeats the value: a pasted key must not end up in a page.
    """
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in value):
        raise ValidationError(
            f"{what} contains spaces, line breaks or control characters; paste it again "
            "exactly as the console shows it.",
            code="secret_whitespace",
        )
    if len(value) > API_KEY_MAX:
        raise ValidationError(
            f"{what} is longer than {API_KEY_MAX} characters.", code="secret_too_long"
        )


def validate_api_key(value: str) -> None:
    validate_secret_text(value)
    if len(value) < API_KEY_MIN:
        raise ValidationError(
            f"The API key is shorter than {API_KEY_MIN} characters.", code="secret_too_short"
        )


def normalize_prefix(value: str) -> str:
    """An ELB API URL prefix like ``edge/lb-demo``: path characters only, no ``..``."""
    value = value.strip()
    if not value:
        return ""
    if not _PREFIX_CHARS.match(value):  # the character class holds no whitespace
        raise ValidationError(
            "Use letters, digits and . _ ~ - / only (no spaces) in the API URL prefix.",
            code="prefix_chars",
        )
    segments = value.strip("/").split("/")
    if any(s in ("", ".", "..") for s in segments):
        raise ValidationError(
            "The API URL prefix may not contain empty, '.' or '..' segments.", code="prefix_dots"
        )
    return "/".join(segments)


def validate_identifier(value: str, *, what: str) -> None:
    if not _IDENTIFIER.match(value):
        raise ValidationError(
            f"The {what} may contain letters, digits and . _ : - only, starting with a "
            "letter or digit.",
            code="identifier",
        )
