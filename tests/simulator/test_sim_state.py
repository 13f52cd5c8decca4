"""The state file: loading, defaults, validation, and the shipped demo account."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from simulator.state import DEFAULT_STATE_PATH, FAULTS, State, StateError, load_state


def test_loads_from_path_dict_and_state(tmp_path: Path, state_dict: dict[str, Any]) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state_dict))
    from_path = load_state(path)
    from_str = load_state(str(path))
    from_dict = load_state(state_dict)
    assert from_path == from_dict == from_str
    assert load_state(from_dict) is from_dict
    assert from_dict.project_id == state_dict["project_id"]
    assert from_dict.region == "cn-southwest-2"


def test_defaults_and_lookups(state_dict: dict[str, Any]) -> None:
    state = load_state(state_dict)
    chat = state.deployment_for_model("chat-model")
    assert chat is not None
    assert chat.source == "my_service"  # the default source
    assert state.deployment_for_model("preset-model").source == "preset_service"
    assert state.deployment(chat.deployment_id) is chat
    assert state.deployment_for_api_url("/edge/lb/").model == "edge-lb-chat"
    assert state.deployment_for_api_url("edge/other") is None
    chat_only = state.access_for_key("KeyChatOnly4e8b2d6f0a9c3e7b1d5f")
    assert chat_only.covers(chat.deployment_id)
    assert not chat_only.covers(state.deployment_for_model("v1-only").deployment_id)
    assert state.token_ttl_seconds == 24 * 3600


def test_secrets_stay_out_of_reprs(state_dict: dict[str, Any]) -> None:
    text = repr(load_state(state_dict))
    assert "KeyAllServices" not in text
    assert "Pw0rdOfTheOpsBot77" not in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s["deployments"][1].update(
                deployment_id=s["deployments"][0]["deployment_id"]
            ),
            "duplicate deployment_id",
        ),
        (lambda s: s["deployments"][1].update(model="chat-model"), "duplicate model"),
        (lambda s: s["deployments"][0].update(mode="satellite"), "mode"),
        (lambda s: s["deployments"][0].update(status="sleeping"), "status"),
        (lambda s: s["deployments"][0].update(versions=["v3"]), "versions"),
        (lambda s: s["deployments"][4].pop("api_url"), "api_url is required"),
        (lambda s: s["deployments"][5].pop("host_port"), "host_port is required"),
        (lambda s: s["faults"].update({"x": "meteor"}), "unknown fault"),
        (lambda s: s.pop("project_id"), "project_id"),
        (lambda s: s["app_accesses"][1].update(key=s["app_accesses"][0]["key"]), "unique"),
        (lambda s: s["app_accesses"][1].update(services="some"), "services"),
    ],
)
def test_rejects_broken_state(state_dict: dict[str, Any], change: Any, message: str) -> None:
    broken = copy.deepcopy(state_dict)
    change(broken)
    with pytest.raises(StateError, match=message) as info:
        load_state(broken)
    assert "KeyAllServices" not in str(info.value)  # never echoes a key


def test_unreadable_file_is_a_state_error(tmp_path: Path) -> None:
    with pytest.raises(StateError, match=r"^cannot read state file .*missing\.json: "):
        load_state(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(StateError, match=r"^cannot read state file .*bad\.json: Expecting"):
        load_state(tmp_path / "bad.json")


# --- the shipped demo account ----------------------------------------------


@pytest.fixture(scope="module")
def demo() -> State:
    return load_state(DEFAULT_STATE_PATH)


def test_demo_state_covers_every_mode_status_and_source(demo: State) -> None:
    assert DEFAULT_STATE_PATH.name == "demo_state.json"
    assert demo.region == "cn-southwest-2"
    assert demo.project_id == "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    modes = {d.mode for d in demo.deployments}
    assert modes == {"cloud", "edge_lb", "edge_node"}
    for mode in modes:
        assert len([d for d in demo.deployments if d.mode == mode]) >= 2
    assert {"deploying", "running", "stopped", "failed"} <= {d.status for d in demo.deployments}
    assert {d.source for d in demo.deployments} == {"my_service", "preset_service"}
    for preset in (d for d in demo.deployments if d.source == "preset_service"):
        assert preset.mode == "cloud"
        assert preset.versions == ("v1", "v2")
    assert len(demo.iam_users) == 1


def test_demo_state_ids_models_and_edge_addresses(demo: State) -> None:
    uuid_like = re.compile(
        r"^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
    )
    for d in demo.deployments:
        assert uuid_like.match(d.deployment_id), d.name
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", d.model), d.model
    for d in demo.deployments:
        if d.mode == "edge_lb":
            assert (d.elb_ip, d.elb_port) == ("simulator", "simulator")  # wherever it listens
            assert d.api_url
        if d.mode == "edge_node":
            assert (d.node_ip, d.host_port) == ("simulator", "simulator")
    assert any(d.mode == "edge_lb" and d.running and "v2" in d.versions for d in demo.deployments)


def test_demo_state_keys(demo: State) -> None:
    keys = [a.key for a in demo.app_accesses]
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert re.fullmatch(r"[A-Za-z0-9]{24,64}", key)
        assert len(set(key)) > 10  # random-looking, not a repeated pattern
    scopes = [a.services for a in demo.app_accesses]
    assert "all" in scopes
    assert any(s != "all" for s in scopes)
    ids = {d.deployment_id for d in demo.deployments}
    for services in scopes:
        if services != "all":
            assert set(services) <= ids


def test_demo_state_has_one_running_cloud_deployment_per_fault(demo: State) -> None:
    assert sorted(demo.faults.values()) == sorted(FAULTS)
    for deployment_id, fault in demo.faults.items():
        d = demo.deployment(deployment_id)
        assert d is not None
        assert (d.mode, d.status, d.source) == ("cloud", "running", "my_service")
        assert d.name == f"Fault: {fault}"
