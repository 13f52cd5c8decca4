"""NUL, which PostgreSQL cannot keep, becomes U+FFFD in everything a record stores."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chat.models import TestCall
from chat.storable import storable
from tests.playground_helpers import auth_of, named, send


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("a\x00b\x00", "a\ufffdb\ufffd"),
        ("plain ✓", "plain ✓"),
        (
            {"k\x00": ["x\x00", {"y": "\x00"}, 5, None, True]},
            {"k\ufffd": ["x\ufffd", {"y": "\ufffd"}, 5, None, True]},
        ),
        (3.5, 3.5),
        (None, None),
    ],
)
def test_every_nul_is_replaced_wherever_it_is(value, kept):
    assert storable(value) == kept


def test_a_call_with_nul_in_a_message_is_recorded(demo, settings):
    """On PostgreSQL the record of such a call failed after the answer and was lost."""
    settings.PORTAL_TESTCALL_PROMPT_CHARS = 500
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    payload = json.dumps({"messages": [{"role": "user", "content": "a\u0000b"}]})
    _, events = send(
        client,
        demo,
        deployment=demo.deployments.get(name="Pangu NLP chat"),
        auth=auth_of(demo.accesses.get(name="team-all")),
        payload=payload,
    )
    assert named(events, "end")[0]["outcome"] == "ok"
    call = TestCall.objects.get()
    assert call.prompt_excerpt == "a\ufffdb"
    assert call.request_body["messages"][0]["content"] == "a\ufffdb"
