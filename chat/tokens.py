"""IAM tokens for token-based authentication, fetched once and shared through the cache.

A token is valid 24 hours; it is reused until an hour before ``expires_at``. The cache
key includes a fingerprint of the password ciphertext, the IAM user and the IAM endpoint,
so changing any of them in the catalog stops the old token being used. The cached token
is itself encrypted: the cache (Redis in production) never holds it in the clear.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from django.core.cache import cache
from django.views.decorators.debug import sensitive_variables

from accessportal import crypto
from accessportal.models import IamCredential
from chat.scrub import scrub
from chat.streams import parse_error_body
from chat.upstream import UpstreamPolicy, post_json

REFRESH_MARGIN_SECONDS = 3600
TOKEN_PATH = "/v3/auth/tokens?nocatalog=true"


class TokenError(Exception):
    """No token could be had. ``code`` feeds the playground's hints."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _cache_key(credential: IamCredential) -> str:
    # Everything the token depends on: a new password, user, project or IAM endpoint
    # means a new token, never one fetched under the old settings.
    parts = (
        credential.password_ciphertext,
        credential.iam_user,
        credential.domain_name,
        credential.project_name,
        credential.workspace.iam_endpoint,
    )
    fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
    return f"iam-token:{credential.code}:{fingerprint}"


def _context(credential: IamCredential) -> str:
    return f"iam-token:{credential.code}"


@sensitive_variables()  # all locals: frames below (the client) inherit it
def password_body(credential: IamCredential) -> bytes:
    password = credential.password()
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": credential.iam_user,
                        "password": password,
                        "domain": {"name": credential.domain_name},
                    }
                },
            },
            "scope": {"project": {"name": credential.project_name}},
        }
    }
    return json.dumps(body).encode()


def _seconds_left(expires_at: str) -> float:
    try:
        moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - datetime.now(UTC)).total_seconds()


@sensitive_variables()  # all locals: frames below (the client) inherit it
def fetch_token(credential: IamCredential, policy: UpstreamPolicy) -> str:
    """Ask IAM for a token and cache it. Raises TokenError or UpstreamError."""
    url = credential.workspace.iam_endpoint.rstrip("/") + TOKEN_PATH
    response = post_json(
        url,
        headers={"Content-Type": "application/json"},
        body=password_body(credential),
        policy=policy,
    )
    token = response.headers.get("x-subject-token", "")
    if response.status != 201 or not token:
        # IAM may repeat the request (the password) or the token in its error: masked
        # before the body is parsed, since parsing shortens the message.
        answer = scrub(response.body.decode("utf-8", "replace"), [credential.password(), token])
        _code, message = parse_error_body(answer) or ("", "")
        if response.status == 401:
            raise TokenError("IAM.401", message or "IAM refused the credential.", 401)
        raise TokenError(
            "IAM.error", message or f"IAM answered HTTP {response.status}.", response.status
        )
    try:
        expires_at = json.loads(response.body)["token"]["expires_at"]
    except (ValueError, KeyError, TypeError):
        expires_at = ""
    lifetime = _seconds_left(expires_at) - REFRESH_MARGIN_SECONDS
    if lifetime > 0:
        sealed = crypto.encrypt(token, context=_context(credential))
        cache.set(_cache_key(credential), sealed, timeout=int(lifetime))
    return token


@sensitive_variables()  # all locals: frames below (the client) inherit it
def get_token(credential: IamCredential, policy: UpstreamPolicy, *, refresh: bool = False) -> str:
    """A cached token, or a fresh one when there is none or ``refresh`` is asked."""
    if not refresh:
        sealed = cache.get(_cache_key(credential))
        if sealed:
            try:
                return crypto.decrypt(sealed, context=_context(credential))
            except crypto.DecryptionError:
                pass  # keys rotated since: fetch a new one
    return fetch_token(credential, policy)
