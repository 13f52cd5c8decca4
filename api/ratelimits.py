"""The API's limits, on the playground's shared-cache counter (chat/ratelimit.py)."""

from __future__ import annotations

from django.conf import settings

from chat import ratelimit


def allow_secret_fetch(token_pk: int) -> tuple[bool, int]:
    """Key fetches per token per minute: a leaked token cannot be drained in a loop."""
    return ratelimit.allow(token_pk, settings.PORTAL_API_SECRET_FETCH_LIMIT, bucket="api-secret")


def allow_test_call(user_pk: int) -> tuple[bool, int]:
    """API test calls count against the same per-user limit as the playground's."""
    return ratelimit.allow(user_pk, settings.PORTAL_PLAYGROUND_RATE_LIMIT)
