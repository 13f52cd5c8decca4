"""Input rules the forms share. Each raises ValidationError with a message for the user."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accessportal import addresses

API_KEY_MIN = 8
API_KEY_MAX = 512
# \Z, not $: "$" also matches before a final line break, which would let "east\n" pass.
_PREFIX_CHARS = re.compile(r"^[A-Za-z0-9._~\-/]+\Z")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]*\Z")


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
    if not _PREFIX_CHARS.match(value):  # the character class holds no whitespace
        raise ValidationError(
            _("Use letters, digits and . _ ~ - / only (no spaces) in the API URL prefix."),
            code="prefix_chars",
        )
    segments = value.strip("/").split("/")
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


# Characters that change how a name looks without being seen: bidirectional embeddings,
# overrides and isolates (U+202A to U+202E, U+2066 to U+2069), zero-width spaces, joiners
# and marks (U+200B to U+200F) and the byte-order mark (U+FEFF). With them a right-to-left
# override or a zero-width space makes one entry pass for another in a list.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]")


def validate_visible_name(value: str) -> None:
    """A name a person reads in a list must look like what it is."""
    if _INVISIBLE.search(value):
        raise ValidationError(
            _(
                "Names may not contain invisible or text-direction characters "
                "(zero-width or bidirectional controls); type the name again."
            ),
            code="invisible_chars",
        )


# Row ids are 64-bit signed integers in every supported database (BigAutoField); a
# bigger number makes SQLite raise OverflowError instead of matching nothing.
ID_MAX = 2**63 - 1


def is_row_id(value: object) -> bool:
    """Whether ``value`` (as sent by a browser) can name a row: a positive 64-bit integer."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and 0 < int(text) <= ID_MAX


# What an admin reads about an address the outbound client refuses (accessportal/addresses.py).
_ADDRESS_KINDS = {
    "metadata": _("a cloud metadata address"),
    "unspecified": _("an unspecified address"),
    "link_local": _("a link-local address"),
    "multicast": _("a multicast address"),
    "reserved": _("a reserved address"),
    "loopback": _("a loopback address"),
    "private": _("a private-network address"),
}


def _refuse_host(host: str) -> None:
    category = addresses.classify_host(host)
    if category in addresses.ALWAYS_REFUSED:
        raise ValidationError(
            _("%(host)s is %(kind)s: the portal never calls such an address."),
            code="address_refused",
            params={"host": host, "kind": _ADDRESS_KINDS[category]},
        )


def validate_callable_ip(value: str) -> None:
    """An ELB or node IP the outbound client could ever connect to."""
    if value:
        _refuse_host(str(value))


def validate_callable_url(value: str) -> None:
    """An endpoint or call path whose host the outbound client could ever connect to."""
    if value:
        _refuse_host(addresses.url_host(value))


def address_warning(host: str, *, allow_loopback: bool, allow_private: bool) -> str | None:
    """Why the current settings would refuse ``host``, for an address that is saved
    anyway (loopback and private ranges depend on settings that may change)."""
    category = addresses.classify_host(host) if host else None
    if category is None:
        return None
    reason = addresses.refusal_of_category(
        category, allow_loopback=allow_loopback, allow_private=allow_private
    )
    if reason is None:
        return None
    return _(
        "%(host)s is %(kind)s, which the portal's settings do not allow it to call "
        "(PORTAL_UPSTREAM_ALLOW_LOOPBACK / PORTAL_UPSTREAM_ALLOW_PRIVATE): calls to it "
        "will be refused."
    ) % {"host": host, "kind": _ADDRESS_KINDS[category]}
