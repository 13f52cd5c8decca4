"""V1 (Pangu) chat completions: shapes, stream format, auth and error codes, edge paths."""

from __future__ import annotations

import json
from typing import Any

import pytest

GATEWAY_ERROR_KEYS = {"error_msg", "error_code", "request_id"}
SERVICE_ERROR_KEYS = {"error_code", "error_msg"}
QUESTION = {"messages": [{"role": "user", "content": "How should I plan a small garden?"}]}


def _gateway_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == GATEWAY_ERROR_KEYS
    assert body["error_code"] == code
    assert body["request_id"]
    return body


def _service_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == SERVICE_ERROR_KEYS
    assert body["error_code"] == code
    return body


# --- answers ---------------------------------------------------------------


def test_non_stream_shape(api: Any) -> None:
    response = api.v1("chat-model", QUESTION)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"id", "object", "created", "model", "choices", "usage", "prompt_logprobs"}
    assert body["id"].startswith("chat-")
    assert body["object"] == "chat.completion"
    assert isinstance(body["created"], int)
    assert body["model"] == "chat-model"
    assert body["prompt_logprobs"] is None
    [choice] = body["choices"]
    assert choice == {
        "index": 0,
        "message": {"role": "assistant", "content": choice["message"]["content"], "tool_calls": []},
        "logprobs": None,
        "finish_reason": "stop",
        "stop_reason": None,
    }
    content = choice["message"]["content"]
    assert "How should I plan a small garden?" in content  # an answer about the prompt
    usage = body["usage"]
    assert usage["completion_tokens"] == len(content.split())  # tokens are roughly words
    assert 7 <= usage["prompt_tokens"] <= 20
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_answers_are_deterministic(api: Any) -> None:
    first = api.v1("chat-model", QUESTION).json()
    again = api.v1("chat-model", QUESTION).json()
    other = api.v1("chat-model", {"messages": [{"content": "Tell me about rivers"}]}).json()
    assert first["id"] != again["id"]
    assert first["choices"] == again["choices"]
    assert first["usage"] == again["usage"]
    assert other["choices"][0]["message"]["content"] != first["choices"][0]["message"]["content"]


def test_role_may_be_omitted_and_content_may_be_parts(api: Any) -> None:
    plain = api.v1("chat-model", {"messages": [{"content": "Hello there"}]})
    parts = api.v1(
        "chat-model",
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hello there"}]}]},
    )
    assert plain.status_code == parts.status_code == 200
    assert plain.json()["choices"] == parts.json()["choices"]


def test_max_tokens_truncates_with_finish_reason_length(api: Any) -> None:
    full = api.v1("chat-model", QUESTION).json()["choices"][0]["message"]["content"]
    body = api.v1("chat-model", {**QUESTION, "max_tokens": 5}).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 5
    assert choice["message"]["content"] == " ".join(full.split()[:5])


def test_n_two_gives_two_choices(api: Any) -> None:
    body = api.v1("chat-model", {**QUESTION, "n": 2}).json()
    first, second = body["choices"]
    assert (first["index"], second["index"]) == (0, 1)
    assert first["message"]["content"] != second["message"]["content"]
    words = sum(len(c["message"]["content"].split()) for c in body["choices"])
    assert body["usage"]["completion_tokens"] == words


def test_question_of_exactly_4096_characters_is_accepted(api: Any) -> None:
    response = api.v1("chat-model", {"messages": [{"content": "x" * 4000}, {"content": "y" * 96}]})
    assert response.status_code == 200


# --- stream ----------------------------------------------------------------


def _v1_stream(api: Any, body: dict[str, Any], sse_json: Any) -> tuple[Any, list[str], list[Any]]:
    response = api.v1("chat-model", {**body, "stream": True}, stream=True)
    assert response.status_code == 200
    lines = api.lines(response)
    chunks = [sse_json(line, "data:") for line in lines if line.startswith("data:{")]
    return response, lines, chunks


def test_stream_format(api: Any, sse_json: Any) -> None:
    whole = api.v1("chat-model", QUESTION).json()
    response, lines, chunks = _v1_stream(api, QUESTION, sse_json)
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert "Content-Length" not in response.headers
    for line in lines:
        assert line.startswith(("data:", "event:")), line
        assert not line.startswith("data: ")  # V1: no space after the colon
    assert lines[-1] == "data:[DONE]"
    assert any(line.startswith("event:") for line in lines)
    assert len(chunks) == 8  # the fixture's chunks knob
    prompt_tokens = whole["usage"]["prompt_tokens"]
    seen = 0
    for i, chunk in enumerate(chunks):
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["model"] == "chat-model"
        assert chunk["id"] == chunks[0]["id"]
        [choice] = chunk["choices"]
        assert "delta" not in choice
        assert choice["message"]["content"]
        assert choice["finish_reason"] == ("stop" if i == len(chunks) - 1 else None)
        usage = chunk["usage"]  # the running usage, repeated on every chunk
        assert usage["prompt_tokens"] == prompt_tokens
        assert usage["completion_tokens"] > seen
        assert usage["total_tokens"] == prompt_tokens + usage["completion_tokens"]
        seen = usage["completion_tokens"]
    text = "".join(c["choices"][0]["message"]["content"] for c in chunks)
    assert text == whole["choices"][0]["message"]["content"]
    assert chunks[-1]["usage"] == whole["usage"]


def test_stream_honours_max_tokens(api: Any, sse_json: Any) -> None:
    _, _, chunks = _v1_stream(api, {**QUESTION, "max_tokens": 3}, sse_json)
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["usage"]["completion_tokens"] == 3
    assert len("".join(c["choices"][0]["message"]["content"] for c in chunks).split()) == 3


# --- authentication and authorization ----------------------------------------


def test_no_credentials_is_apig_0301(api: Any) -> None:
    _gateway_error(api.v1("chat-model", headers={}), 401, "APIG.0301")


@pytest.mark.parametrize("key", ["WrongKey0123456789abcdefXYZ", ""])
def test_wrong_or_empty_key_is_apig_0303(api: Any, key: str) -> None:
    body = _gateway_error(api.v1("chat-model", headers={"X-Apig-AppCode": key}), 401, "APIG.0303")
    if key:
        assert key not in body["error_msg"]
        assert "Wron***fXYZ" in body["error_msg"]  # masked like the gateway does


def test_key_not_bound_to_the_deployment_is_apig_0304(api: Any) -> None:
    key = api.key("chat-only")
    assert api.v1("chat-model", headers={"X-Apig-AppCode": key}).status_code == 200
    response = api.v1("v1-only", headers={"X-Apig-AppCode": key})
    body = _gateway_error(response, 403, "APIG.0304")
    assert key not in response.text
    assert "***" in body["error_msg"]


def test_wrong_project_or_unknown_deployment_is_pangu_3254(api: Any) -> None:
    url = api.v1_url("chat-model", project_id="ffffffffffffffffffffffffffffffff")
    response = api.http.post(url, json=QUESTION, headers={"X-Apig-AppCode": api.key("all")})
    _service_error(response, 404, "PANGU.3254")
    url = api.v1_url("chat-model").replace(api.dep("chat-model").deployment_id, "0" * 32)
    response = api.http.post(url, json=QUESTION, headers={"X-Apig-AppCode": api.key("all")})
    _service_error(response, 404, "PANGU.3254")


@pytest.mark.parametrize("model", ["stopped-model", "deploying-model"])
def test_not_running_is_pangu_3259_400(api: Any, model: str) -> None:
    body = _service_error(api.v1(model, QUESTION), 400, "PANGU.3259")
    assert api.dep(model).status in body["error_msg"]


def test_unknown_paths_and_methods_are_apig_0101(api: Any) -> None:
    _gateway_error(api.http.get(api.v1_url("chat-model")), 404, "APIG.0101")
    _gateway_error(api.http.post(api.sim.url + "/v2/chat/completions"), 404, "APIG.0101")


# --- body validation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "PANGU.0010"),
        (b"[1, 2]", "PANGU.0010"),
        ({}, "PANGU.3278"),
        ({"messages": None}, "PANGU.3278"),
        ({"messages": "hello"}, "PANGU.0010"),
        ({"messages": ["hello"]}, "PANGU.0010"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, "PANGU.0010"),
        ({"messages": [{"role": "user", "content": 42}]}, "PANGU.0010"),
        ({"messages": []}, "PANGU.3318"),
        ({"messages": [{"content": ""}]}, "PANGU.3318"),
        ({"messages": [{"content": "x" * 4000}, {"content": "y" * 97}]}, "PANGU.3318"),
        ({**QUESTION, "temperature": 1.5}, "PANGU.0010"),
        ({**QUESTION, "temperature": "hot"}, "PANGU.0010"),
        ({**QUESTION, "top_p": 0}, "PANGU.0010"),
        ({**QUESTION, "max_tokens": 0}, "PANGU.0010"),
        ({**QUESTION, "max_tokens": "5"}, "PANGU.0010"),
        ({**QUESTION, "stream": "yes"}, "PANGU.0010"),
        ({**QUESTION, "presence_penalty": 2.5}, "PANGU.0010"),
        ({**QUESTION, "frequency_penalty": -3}, "PANGU.0010"),
        ({**QUESTION, "user": ""}, "PANGU.0010"),
        ({**QUESTION, "user": "u" * 65}, "PANGU.0010"),
        ({**QUESTION, "n": 3}, "PANGU.3320"),
        ({**QUESTION, "n": 0}, "PANGU.3320"),
        ({**QUESTION, "n": True}, "PANGU.0010"),
        ({**QUESTION, "n": 2, "stream": True}, "PANGU.3321"),
    ],
)
def test_bad_bodies(api: Any, body: Any, code: str) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = api.http.post(
        api.v1_url("chat-model"),
        data=data,
        headers={"X-Apig-AppCode": api.key("all"), "Content-Type": "application/json"},
    )
    _service_error(response, 400, code)


def test_valid_optional_fields_are_accepted(api: Any) -> None:
    body = {
        **QUESTION,
        "temperature": 0,
        "top_p": 1,
        "max_tokens": 50,
        "presence_penalty": -2,
        "frequency_penalty": 2,
        "user": "tester",
        "stream": False,
        "n": 1,
        "unknown_field": {"ignored": True},
    }
    assert api.v1("chat-model", body).status_code == 200


# --- addresses: cloud, edge load balancer, edge node, gateway prefix ---------------


def test_edge_lb_is_served_under_its_api_url_only(api: Any) -> None:
    response = api.v1("edge-lb-chat", QUESTION, prefix="/edge/lb")
    assert response.status_code == 200
    assert response.json()["model"] == "edge-lb-chat"
    _service_error(api.v1("edge-lb-chat", QUESTION), 404, "PANGU.3254")
    _service_error(api.v1("chat-model", QUESTION, prefix="/edge/lb"), 404, "PANGU.3254")
    _gateway_error(api.v1("edge-lb-chat", QUESTION, prefix="/edge/nowhere"), 404, "APIG.0101")


def test_edge_node_and_gateway_prefix(api: Any) -> None:
    assert api.v1("edge-node-chat", QUESTION).status_code == 200
    gateway = "/v1/infers/3f1c2a9e-0d4b-4c57-9a7e-6b1d2f3e4a5c"
    assert api.v1("chat-model", QUESTION, prefix=gateway).status_code == 200
    _service_error(api.v1("edge-node-chat", QUESTION, prefix=gateway), 404, "PANGU.3254")
