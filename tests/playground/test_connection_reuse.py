"""Test calls keep their upstream connection: streamed ones too, over a real socket."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from tests.playground_helpers import auth_of, named, send

CALLS = 8


@pytest.fixture
def member(demo) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    return client


def accepted_connections(simulator) -> int:
    """Connections the simulator accepted, this look's own one included."""
    return requests.get(simulator.url + "/_sim/stats", timeout=5).json()["connections"]


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_sequential_calls_share_one_upstream_connection(demo, member, simulator, version, stream):
    deployment = demo.deployments.get(name="Pangu NLP chat")
    auth = auth_of(demo.accesses.get(name="team-all"))
    before = accepted_connections(simulator)
    for _ in range(CALLS):
        _, events = send(
            member, demo, deployment=deployment, version=version, auth=auth, stream=stream
        )
        assert named(events, "end")[0]["outcome"] == "ok"
        assert named(events, "delta")
    opened = accepted_connections(simulator) - 1 - before  # less the second look's own
    # At most one: an earlier test may have left no connection in the pool.
    assert opened <= 1
