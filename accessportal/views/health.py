"""Liveness and readiness for load balancers: unauthenticated, allowlisted fields only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers; touches neither the database nor the cache."""
    return JsonResponse({"status": "ok"})
