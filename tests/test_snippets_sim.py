"""Every snippet of every running demo deployment, run for real against the simulator.

The demo account is seeded into the database (as ``seed_demo`` does) pointing at an
in-process simulator, the snippets are built from those rows, and each one runs as a user
would run it: curl in ``sh``, Python with this virtualenv's interpreter (requests, and the
real ``openai`` package), Node with ``node``. They run in parallel once per module; the
tests below then read the outcomes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.db import transaction
from django.test import override_settings

from accessportal import crypto
from accessportal.demo import seed
from accessportal.snippets import (
    API_KEY_ENV,
    AUTH_TOKEN_ENV,
    IAM_PASSWORD_ENV,
    IamLogin,
    SnippetTarget,
    Variant,
    snippet,
    target_for,
    variants,
)
from accessportal.views.snippets import snippet_credential
from simulator.server import start_background
from simulator.state import DEFAULT_STATE_PATH, load_state
from tests.conftest import TEST_KEYS

# Marks every test as a database user, so the test database exists for the module fixture.
pytestmark = pytest.mark.django_db

STATE = load_state(DEFAULT_STATE_PATH)
NODE = shutil.which("node")
KEY = next(a.key for a in STATE.app_accesses if a.services == "all")
IAM_PASSWORD = STATE.iam_users[0].password
# Running, and answering normally: the fault-injection deployments misbehave on purpose.
HEALTHY = [d for d in STATE.deployments if d.running and d.deployment_id not in STATE.faults]
NOT_RUNNING = [d for d in STATE.deployments if not d.running]
# Wrong credentials are tried on a cloud and an edge (prefixed path) deployment.
WRONG_ON = [
    next(d for d in HEALTHY if d.mode == "cloud"),
    next(d for d in HEALTHY if d.mode == "edge_lb"),
]
REPLY_END = "Hope this helps."


def _shape(deployment) -> SnippetTarget:
    """A stand-in with the deployment's versions, to list its variants at collection time."""
    paths = {"v1": "http://h/v1/p/deployments/d/chat/completions"}
    paths["v2"] = "http://h/api/v2/chat/completions"
    urls = {v: paths[v] for v in ("v1", "v2") if v in deployment.versions}
    return SnippetTarget(deployment.name, deployment.model, urls, IamLogin("http://h"))


def runnable(deployment) -> list[Variant]:
    return [v for v in variants(_shape(deployment)) if v.language != "node" or NODE]


@dataclass(frozen=True)
class Case:
    kind: str
    deployment_id: str
    variant: Variant
    env: tuple[tuple[str, str], ...]

    @property
    def id(self) -> str:
        names = "-".join(k for k, _ in self.env)
        return f"{self.kind}-{self.deployment_id[:8]}-{self.variant.slug}-{names}"


def ok_env(variant: Variant) -> tuple[tuple[str, str], ...]:
    if variant.auth_mode == "token":
        return ((IAM_PASSWORD_ENV, IAM_PASSWORD),)
    return ((API_KEY_ENV, KEY),)


OK_CASES = [Case("ok", d.deployment_id, v, ok_env(v)) for d in HEALTHY for v in runnable(d)]
WRONG_CASES = [
    Case("wrong", d.deployment_id, v, env)
    for d in WRONG_ON
    for v in runnable(d)
    for env in (
        [((AUTH_TOKEN_ENV, "MIIwrong-token"),), ((IAM_PASSWORD_ENV, "wrong-password"),)]
        if v.auth_mode == "token"
        else [((API_KEY_ENV, "wrong-key-0123456789abcdef"),)]
    )
]
STOPPED_CASES = [
    Case("stopped", d.deployment_id, v, ok_env(v))
    for d in NOT_RUNNING
    for v in runnable(d)
    if not v.stream and v.auth_mode == "api_key"
]


def clean_env(extra) -> dict[str, str]:
    # Built from nothing: no proxy variables, no key of the developer's own.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": "/tmp"}
    return env | dict(extra)


def execute(code: str, variant: Variant, env, folder: Path) -> subprocess.CompletedProcess:
    if variant.language == "curl":
        argv = ["sh", "-c", code]
    else:
        suffix = "js" if variant.language == "node" else "py"
        path = Path(tempfile.mkstemp(suffix=f".{suffix}", dir=folder)[1])
        path.write_text(code, encoding="utf-8")
        argv = [NODE if variant.language == "node" else sys.executable, str(path)]
    return subprocess.run(argv, capture_output=True, env=clean_env(env), timeout=60, check=False)


@pytest.fixture(scope="module")
def sim():
    server = start_background(
        DEFAULT_STATE_PATH,
        host="127.0.0.1",
        port=0,
        first_token_ms=5,
        chunk_delay_ms=5,
        chunks=4,
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_targets(django_db_setup, django_db_blocker, sim) -> dict[str, SnippetTarget]:
    """Snippet targets of the seeded demo workspace; the rows are rolled back afterwards."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PORTAL_ENCRYPTION_KEYS=TEST_KEYS[:1], PASSWORD_HASHERS=fast),
    ):
        crypto.active_keyring.cache_clear()
        try:
            with transaction.atomic():
                result = seed(STATE, simulator_url=sim.url, password="x-demo-pass-1")
                credential = snippet_credential(result.workspace)
                assert credential is not None
                targets = {
                    d.deployment_id: target_for(d, credential)
                    for d in result.workspace.deployments.all()
                }
                transaction.set_rollback(True)
        finally:
            crypto.active_keyring.cache_clear()
    return targets


@pytest.fixture(scope="module")
def outcomes(demo_targets, tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    folder = tmp_path_factory.mktemp("snippets")
    cases = OK_CASES + WRONG_CASES + STOPPED_CASES

    def run(case: Case):
        code = snippet(demo_targets[case.deployment_id], case.variant)
        return case.id, execute(code, case.variant, case.env, folder)

    with ThreadPoolExecutor(max_workers=6) as pool:
        return dict(pool.map(run, cases))


def reply_of(variant: Variant, out: str) -> str:
    """The answer's text as the snippet printed it (curl prints the raw HTTP body)."""
    if variant.language != "curl":
        return out.strip()
    if not variant.stream:
        return json.loads(out)["choices"][0]["message"]["content"]
    text = []
    for line in out.splitlines():
        data = line[len("data:") :].strip() if line.startswith("data:") else ""
        if data and data != "[DONE]":
            for choice in json.loads(data)["choices"]:
                text.append((choice.get("message") or choice.get("delta") or {}).get("content", ""))
    return "".join(text)


@pytest.mark.parametrize("case", OK_CASES, ids=lambda c: c.id)
def test_snippet_answers_with_a_reply(outcomes, case):
    result = outcomes[case.id]
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0, result.stderr.decode()
    reply = reply_of(case.variant, out)
    assert reply.endswith(REPLY_END), out
    if case.variant.language == "curl" and case.variant.stream:
        assert ("data:[DONE]" if case.variant.version == "v1" else "data: [DONE]") in out


def test_streamed_and_whole_answers_are_the_same_text(outcomes):
    """The simulator's answer depends only on the request, so every language and mode of
    one deployment and version must print the same reply."""
    replies: dict[tuple[str, str], set[str]] = {}
    for case in OK_CASES:
        out = outcomes[case.id].stdout.decode("utf-8")
        key = (case.deployment_id, case.variant.version)
        replies.setdefault(key, set()).add(reply_of(case.variant, out))
    assert replies and all(len(texts) == 1 for texts in replies.values()), replies


@pytest.mark.parametrize("case", WRONG_CASES, ids=lambda c: c.id)
def test_wrong_credentials_fail_with_the_platforms_401(outcomes, case):
    result = outcomes[case.id]
    said = result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
    assert result.returncode != 0, said
    assert "401" in said
    names = dict(case.env)
    if API_KEY_ENV in names:
        assert "APIG.0303" in said  # incorrect app authentication information
    elif AUTH_TOKEN_ENV in names:
        assert "APIG.0301" in said  # incorrect IAM authentication information
    elif case.variant.language != "curl":
        assert "IAM answered HTTP 401" in said  # curl only says the status


@pytest.mark.parametrize("case", STOPPED_CASES, ids=lambda c: c.id)
def test_a_deployment_that_is_not_running_fails_with_the_platforms_error(outcomes, case):
    result = outcomes[case.id]
    said = result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
    assert result.returncode != 0
    assert "PANGU.3259" in said


def test_a_token_from_the_environment_is_used_as_it_is(demo_targets, sim, tmp_path):
    response = requests.post(
        demo_targets[HEALTHY[0].deployment_id].iam.token_url,
        json={
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": STATE.iam_users[0].name,
                            "password": IAM_PASSWORD,
                            "domain": {"name": STATE.iam_users[0].domain},
                        }
                    },
                }
            }
        },
        timeout=10,
    )
    token = response.headers["X-Subject-Token"]
    target = demo_targets[HEALTHY[0].deployment_id]
    before = requests.get(sim.url + "/_sim/stats", timeout=10).json()["iam_tokens_issued"]
    for variant in [v for v in variants(target) if v.auth_mode == "token" and not v.stream]:
        if variant.language == "node" and not NODE:
            continue
        env = ((AUTH_TOKEN_ENV, token), (IAM_PASSWORD_ENV, "wrong-password"))
        result = execute(snippet(target, variant), variant, env, tmp_path)
        assert result.returncode == 0, (variant.slug, result.stderr.decode())
    after = requests.get(sim.url + "/_sim/stats", timeout=10).json()["iam_tokens_issued"]
    assert after == before


def test_every_demo_deployment_has_snippets(demo_targets):
    assert set(demo_targets) == {d.deployment_id for d in STATE.deployments}
    assert {d.mode for d in HEALTHY} == {"cloud", "edge_lb", "edge_node"}
    assert len(OK_CASES) > 100
