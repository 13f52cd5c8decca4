"""Signing in with the provider (mozilla-django-oidc, with the checks it leaves out), and
the backend that keeps sessions working when local passwords are off."""

from __future__ import annotations

import time

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accessportal.clientip import client_ip
from sso import discovery
from sso.mapping import groups_from_claims
from sso.models import Identity
from sso.sync import sync_memberships

AUTH_TIME_KEY = "sso_auth_time"


class NoPasswordBackend(ModelBackend):
    """Local passwords are off: no password signs anyone in, sessions still resolve."""

    def authenticate(self, request, **credentials):
        return None


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """Endpoints come from discovery, and only when a sign-in needs them: Django builds a
    backend for every request of a signed-in user, which must not depend on the provider."""

    get_settings = staticmethod(discovery.endpoint_setting)

    def __init__(self, *args, **kwargs) -> None:
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return discovery.endpoint_setting("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return discovery.endpoint_setting("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return discovery.endpoint_setting("OIDC_OP_JWKS_ENDPOINT")

    def _verify_jws(self, payload, key):
        """Signature, and what the library skips: the issuer, the audience (this client),
        expiry and issue time all present and right."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token is not signed with the expected algorithm.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=discovery.issuer(),
                leeway=settings.PORTAL_OIDC_CLOCK_SKEW,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(f"The ID token was refused: {error}") from None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if kwargs.get("nonce") is not None:  # the ID token, not a signed userinfo answer
            self.request.session[AUTH_TIME_KEY] = payload.get("auth_time") or int(time.time())
            self._subject = payload["sub"]
        return payload

    def verify_claims(self, claims) -> bool:
        # The userinfo must be about the same person as the ID token (OIDC Core 5.3.2).
        return bool(claims.get("sub")) and claims.get("sub") == getattr(self, "_subject", None)

    def filter_users_by_claims(self, claims):
        identity = Identity.objects.filter(issuer=discovery.issuer(), subject=claims["sub"])
        return get_user_model().objects.filter(pk__in=identity.values("user_id"), is_active=True)

    def _username(self, claims) -> str:
        wanted = str(claims.get(settings.PORTAL_OIDC_USERNAME_CLAIM) or claims["sub"])[:150]
        taken = get_user_model().objects.filter(username=wanted).exists()
        # A local account already has this name: keep them apart rather than merge.
        return f"{wanted[:140]}@sso" if taken else wanted

    def _profile(self, user, claims) -> None:
        user.email = str(claims.get("email") or "")[:254]
        name = str(claims.get(settings.PORTAL_OIDC_NAME_CLAIM) or "")
        first, _, last = name.partition(" ")
        user.first_name, user.last_name = first[:150], last[:150]

    @transaction.atomic
    def create_user(self, claims):
        user = get_user_model()(username=self._username(claims))
        user.set_unusable_password()  # they sign in at the provider, never here
        self._profile(user, claims)
        user.save()
        Identity.objects.create(user=user, issuer=discovery.issuer(), subject=claims["sub"])
        self._sync(user, claims)
        return user

    @transaction.atomic
    def update_user(self, user, claims):
        self._profile(user, claims)
        user.save(update_fields=["email", "first_name", "last_name"])
        Identity.objects.filter(user=user).update(last_sign_in=timezone.now())
        self._sync(user, claims)
        return user

    def _sync(self, user, claims) -> None:
        groups = groups_from_claims(claims, settings.PORTAL_OIDC_GROUPS_CLAIM)
        sync_memberships(user, groups, ip=client_ip(self.request))
