"""The provider's endpoints, read from ``{issuer}/.well-known/openid-configuration`` and
kept in the cache for an hour. The issuer is the operator's setting, never a user's input;
the OpenID library talks to it directly, with a timeout."""

from __future__ import annotations

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

CACHE_SECONDS = 3600
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_END_SESSION_ENDPOINT": "end_session_endpoint",
}


class DiscoveryError(Exception):
    pass


def issuer() -> str:
    return settings.PORTAL_OIDC_ISSUER.rstrip("/")


def configuration() -> dict:
    key = f"sso-discovery:{issuer()}"
    found = cache.get(key)
    if found is None:
        found = fetch(issuer())
        cache.set(key, found, CACHE_SECONDS)
    return found


def fetch(issuer_url: str) -> dict:
    url = issuer_url + "/.well-known/openid-configuration"
    try:
        answer = requests.get(url, timeout=settings.OIDC_TIMEOUT, allow_redirects=False)
        answer.raise_for_status()
        data = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise DiscoveryError(f"Could not read {url}: {error}") from None
    if not isinstance(data, dict) or data.get("issuer", "").rstrip("/") != issuer_url:
        # A document for another issuer would let that issuer's tokens in.
        raise DiscoveryError(f"{url} names another issuer: {data.get('issuer')!r}")
    return data


def endpoint_setting(name: str, *default):
    """``get_settings`` for the OpenID library: endpoints from discovery, the rest from
    Django's settings."""
    if name in ENDPOINTS:
        value = configuration().get(ENDPOINTS[name])
        if value:
            return value
        if default:
            return default[0]
        raise ImproperlyConfigured(f"The provider does not publish {ENDPOINTS[name]}.")
    from mozilla_django_oidc.utils import import_from_settings

    return import_from_settings(name, *default)
