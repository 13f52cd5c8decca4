"""Test calls through the API against the simulator over a real socket."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from accessportal.examples import SEED_PROMPT
from chat.models import TestCall
from tests.api.conftest import ws_url
from tests.playground_helpers import named, parse_sse, start_of_a_rate_window


@pytest.fixture
def member_api(demo, api_for):
    return api_for(User.objects.get(username="demo-member"), write=True)


def payload(access, *, stream=False, version="v1"):
    body = {"messages": [{"role": "user", "content": SEED_PROMPT}], "max_tokens": 20}
    return {"version": version, "access": str(access.code), "body": body | {"stream": stream}}


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_test_call_answers_json_and_is_recorded(demo, member_api, version):
    deployment = demo.deployments.get(name="Pangu NLP chat")
    access = demo.accesses.get(name="team-all")
    answer = member_api.post(
        ws_url(demo, f"/deployments/{deployment.code}/test"), payload(access, version=version)
    )
    assert answer.status_code == 200, answer.content
    result = answer.json()
    assert result["status"] == 200
    assert result["outcome"] == "ok"
    assert result["text"]
    assert result["usage"]["total_tokens"] > 0
    assert result["error"] is None
    call = TestCall.objects.get(code=result["test_call"])
    assert (call.api_version, call.username, call.status_code) == (version, "demo-member", 200)
    assert call.origin == "api"
    assert access.api_key() not in answer.content.decode()


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("stream", [False, True])
def test_the_json_answer_carries_a_reasoning_models_thoughts_apart(
    demo, member_api, version, stream
):
    reasoner = demo.deployments.get(name="DeepSeek R1 (reasoning)")
    access = demo.accesses.get(name="team-all")
    answer = member_api.post(
        ws_url(demo, f"/deployments/{reasoner.code}/test"),
        payload(access, version=version, stream=stream),
    )
    assert answer.status_code == 200, answer.content
    result = answer.json()
    assert result["outcome"] == "ok"
    assert result["reasoning_content"] and result["text"]
    assert result["reasoning_content"] not in result["text"]
    assert result["usage"]["reasoning_tokens"] > 0


def test_a_plain_model_answers_no_reasoning(demo, member_api):
    deployment = demo.deployments.get(name="Pangu NLP chat")
    access = demo.accesses.get(name="team-all")
    answer = member_api.post(ws_url(demo, f"/deployments/{deployment.code}/test"), payload(access))
    assert answer.json()["reasoning_content"] is None


def test_a_test_call_streams_the_playground_events(demo, member_api):
    deployment = demo.deployments.get(name="Pangu NLP chat")
    access = demo.accesses.get(name="team-all")
    answer = member_api.post(
        ws_url(demo, f"/deployments/{deployment.code}/test"),
        payload(access, stream=True),
        HTTP_ACCEPT="text/event-stream",
    )
    assert answer["Content-Type"].startswith("text/event-stream")
    events = parse_sse(b"".join(answer.streaming_content))
    assert events[0][0] == "start"
    assert named(events, "delta")
    assert named(events, "end")[0]["status"] == 200
    assert access.api_key() not in str(events)


def test_an_upstream_error_comes_back_with_its_hint(demo, member_api):
    deployment = demo.deployments.get(name="Pangu NLP chat")
    wrong = demo.accesses.get(name="team-all")
    wrong.set_api_key("not-the-right-key-123456")  # the platform does not know this one
    wrong.save()
    answer = member_api.post(ws_url(demo, f"/deployments/{deployment.code}/test"), payload(wrong))
    assert answer.status_code == 200  # the call was made; the platform refused it
    result = answer.json()
    assert result["outcome"] == "error"
    assert result["error"]["code"] == "APIG.0303"
    assert result["error"]["hint"]
    assert TestCall.objects.get(code=result["test_call"]).error_code == "APIG.0303"


def test_a_call_the_catalog_forbids_is_refused_before_leaving(demo, member_api):
    stopped = demo.deployments.exclude(status="running").first()
    access = demo.accesses.get(name="team-all")
    answer = member_api.post(ws_url(demo, f"/deployments/{stopped.code}/test"), payload(access))
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "not_callable"
    assert "deployment" in answer.json()["error"]["details"]
    assert not TestCall.objects.exists()


def test_api_calls_share_the_playground_rate_limit(demo, member_api, settings):
    settings.PORTAL_PLAYGROUND_RATE_LIMIT = 1
    start_of_a_rate_window()
    deployment = demo.deployments.get(name="Pangu NLP chat")
    access = demo.accesses.get(name="team-all")
    url = ws_url(demo, f"/deployments/{deployment.code}/test")
    assert member_api.post(url, payload(access)).status_code == 200
    limited = member_api.post(url, payload(access))
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "throttled"
    assert TestCall.objects.count() == 1
