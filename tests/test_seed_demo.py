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


def test_a_state_with_its_own_edge_addresses_is_registered_as_it_is(db, tmp_path, capsys):
    """Only the "simulator" token follows --simulator-url; other addresses stay."""
    raw = json.loads(DEFAULT_STATE_PATH.read_text())
    node = next(d for d in raw["deployments"] if d["mode"] == "edge_node")
    node["node_ip"], node["host_port"] = "::1", 8002
    lb = next(d for d in raw["deployments"] if d["mode"] == "edge_lb")
    lb["elb_ip"], lb["elb_port"] = "192.0.2.10", 8443
    mixed = next(d for d in raw["deployments"][::-1] if d["mode"] == "edge_node")
    mixed["node_ip"], mixed["host_port"] = "simulator", 9000
    path = tmp_path / "state.json"
    path.write_text(json.dumps(raw))
    call_command(
        "seed_demo", state=str(path), simulator_url="http://127.0.0.9:18001", password="p-1-x"
    )
    registered = {d.deployment_id: d for d in Deployment.objects.all()}

    def edge(item) -> tuple:
        d = registered[item["deployment_id"]]
        return (d.elb_ip, d.elb_port) if d.mode == "edge_lb" else (d.node_ip, d.host_port)

    assert edge(node) == ("::1", 8002)
    assert registered[node["deployment_id"]].call_paths()["v1"].startswith("http://[::1]:8002/")
    assert edge(lb) == ("192.0.2.10", 8443)
    assert edge(mixed) == ("127.0.0.9", 9000)
    followers = [
        d for d in raw["deployments"] if "simulator" in (d.get("elb_ip"), d.get("node_ip"))
    ]
    assert len(followers) >= 3
    for item in followers:
        assert edge(item) == ("127.0.0.9", 9000 if item is mixed else 18001)


@pytest.mark.parametrize(
    ("field", "value"),
    [("node_ip", "not-an-ip"), ("host_port", 70000), ("host_port", "8001"), ("node_ip", 5)],
)
def test_a_state_with_a_bad_edge_address_is_refused(tmp_path, field, value):
    from simulator.state import StateError

    raw = json.loads(DEFAULT_STATE_PATH.read_text())
    next(d for d in raw["deployments"] if d["mode"] == "edge_node")[field] = value
    with pytest.raises(StateError, match=field):
        load_state(raw)
