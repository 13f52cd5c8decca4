"""Authentication mode → request headers (Table 2 of the platform's page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accessportal.callpaths import V1, V2

TOKEN = "token"
API_KEY = "api_key"

CONTENT_TYPE = ("Content-Type", "application/json")

# V2 takes API keys only: the platform has no token authentication there.
AUTH_MODES: dict[str, tuple[str, ...]] = {V1: (TOKEN, API_KEY), V2: (API_KEY,)}


@dataclass(frozen=True)
class AuthScheme:
    version: str
    auth_mode: str
    label: str
    header: str
    value_prefix: str = ""


SCHEMES = (
    AuthScheme(V1, TOKEN, _("Token-based authentication"), "X-Auth-Token"),
    AuthScheme(V1, API_KEY, _("API key authentication for V1 inference APIs"), "X-Apig-AppCode"),
    AuthScheme(
        V2, API_KEY, _("API key authentication for V2 inference APIs"), "Authorization", "Bearer "
    ),
)


def scheme_for(version: str, auth_mode: str) -> AuthScheme:
    for scheme in SCHEMES:
        if scheme.version == version and scheme.auth_mode == auth_mode:
            return scheme
    raise ValueError(f"{version.upper()} does not accept {auth_mode} authentication")


def request_headers(version: str, auth_mode: str, credential: str) -> dict[str, str]:
    """The headers of a call; ``credential`` is the key or token (or a masked stand-in)."""
    scheme = scheme_for(version, auth_mode)
    return {CONTENT_TYPE[0]: CONTENT_TYPE[1], scheme.header: scheme.value_prefix + credential}


def schemes_for(versions: tuple[str, ...] | list[str]) -> list[AuthScheme]:
    """The authentication modes a deployment serving ``versions`` supports."""
    return [s for s in SCHEMES if s.version in versions]
