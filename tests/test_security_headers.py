"""Hardening: security headers, cookies, a strict CSP the templates can live with, login
throttling by user and address, and `check --deploy` clean under production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accessportal import crypto
from accessportal.clientip import forwarded_client
from tests.conftest import PASSWORD

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(**extra: str) -> dict[str, str]:
    """What an operator sets: DEBUG off, a long random SECRET_KEY, keys, a host name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        PORTAL_ENCRYPTION_KEYS=crypto.generate_key(),
        ALLOWED_HOSTS="portal.example.com",
        DJANGO_SETTINGS_MODULE="accessportal.settings",
    )
    env.update(extra)
    return env


def csp_directives(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_pages_carry_the_security_headers(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = csp_directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_session_cookie_is_httponly_and_samesite(world):
    client = Client()
    client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_need_no_unsafe_inline():
    """The CSP forbids inline scripts and styles: keep every template free of them."""
    found = []
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(BASE_DIR)}:{line}: {what}")
    assert not found, "CSP would block:\n" + "\n".join(found)


# --- Login throttling ----------------------------------------------------------------------


def sign_in(username: str, password: str, ip: str = "198.51.100.7", **meta):
    return Client(REMOTE_ADDR=ip, **meta).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def test_lockout_after_failures_by_user_and_address(world, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert sign_in("member", "wrong").status_code == 200  # the form says "wrong"
    locked = sign_in("member", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Locked even with the right password, from that address...
    assert sign_in("member", PASSWORD).status_code == 429
    # ...but neither the user elsewhere nor another user from there.
    assert sign_in("member", PASSWORD, ip="198.51.100.8").status_code == 302
    assert sign_in("viewer", PASSWORD).status_code == 302


def test_success_resets_the_count(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("member", "wrong")
    assert sign_in("member", PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in("member", "wrong").status_code == 200


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(world, settings):
    # A client cannot dodge the count by inventing a new X-Forwarded-For each time.
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in("member", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert response.status_code == 429


def test_behind_one_trusted_proxy_the_client_is_its_last_hop(world, settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(
            "member", "wrong", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.20"
        )
    assert response.status_code == 429
    # Another client behind the same proxy is not locked out.
    other = sign_in("member", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.21")
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "client"),
    [
        ("198.51.100.1", "", 0, "198.51.100.1"),
        ("198.51.100.1", "203.0.113.5", 0, "198.51.100.1"),
        ("127.0.0.1", "203.0.113.5", 1, "203.0.113.5"),
        ("127.0.0.1", "6.6.6.6, 203.0.113.5", 1, "203.0.113.5"),
        ("127.0.0.1", "6.6.6.6, 203.0.113.5, 10.0.0.2", 2, "203.0.113.5"),
        ("127.0.0.1", "203.0.113.5", 2, "127.0.0.1"),  # did not pass both proxies
        ("127.0.0.1", "not-an-ip", 1, "127.0.0.1"),
        ("127.0.0.1", " 2001:DB8::1 ", 1, "2001:db8::1"),
    ],
)
def test_forwarded_client(remote, forwarded, proxies, client):
    assert forwarded_client(remote, forwarded, proxies) == client


# --- Deployment checks ---------------------------------------------------------------------


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_keys():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=production_env(PORTAL_ENCRYPTION_KEYS=""),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "PORTAL_ENCRYPTION_KEYS must be set" in result.stderr
