"""seed_demo registers the simulator's account, and its call paths really answer."""

from __future__ import annotations

import json

import pytest
import requests
from django.apps import apps
from django.core.management import call_command

from accessportal.headers import API_KEY, request_headers
from accessportal.models import ApplicationAccess, Deployment, IamCredential, Membership
from simulator.state import DEFAULT_STATE_PATH, load_state

STATE = load_state(DEFAULT_STATE_PATH)


def snapshot() -> dict:
    catalog = [Deployment, ApplicationAccess, IamCredential, Membership]
    rows = {m.__name__: sorted(map(repr, m.objects.values())) for m in catalog}
    rows["scopes"] = sorted(
        ApplicationAccess.deployments.through.objects.values_list(
            "applicationaccess_id", "deployment_id"
        )
    )
    rows["users"] = sorted(
        apps.get_model("auth", "User").objects.values_list("username", "password", "is_superuser")
    )
    return rows


def test_seeding_twice_leaves_the_same_rows(db, simulator, capsys):
    call_command("seed_demo", simulator_url=simulator.url, password="demo-pass-1")
    first = snapshot()
    call_command("seed_demo", simulator_url=simulator.url, password="demo-pass-1")
    assert snapshot() == first
    out = capsys.readouterr().out
    assert "demo, demo-member, demo-viewer" in out
    assert Deployment.objects.count() == len(STATE.deployments)
    assert ApplicationAccess.objects.count() == len(STATE.app_accesses)


def test_seeded_catalog_mirrors_the_state(demo):
    for item in STATE.app_accesses:
        access = demo.accesses.get(name=item.name)
        assert access.api_key() == item.key
        if item.services != "all":
            assert {d.deployment_id for d in access.deployments.all()} == set(item.services)
    assert demo.memberships.get(user__username="demo").role == "admin"
    assert {d.source for d in demo.deployments.all()} == {"my_service", "preset_service"}


def healthy_running():
    return [d for d in STATE.deployments if d.running and d.deployment_id not in STATE.faults]


@pytest.mark.parametrize("item", healthy_running(), ids=lambda d: d.name)
def test_every_call_path_answers(demo, item):
    """One real call per version a running deployment serves, with the portal's headers."""
    deployment = demo.deployments.get(deployment_id=item.deployment_id)
    key = next(a.key for a in STATE.app_accesses if a.covers(item.deployment_id))
    for version, url in deployment.call_paths().items():
        body = {"messages": [{"role": "user", "content": "hello"}], "max_tokens": 5}
        if version == "v2":
            body["model"] = deployment.model_name
        response = requests.post(
            url, headers=request_headers(version, API_KEY, key), data=json.dumps(body), timeout=10
        )
        assert response.status_code == 200, (version, response.text)
        assert response.json()["choices"][0]["message"]["content"]
