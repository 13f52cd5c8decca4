"""The compare page: the body every column sends, and a past call opened in it."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chat.compare import compare_body
from chat.models import TestCall
from tests.playground_helpers import auth_of, body, send


@pytest.fixture
def member(demo):
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    return client


def page_body(page: str) -> dict:
    text = re.search(r'<textarea id="cmp-body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    return json.loads(html.unescape(text))


def test_the_body_is_always_streamed_and_names_no_model():
    sent = json.loads(compare_body(None))
    assert sent["stream"] is True and "model" not in sent and sent["messages"]
    replayed = {"body": {"messages": [{"role": "user", "content": "hi"}], "stream": False}}
    assert json.loads(compare_body(replayed)) == {
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
    }


def test_a_past_call_opens_in_compare_with_its_conversation(demo, member):
    team = demo.accesses.get(name="team-all")
    chat = demo.deployments.get(name="Pangu NLP chat")
    conversation = body(messages=[{"role": "user", "content": "Compare me"}])
    _, events = send(
        member, demo, deployment=chat, version="v2", auth=auth_of(team), payload=conversation
    )
    call = TestCall.objects.get(code=events[-1][1]["test_call"])

    page = member.get(f"/w/{demo.code}/playground/compare/?replay={call.code}").content.decode()
    sent = page_body(page)
    assert sent["messages"] == [{"role": "user", "content": "Compare me"}]
    assert sent["stream"] is True and "model" not in sent
    assert f'data-first="{chat.code}"' in page
    assert team.api_key() not in page


@pytest.mark.parametrize("code", ["nonsense", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_call_gives_the_example(demo, member, code):
    answer = member.get(f"/w/{demo.code}/playground/compare/?replay={code}")
    assert answer.status_code == 200
    assert page_body(answer.content.decode())["stream"] is True
