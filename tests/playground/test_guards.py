"""The playground can be pointed only where the catalog says, and never at metadata."""

from __future__ import annotations

import socket

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from chat.models import TestCall
from tests.playground_helpers import auth_of, named, send


@pytest.fixture
def member(demo):
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    return client


@pytest.fixture
def connects(monkeypatch):
    """Every address a socket tries to connect to during the test."""
    seen = []
    real_connect = socket.socket.connect

    def spy(self, address):
        seen.append(address[0])
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    return seen


@pytest.mark.parametrize(
    "where",
    [
        {"mode": "edge_node", "node_ip": "169.254.169.254", "host_port": 80},
        {"mode": "edge_node", "node_ip": "::ffff:169.254.169.254", "host_port": 80},
        {"mode": "edge_lb", "elb_ip": "fe80::1", "elb_port": 80, "api_url": "x"},
        {
            "mode": "cloud",
            "v1_path_override": "http://metadata.internal.test/v1/x/chat/completions",
        },
    ],
    ids=["metadata-v4", "metadata-v4-mapped-v6", "link-local-v6", "name-resolving-to-metadata"],
)
def test_metadata_and_link_local_are_refused_without_connecting(
    demo, member, connects, monkeypatch, where
):
    real = socket.getaddrinfo

    def fake_getaddrinfo(host, *args, **kwargs):
        if host == "metadata.internal.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    deployment = demo.deployments.get(name="Pangu NLP chat")
    for field, value in where.items():
        setattr(deployment, field, value)
    deployment.save()
    _, events = send(
        member, demo, deployment=deployment, auth=auth_of(demo.accesses.get(name="team-all"))
    )
    assert named(events, "error")[0]["code"] == "upstream.blocked_address"
    assert not [a for a in connects if "169.254" in a or a.startswith("fe80")]
    assert TestCall.objects.get().error_code == "upstream.blocked_address"


def test_loopback_is_refused_unless_allowed(demo, member, settings):
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = False
    _, events = send(
        member,
        demo,
        deployment=demo.deployments.get(name="Pangu NLP chat"),
        auth=auth_of(demo.accesses.get(name="team-all")),
    )
    assert named(events, "error")[0]["code"] == "upstream.blocked_address"


def test_a_redirect_is_not_followed_and_the_key_goes_nowhere(demo, member, simulator):
    before = requests.get(simulator.url + "/_sim/stats", timeout=5).json()
    for stream in (False, True):
        _, events = send(
            member,
            demo,
            deployment=demo.deployments.get(name="Fault: redirect"),
            auth=auth_of(demo.accesses.get(name="team-all")),
            stream=stream,
        )
        assert named(events, "error")[0]["code"] == "upstream.redirect"
    after = requests.get(simulator.url + "/_sim/stats", timeout=5).json()
    assert after["redirect_target_hits"] == before["redirect_target_hits"]
    assert after["redirect_target_auth_headers"] == before["redirect_target_auth_headers"]
