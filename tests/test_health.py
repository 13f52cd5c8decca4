"""Liveness and readiness: what a load balancer and an operator learn, and nothing more."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.db.utils import OperationalError
from django.test import Client

from accessportal import crypto
from accessportal.models import ApplicationAccess, secret_models
from accessportal.views import health
from tests import factories
from tests.conftest import TEST_KEYS

ALL_OK = {"status": "ok", "checks": {"database": "ok", "cache": "ok", "encryption": "ok"}}


def use_keys(settings, keys: list[str]) -> None:
    settings.PORTAL_ENCRYPTION_KEYS = keys
    crypto.active_keyring.cache_clear()


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_healthz_needs_no_login_and_no_database():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_all_ok_without_login(world, django_assert_max_num_queries):
    factories.make_access(world.alpha)
    factories.make_credential(world.alpha)
    factories.make_channel(world.alpha, kind="email")
    # SELECT 1 and one DISTINCT per secret column (keys, passwords, channel targets, imports)
    secret_columns = sum(len(model.SECRETS) for model in secret_models())
    with django_assert_max_num_queries(1 + secret_columns):
        response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == ALL_OK
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_only_answers_get(db):
    assert Client().post("/readyz").status_code == 405


def test_readyz_fails_when_a_stored_key_is_no_longer_configured(world, settings, caplog):
    access = factories.make_access(world.alpha)
    old = crypto.active_keyring().primary
    # The operator dropped the old key before running rotate_secrets.
    use_keys(settings, [TEST_KEYS[1]])
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "ok", "cache": "ok", "encryption": "fail"},
    }
    assert old not in response.content.decode()  # key ids go to the log only
    assert old in caplog.text

    # Mid-rotation (new key first, old key still listed) everything is readable again.
    use_keys(settings, [TEST_KEYS[1], TEST_KEYS[0]])
    assert Client().get("/readyz").status_code == 200
    assert access.api_key()  # and the value really decrypts


def test_readyz_fails_on_a_malformed_stored_value_without_echoing_it(world, caplog):
    access = factories.make_access(world.alpha)
    ApplicationAccess.objects.filter(pk=access.pk).update(api_key_ciphertext="plain-key-oops")
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["encryption"] == "fail"
    assert "plain-key" not in caplog.text and "malformed" in caplog.text


def test_readyz_fails_without_any_usable_key(world, settings):
    use_keys(settings, ["not-a-key"])
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["encryption"] == "fail"


class BrokenConnection:
    def cursor(self):
        raise OperationalError('could not connect to server: password "hunter2" refused')


def test_readyz_database_down_says_fail_and_nothing_else(db, monkeypatch):
    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "fail"
    body = response.content.decode()
    assert "hunter2" not in body and "connect" not in body
    assert set(response.json()) == {"status", "checks"}


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.redis.RedisCache",
        # What production uses: pages keep working on its fallback, readiness fails.
        "accessportal.fallback_cache.FallbackRedisCache",
    ],
)
def test_readyz_cache_down(db, settings, backend):
    # A Redis address nothing listens on: connection refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": backend,
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": f"test-readyz-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "fail", "encryption": "ok"}


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_readyz_with_redis(db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "accessportal.fallback_cache.FallbackRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"test-readyz-{uuid.uuid4().hex}",
        }
    }
    response = Client().get("/readyz")
    assert response.status_code == 200 and response.json() == ALL_OK


def test_health_answers_are_not_redirected_to_https(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # built after the setting: the middleware reads it at start
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
