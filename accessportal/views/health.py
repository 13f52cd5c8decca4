"""Liveness and readiness for load balancers: unauthenticated, allowlisted fields only.

Neither answer names a version, a host, a key id or an exception: a failing check says
"fail" and the details go to the log, which only the operator reads.
"""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.db import connection
from django.db.models.functions import Substr
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accessportal import crypto
from accessportal.database_outage import database_not_required
from accessportal.models import secret_models
from accessportal.throttled_log import ThrottledLog

logger = logging.getLogger(__name__)
throttled = ThrottledLog(logger)

OK, FAIL = "ok", "fail"
CANARY = "accessportal readiness canary"  # not a secret: proves the keys work end to end
CANARY_CONTEXT = "readyz:canary"
KEY_PREFIX = re.compile(r"v\d+:[0-9a-f]+:")


@database_not_required
@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers; touches neither the database nor the cache."""
    return JsonResponse({"status": "ok"})


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def check_cache() -> bool:
    """Every configured cache answers. A Redis cache is asked directly: its fallback
    (accessportal/fallback_cache.py) keeps pages working, but the portal is not ready."""
    return all(_cache_answers(caches[alias]) for alias in settings.CACHES)


def _cache_answers(store) -> bool:
    probe = getattr(store, "probe", None)
    if probe is not None:
        return probe()
    # A key of its own per probe, so concurrent probes on several hosts never race.
    key = f"readyz:{uuid.uuid4().hex}"
    store.set(key, OK, timeout=10)
    try:
        return store.get(key) == OK
    finally:
        store.delete(key)


def stored_key_prefixes() -> set[str]:
    """The distinct ``v1:<key id>:`` prefixes of every stored secret.

    One DISTINCT over a fixed-width prefix per secret column: no row is decrypted, so the
    check stays cheap however many keys the catalog holds.
    """
    keyring = crypto.active_keyring()
    width = len(f"{crypto.FORMAT_VERSION}:{keyring.primary}:")
    prefixes: set[str] = set()
    for model in secret_models():
        for secret in model.SECRETS:
            prefixes.update(
                model.objects.annotate(prefix=Substr(secret.column, 1, width))
                .values_list("prefix", flat=True)
                .distinct()
                .order_by()
            )
    return prefixes


def check_encryption() -> bool:
    """The configured keys work, and every stored secret names one of them."""
    keyring = crypto.active_keyring()
    if keyring.decrypt(keyring.encrypt(CANARY, context=CANARY_CONTEXT), context=CANARY_CONTEXT) != (
        CANARY
    ):
        return False
    known = {f"{crypto.FORMAT_VERSION}:{kid}:" for kid in keyring.keys}
    unknown = stored_key_prefixes() - known
    if unknown:
        # A key id is a fingerprint, safe for the operator's log; anything else in that
        # place could be the start of a value stored wrongly, so it is not repeated.
        named = sorted(p if KEY_PREFIX.fullmatch(p) else "(malformed value)" for p in unknown)
        logger.error("readyz: stored secrets use keys that are not configured: %s", named)
        return False
    return True


CHECKS = {"database": check_database, "cache": check_cache, "encryption": check_encryption}


def run_checks() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = OK if check() else FAIL
        except Exception as error:  # any failure means "not ready"; the reason, to the log
            # Probes come every few seconds: an outage is reported once a minute, not each.
            throttled.warning(f"readyz:{name}", "readyz: %s check failed: %r", name, error)
            results[name] = FAIL
        else:
            if results[name] == OK:
                throttled.resolved(f"readyz:{name}", "readyz: %s check passes again", name)
    return results


@database_not_required  # answers 503 by itself, saying which check failed
@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: database, cache and encryption keys all work (200), else 503."""
    checks = run_checks()
    ready = all(result == OK for result in checks.values())
    response = JsonResponse(
        {"status": OK if ready else FAIL, "checks": checks}, status=200 if ready else 503
    )
    # Not Django's error line for every 503 probe: run_checks logs the reason once a minute.
    response._has_been_logged = True
    return response
