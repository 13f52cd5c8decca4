"""The ID token checks mozilla-django-oidc leaves to us: signature algorithm, issuer,
audience, expiry, issue time, nonce. Each refusal is a SuspiciousOperation, which the
callback turns into a clear "Sign-in failed" page with nothing changed."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory

from sso.backends import PortalOIDCBackend

ISSUER = "http://127.0.0.1:9"
CLIENT = "access-portal"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def backend(settings, client, db):
    settings.PORTAL_OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = CLIENT
    settings.OIDC_RP_CLIENT_SECRET = "x"
    found = PortalOIDCBackend()
    found.OIDC_RP_IDP_SIGN_KEY = KEY.public_key()
    request = RequestFactory().get("/oidc/callback/")
    request.session = client.session
    found.request = request
    return found


def token(key=KEY, alg="RS256", **claims) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "alice",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
    } | claims
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm=alg)


def test_a_good_token_passes_and_notes_when_the_user_signed_in(backend):
    payload = backend.verify_token(token(auth_time=1_700_000_000), nonce="n-1")
    assert payload["sub"] == "alice"
    assert backend.request.session["sso_auth_time"] == 1_700_000_000


@pytest.mark.parametrize(
    ("why", "made"),
    [
        ("another issuer", lambda: token(iss="http://127.0.0.1:10")),
        ("another audience", lambda: token(aud="someone-else")),
        ("expired", lambda: token(exp=int(time.time()) - 3600)),
        ("no expiry", lambda: token(exp=None)),
        ("issued in the future", lambda: token(iat=int(time.time()) + 3600)),
        ("another key", lambda: token(key=OTHER_KEY)),
        ("a symmetric algorithm", lambda: token(key="x" * 32, alg="HS256")),
    ],
)
def test_bad_tokens_are_refused(backend, why, made):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(made(), nonce="n-1")


def test_a_replayed_nonce_is_refused(backend):
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        backend.verify_token(token(nonce="n-old"), nonce="n-1")


def test_userinfo_about_another_subject_is_refused(backend):
    backend.verify_token(token(), nonce="n-1")
    assert backend.verify_claims({"sub": "alice"})
    assert not backend.verify_claims({"sub": "mallory"})
    assert not backend.verify_claims({})
