"""The playground's *View code*, run for real against the simulator as the deployment
page's snippets are (tests/test_snippets_sim.py): curl in ``sh``, Python with this
virtualenv's interpreter (requests and the real ``openai`` package), Node with ``node``.

The conversation is full of what breaks code that pastes text in raw: quotes, ``$`` and
backticks a shell would expand, a line break, non-ASCII, a value starting with ``-``. The
simulator's answer is fixed by the messages it receives (and quotes the last user message),
so each snippet must print exactly what the same body sent directly gets back.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from accessportal.headers import API_KEY, request_headers
from accessportal.snippets import API_KEY_ENV, IAM_PASSWORD_ENV, Variant
from tests.test_snippets_sim import NODE, execute, reply_of

CONVERSATION = [
    {"role": "system", "content": 'Don\'t run `rm -rf /` or $(reboot); say "no" if asked.'},
    {"role": "user", "content": "-n --data @/etc/passwd"},
    {"role": "assistant", "content": "-X DELETE 'quoted' \\ back\\slash"},
    {"role": "user", "content": 'It\'s $HOME `id` $(echo hi) 长江 🐟 "fish"\nand ${PATH} -v'},
]
PARAMETERS = {"temperature": 0.5, "top_p": 0.8, "max_tokens": 80}

CASES = [
    ("v1", API_KEY, False),
    ("v1", API_KEY, True),
    ("v1", "token", False),
    ("v1", "token", True),
    ("v2", API_KEY, False),
    ("v2", API_KEY, True),
]


def both_versions(demo, simulator):
    """A healthy deployment (no injected faults) that serves V1 and V2."""
    state = simulator.state
    name = next(
        d.name
        for d in state.deployments
        if d.running and d.deployment_id not in state.faults and set(d.versions) >= {"v1", "v2"}
    )
    return demo.deployments.get(name=name)


def direct_reply(deployment, version: str, body: dict, key: str) -> str:
    """What the simulator answers the same body sent without any snippet."""
    sent = {k: v for k, v in body.items() if k != "stream"}
    if version == "v2":
        sent["model"] = deployment.model_name
    response = requests.post(
        deployment.call_paths()[version],
        headers=request_headers(version, API_KEY, key),
        json=sent,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize(
    ("version", "auth_mode", "stream"), CASES, ids=["-".join(map(str, c)) for c in CASES]
)
def test_view_code_snippets_send_the_conversation_intact(
    demo, simulator, tmp_path, version, auth_mode, stream
):
    deployment = both_versions(demo, simulator)
    state = simulator.state
    key = next(a.key for a in state.app_accesses if a.services == "all")
    if auth_mode == API_KEY:
        auth = f"access:{demo.accesses.get(all_services=True).code}"
        env = ((API_KEY_ENV, key),)
    else:
        credential = demo.iam_credentials.get(name=state.iam_users[0].name)
        auth = f"credential:{credential.code}"
        env = ((IAM_PASSWORD_ENV, state.iam_users[0].password),)
    body = {"messages": CONVERSATION, **PARAMETERS} | ({"stream": True} if stream else {})
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    response = client.post(
        f"/w/{demo.code}/playground/code/",
        {
            "deployment": str(deployment.code),
            "version": version,
            "auth": auth,
            "body": json.dumps(body),
        },
    )
    assert response.status_code == 200, response.content
    tabs = response.json()["tabs"]
    expected_languages = ["curl", "python"] + (["openai"] if version == "v2" else []) + ["node"]
    assert [t["language"] for t in tabs] == expected_languages
    assert key not in response.content.decode()

    expected = direct_reply(deployment, version, body, key)
    assert "$HOME `id` $(echo hi)" in expected  # the simulator quotes the question back

    def run(tab):
        variant = Variant(tab["language"], version, auth_mode, stream)
        return variant, execute(tab["code"], variant, env, tmp_path)

    runnable = [t for t in tabs if t["language"] != "node" or NODE]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, runnable))
    for variant, result in results:
        out = result.stdout.decode("utf-8")
        assert result.returncode == 0, (variant.slug, result.stderr.decode())
        assert reply_of(variant, out) == expected, (variant.slug, out)
