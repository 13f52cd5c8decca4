"""A reasoning deployment through the playground, over a real socket to the simulator."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.playground_helpers import auth_of, named, send

REASONER = "DeepSeek R1 (reasoning)"


@pytest.fixture
def member(demo):
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    return client


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_reasoning_arrives_as_its_own_events_before_the_reply(demo, member, version, stream):
    access = demo.accesses.get(name="team-all")
    response, events = send(
        member,
        demo,
        deployment=demo.deployments.get(name=REASONER),
        version=version,
        auth=auth_of(access),
        stream=stream,
    )
    assert response.status_code == 200
    names = [name for name, _ in events]
    assert names.index("reasoning") < names.index("delta")
    thought = "".join(d["text"] for d in named(events, "reasoning"))
    reply = "".join(d["text"] for d in named(events, "delta"))
    assert thought and reply and thought not in reply
    usage = named(events, "usage")[-1]
    assert 0 < usage["reasoning_tokens"] < usage["completion_tokens"]
    if stream:  # the first thought is the first token
        assert "ttft_ms" in named(events, "reasoning")[0]
    assert access.api_key() not in repr(events)


def test_a_plain_deployment_sends_no_reasoning(demo, member):
    access = demo.accesses.get(name="team-all")
    _, events = send(
        member,
        demo,
        deployment=demo.deployments.get(name="Pangu NLP chat"),
        auth=auth_of(access),
        stream=True,
    )
    assert named(events, "reasoning") == []
    assert named(events, "usage")[-1]["reasoning_tokens"] is None
