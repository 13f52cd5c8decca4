"""The deployment page's "fetch the key from the portal" lines, run for real: curl in
bash, Python and Node each get the key from a live portal with a secrets token."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from django.contrib.auth.models import User

from accessportal import snippets
from accessportal.models import Role
from tests import factories
from tests.api.conftest import issue

KEY = "fetched-KEY-2b7e151628aed2a6abf7"
RUNNERS = {
    snippets.CURL: lambda code: ["bash", "-euc", code + '\nprintf %s "$PANGU_API_KEY"'],
    snippets.PYTHON: lambda code: [
        sys.executable,
        "-c",
        code + "\nprint(os.environ['PANGU_API_KEY'], end='')",
    ],
    snippets.NODE: lambda code: [
        "node",
        "--input-type=module",
        "-e",
        code + "\nprocess.stdout.write(process.env.PANGU_API_KEY);",
    ],
}


@pytest.fixture
def keyed(transactional_db):
    ws = factories.make_workspace("Scripts")
    admin = User.objects.create_user("script-owner")
    factories.add_member(ws, admin, Role.ADMIN)
    access = factories.make_access(ws, key=KEY)
    return ws, access, issue(admin, secrets=True)[1]


@pytest.mark.parametrize("language", list(RUNNERS))
def test_each_language_fetches_the_key_at_run_time(live_server, keyed, language):
    if language == snippets.NODE and not shutil.which("node"):
        pytest.fail("node is needed: bash tests/install-tools.sh installs it with npm")
    ws, access, token = keyed
    url = f"{live_server.url}/api/v1/workspaces/{ws.code}/accesses/{access.code}/secret"
    code = snippets.key_fetch(url)[language]
    env = dict(os.environ, PORTAL_TOKEN=token)
    env.pop("PANGU_API_KEY", None)
    done = subprocess.run(
        RUNNERS[language](code), env=env, capture_output=True, timeout=60, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == KEY


def test_a_bad_token_fails_loudly_instead_of_an_empty_key(live_server, keyed):
    ws, access, _ = keyed
    url = f"{live_server.url}/api/v1/workspaces/{ws.code}/accesses/{access.code}/secret"
    code = snippets.key_fetch(url)[snippets.CURL]
    env = dict(os.environ, PORTAL_TOKEN="apat_" + "0" * 42)
    done = subprocess.run(RUNNERS[snippets.CURL](code), env=env, capture_output=True, timeout=60)
    assert done.returncode != 0
    assert KEY.encode() not in done.stdout


def test_the_deployment_page_offers_the_fetch_for_each_usable_covering_access(world):
    dep = factories.make_deployment(world.alpha)
    usable = factories.make_access(world.alpha, name="ci key", deployments=[dep])
    factories.make_access(world.alpha, name="off key", disabled=True)
    page = world.client_for(world.viewer).get(f"/w/{world.alpha.code}/deployments/{dep.code}/")
    html = page.content.decode()
    assert f"/api/v1/workspaces/{world.alpha.code}/accesses/{usable.code}/secret" in html
    assert "off key (" not in html.split("Fetch the key from the portal")[1]
    assert "PORTAL_TOKEN" in html
