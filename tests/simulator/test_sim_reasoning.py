"""A reasoning deployment: reasoning_content beside content, whole and streamed."""

from __future__ import annotations

from typing import Any

QUESTION = {"messages": [{"role": "user", "content": "How should I plan a small garden?"}]}


def test_a_whole_answer_carries_its_reasoning_and_counts_it(api: Any) -> None:
    body = api.v2({**QUESTION, "model": "reasoning-model"}).json()
    message = body["choices"][0]["message"]
    assert message["reasoning_content"] and message["content"]
    assert message["reasoning_content"] not in message["content"]
    usage = body["usage"]
    reasoned = usage["completion_tokens_details"]["reasoning_tokens"]
    assert 0 < reasoned < usage["completion_tokens"]
    # The same request to a plain model thinks nothing.
    plain = api.v2(QUESTION).json()
    assert "reasoning_content" not in plain["choices"][0]["message"]
    assert "completion_tokens_details" not in plain["usage"]


def test_a_v2_stream_sends_the_reasoning_first_in_deltas(api: Any, sse_json: Any) -> None:
    body = {**QUESTION, "model": "reasoning-model", "stream": True}
    body["stream_options"] = {"include_usage": True}
    response = api.v2(body, stream=True)
    chunks = [sse_json(line, "data: ") for line in api.lines(response)[:-1]]
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    kinds = [k for d in deltas for k in ("reasoning_content", "content") if d.get(k)]
    assert kinds[0] == "reasoning_content" and kinds[-1] == "content"
    assert kinds == sorted(kinds, key=lambda k: k != "reasoning_content")  # never mixed
    whole = api.v2({**QUESTION, "model": "reasoning-model"}).json()["choices"][0]["message"]
    assert "".join(d.get("reasoning_content", "") for d in deltas) == whole["reasoning_content"]
    assert "".join(d.get("content", "") for d in deltas) == whole["content"]
    assert chunks[-1]["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0


def test_a_v1_stream_sends_the_reasoning_in_messages(api: Any, sse_json: Any) -> None:
    response = api.v1("reasoning-model", {**QUESTION, "stream": True}, stream=True)
    lines = [line for line in api.lines(response) if line.startswith("data:{")]
    messages = [sse_json(line, "data:")["choices"][0]["message"] for line in lines]
    assert "reasoning_content" in messages[0] and "content" in messages[-1]
    last_usage = sse_json(lines[-1], "data:")["usage"]
    assert last_usage["completion_tokens_details"]["reasoning_tokens"] > 0
