"""V2 (OpenAI-compatible) chat completions, including the official openai client."""

from __future__ import annotations

from typing import Any

import openai
import pytest

QUESTION = {"messages": [{"role": "user", "content": "How should I plan a small garden?"}]}


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code
    return body


def test_non_stream_has_the_v1_shape_and_the_same_answer(api: Any) -> None:
    v2 = api.v2(QUESTION)
    assert v2.status_code == 200
    body = v2.json()
    v1 = api.v1("chat-model", QUESTION).json()
    assert set(body) == set(v1)
    assert body["object"] == "chat.completion"
    assert body["model"] == "chat-model"
    assert body["choices"] == v1["choices"]
    assert body["usage"] == v1["usage"]


def test_max_tokens_and_n(api: Any) -> None:
    body = api.v2({**QUESTION, "max_tokens": 4, "n": 2}).json()
    assert [c["finish_reason"] for c in body["choices"]] == ["length", "length"]
    assert body["usage"]["completion_tokens"] == 8


def _v2_stream(api: Any, body: dict[str, Any], sse_json: Any) -> tuple[list[str], list[Any]]:
    response = api.v2({**body, "stream": True}, stream=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    lines = api.lines(response)
    assert lines[-1] == "data: [DONE]"
    chunks = [sse_json(line, "data: ") for line in lines[:-1]]
    return lines, chunks


def test_stream_openai_form(api: Any, sse_json: Any) -> None:
    whole = api.v2(QUESTION).json()["choices"][0]["message"]["content"]
    lines, chunks = _v2_stream(api, QUESTION, sse_json)
    assert all(line.startswith("data: ") for line in lines)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    for chunk in chunks:
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["model"] == "chat-model"
        assert "message" not in chunk["choices"][0]
    assert [c["choices"][0]["finish_reason"] for c in chunks[:-1]] == [None] * (len(chunks) - 1)
    assert chunks[-1]["choices"][0] == {
        "index": 0,
        "delta": {},
        "logprobs": None,
        "finish_reason": "stop",
    }
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == whole
    assert len([c for c in chunks if c["choices"][0]["delta"].get("content")]) == 8
    assert all("usage" not in c for c in chunks)  # only when asked for


def test_stream_usage_chunk_when_asked(api: Any, sse_json: Any) -> None:
    usage = api.v2({**QUESTION, "max_tokens": 6}).json()["usage"]
    _, chunks = _v2_stream(
        api, {**QUESTION, "max_tokens": 6, "stream_options": {"include_usage": True}}, sse_json
    )
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"] == usage
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"
    assert all(c["usage"] is None for c in chunks[:-1])


# --- auth and errors -----------------------------------------------------------


def test_missing_authorization_is_apig_0303(api: Any) -> None:
    _error(api.v2(QUESTION, headers={}), 401, "APIG.0303")


def test_token_auth_is_refused_on_v2(api: Any) -> None:
    body = _error(api.v2(QUESTION, headers={"X-Auth-Token": api.token()}), 401, "APIG.0303")
    assert "not supported on V2" in body["error_msg"]


@pytest.mark.parametrize(
    "authorization", ["Bearer WrongKey0123456789abcdefXYZ", "Basic dXNlcjpwYXNz", "Bearer "]
)
def test_bad_authorization_is_apig_0303(api: Any, authorization: str) -> None:
    response = api.v2(QUESTION, headers={"Authorization": authorization})
    body = _error(response, 401, "APIG.0303")
    assert "WrongKey0123456789abcdefXYZ" not in body["error_msg"]


def test_key_not_bound_is_apig_0304(api: Any) -> None:
    key = api.key("chat-only")
    assert api.v2(QUESTION, key=key).status_code == 200
    response = api.v2({**QUESTION, "model": "edge-node-chat"}, key=key)
    _error(response, 403, "APIG.0304")
    assert key not in response.text


def test_model_is_required_and_must_exist(api: Any) -> None:
    _error(api.v2({**QUESTION, "model": None}), 400, "PANGU.3278")
    _error(api.v2({**QUESTION, "model": ""}), 400, "PANGU.3278")
    _error(api.v2({**QUESTION, "model": 7}), 400, "PANGU.0010")
    _error(api.v2({**QUESTION, "model": "no-such-model"}), 404, "PANGU.3254")
    _error(api.v2({**QUESTION, "model": "v1-only"}), 404, "PANGU.3254")  # no V2 on it


def test_not_running_is_pangu_3259(api: Any) -> None:
    _error(api.v2({**QUESTION, "model": "stopped-model"}), 400, "PANGU.3259")


def test_body_errors(api: Any) -> None:
    _error(api.v2({"model": "chat-model"}), 400, "PANGU.3278")
    _error(api.v2({**QUESTION, "n": 2, "stream": True}), 400, "PANGU.3321")
    _error(api.v2({**QUESTION, "temperature": -0.1}), 400, "PANGU.0010")
    response = api.http.post(
        api.sim.url + "/api/v2/chat/completions",
        data=b"{oops",
        headers={"Authorization": f"Bearer {api.key('all')}"},
    )
    _error(response, 400, "PANGU.0010")


def test_edge_prefixes(api: Any) -> None:
    body = {**QUESTION, "model": "edge-lb-chat"}
    assert api.v2(body, prefix="/edge/lb").status_code == 200
    _error(api.v2(body), 404, "PANGU.3254")
    _error(api.v2(QUESTION, prefix="/edge/lb"), 404, "PANGU.3254")
    assert api.v2({**QUESTION, "model": "edge-node-chat"}).status_code == 200


# --- the official openai client ---------------------------------------------------


@pytest.fixture
def openai_client(sim: Any, api: Any) -> Any:
    http_client = openai.DefaultHttpx2Client(trust_env=False, timeout=10)
    client = openai.OpenAI(
        api_key=api.key("all"),
        base_url=sim.url + "/api/v2",
        max_retries=0,
        timeout=10,
        http_client=http_client,
    )
    yield client
    client.close()


def test_openai_client_non_stream(openai_client: Any, api: Any) -> None:
    completion = openai_client.chat.completions.create(
        model="chat-model", messages=QUESTION["messages"]
    )
    expected = api.v2(QUESTION).json()
    assert completion.model == "chat-model"
    assert completion.choices[0].message.content == expected["choices"][0]["message"]["content"]
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.total_tokens == expected["usage"]["total_tokens"]


def test_openai_client_stream(openai_client: Any, api: Any) -> None:
    stream = openai_client.chat.completions.create(
        model="chat-model",
        messages=QUESTION["messages"],
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, finish, usage = [], None, None
    for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage:
            usage = chunk.usage
    expected = api.v2(QUESTION).json()
    assert "".join(pieces) == expected["choices"][0]["message"]["content"]
    assert finish == "stop"
    assert usage.completion_tokens == expected["usage"]["completion_tokens"]


def test_openai_client_sees_gateway_errors(sim: Any) -> None:
    client = openai.OpenAI(
        api_key="WrongKey0123456789abcdefXYZ",
        base_url=sim.url + "/api/v2",
        max_retries=0,
        timeout=10,
        http_client=openai.DefaultHttpx2Client(trust_env=False),
    )
    with pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model="chat-model", messages=QUESTION["messages"])
    assert info.value.status_code == 401
    client.close()
