"""A real OpenID provider (oidc-provider from tests/node) on a free loopback port, and the
portal configured to use it."""

from __future__ import annotations

import copy
import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.core.cache import cache

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "node" / "oidc_provider.mjs"
CLIENT_ID = "access-portal"
CLIENT_SECRET = "test-only-client-secret-9d2c"  # a throw-away provider of the tests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    users_file: Path

    def set_users(self, users: dict) -> None:
        self.users_file.write_text(json.dumps(users))


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    if not shutil.which("node") or not (ROOT / "tests/node/node_modules/oidc-provider").exists():
        pytest.fail("oidc-provider is missing: run `bash tests/install-tools.sh`", pytrace=False)
    port = free_port()
    users = tmp_path_factory.mktemp("oidc") / "users.json"
    users.write_text("{}")
    env = dict(
        os.environ,
        OIDC_PORT=str(port),
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_REDIRECT_URIS=f"{live_server.url}/oidc/callback/",
        OIDC_POST_LOGOUT_URIS=f"{live_server.url}/accounts/login/",
        OIDC_USERS=str(users),
        NODE_ENV="test",
    )
    process = subprocess.Popen(
        ["node", str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(issuer + "/.well-known/openid-configuration", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            process.kill()
            pytest.fail(f"the test OpenID provider did not start:\n{output}")
        time.sleep(0.2)
    yield Provider(issuer=issuer, users_file=users)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sso_on(settings, oidc_provider):
    """The portal signs in with the test provider (local passwords still on)."""
    settings.PORTAL_OIDC_ISSUER = oidc_provider.issuer
    settings.PORTAL_OIDC_PROVIDER_NAME = "Test IdP"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        "sso.backends.PortalOIDCBackend",
    ]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(oidc_provider.issuer)  # as settings.py does
    settings.CONTENT_SECURITY_POLICY = policy
    cache.clear()
    return oidc_provider


def sign_in_over_http(portal_url: str, username: str, password: str, session=None, query=""):
    """The whole code flow as a browser does it, with requests: returns the session and
    the last answer (the portal's page after the callback)."""
    session = session or requests.Session()
    answer = session.get(f"{portal_url}/oidc/authenticate/{query}", timeout=30)
    if "/interaction/" in answer.url:
        action = answer.url.split("?")[0].rstrip("/") + "/login"
        answer = session.post(action, data={"username": username, "password": password}, timeout=30)
    return session, answer
