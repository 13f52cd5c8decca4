"""Bearer tokens: ``Authorization: Bearer apat_…`` → the token row and its user."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from accessportal.clientip import client_ip
from api import tokens
from api.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        # The checksum turns away typos and random text without a query.
        if not tokens.is_well_formed(token):
            return None
        found = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(digest=tokens.digest(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        found.touch(client_ip(request))
        request.user = found.user
        return found
