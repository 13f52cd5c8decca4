"""The relay over real sockets at both ends: a live portal and a slow simulator."""

from __future__ import annotations

import time

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from accessportal import demo as seeding
from chat.models import TestCall
from simulator.server import start_background
from tests.conftest import PASSWORD
from tests.playground_helpers import body

CHUNKS, CHUNK_DELAY_MS = 10, 150


@pytest.fixture
def slow_sim():
    sim = start_background(
        None, port=0, first_token_ms=20, chunk_delay_ms=CHUNK_DELAY_MS, chunks=CHUNKS
    )
    yield sim
    sim.stop()


@pytest.fixture
def portal(transactional_db, live_server, slow_sim, settings):
    """A signed-in requests session against the live portal, and the seeded workspace."""
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = True
    workspace = seeding.seed(
        slow_sim.state, simulator_url=slow_sim.url, password=PASSWORD
    ).workspace
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    session = requests.Session()
    session.trust_env = False
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    session.get(f"{live_server.url}/w/{workspace.code}/playground/", timeout=10).raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    session.headers["Referer"] = live_server.url
    return session, workspace, live_server.url


def open_stream(portal):
    session, workspace, base = portal
    deployment = workspace.deployments.get(name="Pangu NLP chat")
    team = workspace.accesses.get(name="team-all")
    return session.post(
        f"{base}/w/{workspace.code}/playground/send/",
        data={
            "deployment": str(deployment.code),
            "version": "v1",
            "auth": f"access:{team.code}",
            "body": body(stream=True),
        },
        stream=True,
        timeout=30,
    )


def test_deltas_reach_the_browser_as_they_arrive(portal):
    started = time.monotonic()
    arrivals = []
    with open_stream(portal) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line == b"event: delta":
                arrivals.append(time.monotonic() - started)
    total = time.monotonic() - started
    assert len(arrivals) >= CHUNKS - 1
    # The first delta comes long before the upstream finishes, and they are spread out.
    assert arrivals[0] < total - (CHUNKS - 3) * CHUNK_DELAY_MS / 1000
    assert arrivals[-1] - arrivals[0] > (CHUNKS - 3) * CHUNK_DELAY_MS / 1000


def test_browser_going_away_closes_upstream_and_records_the_call(portal, slow_sim):
    with open_stream(portal) as response:
        for line in response.iter_lines():
            if line == b"event: delta":
                break
        response.raw._fp.fp.raw._sock.close()  # the browser tab closes mid-stream
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        call = TestCall.objects.filter(outcome="aborted").first()
        if call and slow_sim._httpd.open_connections() == 0:
            break
        time.sleep(0.1)
    assert call is not None, "the aborted call was not recorded"
    assert call.latency_ms < CHUNKS * CHUNK_DELAY_MS  # ended early, not after the whole reply
    assert slow_sim._httpd.open_connections() == 0  # the portal closed its upstream connection
