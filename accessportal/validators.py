"""Input rules the forms share. Each raises ValidationError with a message for the user."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

API_KEY_MIN = 8
API_KEY_MAX = 512
_PREFIX_CHARS = re.compile(r"^[A-Za-z0-9._~\-/]+$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")


def validate_secret_text(value: str, *, what: str = "") -> None:
    """No whitespace or control characters, and a sane length.

    The message never repeats the value: a pasted key must not end up in a page.
    """
    what = what or _("The API key")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in value):
        raise ValidationError(
            _(
                "%(what)s contains spaces, line breaks or control characters; paste it again "
                "exactly as the console shows it."
            )
            % {"what": what},
            code="secret_whitespace",
        )
    if len(value) > API_KEY_MAX:
        raise ValidationError(
            _("%(what)s is longer than %(max)s characters.") % {"what": what, "max": API_KEY_MAX},
            code="secret_too_long",
        )


def validate_api_key(value: str) -> None:
    validate_secret_text(value)
    if len(value) < API_KEY_MIN:
        raise ValidationError(
            _("The API key is shorter than %(min)s characters.") % {"min": API_KEY_MIN},
            code="secret_too_short",
        )


def normalize_prefix(value: str) -> str:
    """An ELB API URL prefix like ``edge/lb-demo``: path characters only, no ``..``."""
    value = value.strip()
    if not value:
        return ""
    if any(ch.isspace() for ch in value) or not _PREFIX_CHARS.match(value):
        raise ValidationError(
            _("Use letters, digits and . _ ~ - / only (no spaces) in the API URL prefix."),
            code="prefix_chars",
        )
    segments = [s for s in value.strip("/").split("/")]
    if any(s in ("", ".", "..") for s in segments):
        raise ValidationError(
            _("The API URL prefix may not contain empty, '.' or '..' segments."),
            code="prefix_dots",
        )
    return "/".join(segments)


def validate_identifier(value: str, *, what: str) -> None:
    if not _IDENTIFIER.match(value):
        raise ValidationError(
            _(
                "The %(what)s may contain letters, digits and . _ : - only, starting with a "
                "letter or digit."
            )
            % {"what": what},
            code="identifier",
        )
