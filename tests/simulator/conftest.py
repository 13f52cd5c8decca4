"""Fixtures for the simulator's conformance tests: a test account and a real server.

Helpers are handed out as fixtures (not imported) so the tests work under any
pytest import mode.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from simulator.server import Simulator, start_background
from simulator.state import FAULTS

PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
FAST = {"first_token_ms": 5, "chunk_delay_ms": 5, "chunks": 8}


def _id(n: int) -> str:
    return f"{n:032x}"


def _deployment(n: int, model: str, **fields: Any) -> dict[str, Any]:
    return {"name": model.replace("-", " ").title(), "deployment_id": _id(n), "model": model} | {
        "status": "running",
        "versions": ["v1", "v2"],
        "mode": "cloud",
        **fields,
    }


def build_state() -> dict[str, Any]:
    deployments = [
        _deployment(1, "chat-model"),
        _deployment(2, "v1-only", versions=["v1"]),
        _deployment(3, "stopped-model", status="stopped"),
        _deployment(4, "deploying-model", status="deploying"),
        _deployment(
            5, "edge-lb-chat", mode="edge_lb", elb_ip="127.0.0.1", elb_port=8001, api_url="edge/lb"
        ),
        _deployment(6, "edge-node-chat", mode="edge_node", node_ip="127.0.0.1", host_port=8001),
        _deployment(7, "preset-model", source="preset_service"),
        _deployment(8, "reasoning-model", reasoning=True),
    ]
    faults = {}
    for n, fault in enumerate(FAULTS, start=100):
        deployments.append(_deployment(n, "fault-" + fault.replace("_", "-")))
        faults[_id(n)] = fault
    return {
        "region": "cn-southwest-2",
        "project_id": PROJECT_ID,
        "iam_users": [{"domain": "acme", "name": "ops-bot", "password": "Pw0rdOfTheOpsBot77"}],
        "deployments": deployments,
        "app_accesses": [
            {"name": "all", "key": "KeyAllServices7f3a9c2e5b1d8f4a6c0e", "services": "all"},
            {"name": "chat-only", "key": "KeyChatOnly4e8b2d6f0a9c3e7b1d5f", "services": [_id(1)]},
        ],
        "faults": faults,
        "an_unknown_field": "is ignored",
    }


class SimClient:
    """Calls one simulator over a real socket with requests (proxies from the env ignored)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.http = requests.Session()
        self.http.trust_env = False

    def dep(self, model: str) -> Any:
        deployment = self.sim.state.deployment_for_model(model)
        assert deployment is not None, model
        return deployment

    def key(self, name: str) -> str:
        return next(a.key for a in self.sim.state.app_accesses if a.name == name)

    def v1_url(self, model: str, prefix: str = "", project_id: str = PROJECT_ID) -> str:
        deployment_id = self.dep(model).deployment_id
        return (
            f"{self.sim.url}{prefix}/v1/{project_id}/deployments/{deployment_id}/chat/completions"
        )

    def v1(
        self,
        model: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        prefix: str = "",
        **kwargs: Any,
    ) -> requests.Response:
        if headers is None:
            headers = {"X-Apig-AppCode": self.key("all")}
        kwargs.setdefault("timeout", 10)
        return self.http.post(
            self.v1_url(model, prefix), json=_body(body), headers=headers, **kwargs
        )

    def v2(
        self,
        body: Any = None,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        prefix: str = "",
        **kwargs: Any,
    ) -> requests.Response:
        if headers is None:
            headers = {"Authorization": f"Bearer {key or self.key('all')}"}
        return self.http.post(
            f"{self.sim.url}{prefix}/api/v2/chat/completions",
            json=_body(body, model="chat-model"),
            headers=headers,
            **{"timeout": 10, **kwargs},
        )

    def iam(self, user: dict[str, Any] | None = None, query: str = "") -> requests.Response:
        user = user or {
            "name": "ops-bot",
            "password": "Pw0rdOfTheOpsBot77",
            "domain": {"name": "acme"},
        }
        body = {
            "auth": {
                "identity": {"methods": ["password"], "password": {"user": user}},
                "scope": {"project": {"name": "cn-southwest-2"}},
            }
        }
        return self.http.post(f"{self.sim.url}/v3/auth/tokens{query}", json=body, timeout=10)

    def token(self) -> str:
        response = self.iam()
        assert response.status_code == 201, response.text
        return response.headers["X-Subject-Token"]

    def stats(self) -> dict[str, int]:
        return self.http.get(f"{self.sim.url}/_sim/stats", timeout=10).json()

    def sim_post(self, action: str) -> requests.Response:
        return self.http.post(f"{self.sim.url}/_sim/{action}", timeout=10)

    @staticmethod
    def lines(response: requests.Response) -> list[str]:
        """The stream's non-empty lines, as sent."""
        return [line.decode() for line in response.iter_lines() if line]


def _body(body: Any, **defaults: Any) -> Any:
    if body is None:
        body = {"messages": [{"role": "user", "content": "How should I plan a small garden?"}]}
    return {**defaults, **body} if isinstance(body, dict) else body


@pytest.fixture(scope="session")
def state_dict() -> dict[str, Any]:
    return build_state()


@pytest.fixture(scope="session")
def sim(state_dict: dict[str, Any]) -> Iterator[Simulator]:
    server = start_background(state_dict, host="127.0.0.1", port=0, **FAST)
    yield server
    server.stop()


@pytest.fixture
def api(sim: Simulator) -> Iterator[SimClient]:
    client = SimClient(sim)
    yield client
    client.http.close()


@pytest.fixture
def start_sim(state_dict: dict[str, Any]) -> Iterator[Callable[..., SimClient]]:
    """Start a private simulator (own stats, tokens, pacing); stopped after the test."""
    started: list[SimClient] = []

    def start(state: dict[str, Any] | None = None, **knobs: Any) -> SimClient:
        client = SimClient(start_background(state or state_dict, **{**FAST, **knobs}))
        started.append(client)
        return client

    yield start
    for client in started:
        client.http.close()
        client.sim.stop()


@pytest.fixture
def sse_json() -> Callable[[str, str], Any]:
    """Parse one `data:` line after checking its exact prefix."""

    def parse(line: str, prefix: str) -> Any:
        assert line.startswith(prefix), line[:40]
        return json.loads(line[len(prefix) :])

    return parse
