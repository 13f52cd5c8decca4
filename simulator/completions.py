"""Chat completion bodies: validation, deterministic answers, V1 and V2 shapes.

Answers are derived from a hash of (model, messages, choice index), so the same
request always gets the same text. Token counts are roughly words: the answer's
tokens are its whitespace-separated words, the prompt's are words, CJK
characters and punctuation marks, plus two per message for the chat template.

V1 (Pangu) streams `data:{json}` lines (no space) carrying the new text in
`choices[].message.content` and the running `usage`; V2 streams the OpenAI form
`data: {json}` with `delta`. Both end with a [DONE] line.

A reasoning deployment (``"reasoning": true`` in the state) thinks first, as the
third-party reasoning models on the platform do: non-stream answers carry
``message.reasoning_content`` beside ``content``; streams send the reasoning in its own
chunks first (``delta.reasoning_content`` on V2, ``message.reasoning_content`` on V1),
then the content; usage counts it in ``completion_tokens`` and says how much in
``completion_tokens_details.reasoning_tokens``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from simulator.errors import parameter_illegal, parameter_missing, service_error
from simulator.wire import encode_json

Api = Literal["v1", "v2"]

MAX_QUESTION_CHARS = 4096
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[tuple[str, str], ...]  # (role, text)
    stream: bool = False
    n: int = 1
    max_tokens: int | None = None
    include_usage: bool = False  # V2 stream_options.include_usage


@dataclass(frozen=True)
class Choice:
    index: int
    pieces: tuple[str, ...]  # one per token, leading whitespace attached
    finish_reason: str
    reasoning_pieces: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_pieces)


@dataclass(frozen=True)
class Completion:
    id: str
    created: int
    model: str
    prompt_tokens: int
    choices: tuple[Choice, ...]

    @property
    def completion_tokens(self) -> int:
        return sum(len(c.pieces) + len(c.reasoning_pieces) for c in self.choices)

    @property
    def reasoning_tokens(self) -> int:
        return sum(len(c.reasoning_pieces) for c in self.choices)


# --- request validation ----------------------------------------------------


def decode_json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise parameter_illegal("the request body is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise parameter_illegal("the request body must be a JSON object")
    return payload


def parse_chat_request(payload: Mapping[str, Any]) -> ChatRequest:
    """Validate the body fields both APIs share, in the order the service checks them."""
    messages = _messages(payload.get("messages"))
    total = sum(len(text) for _, text in messages)
    if not 1 <= total <= MAX_QUESTION_CHARS:
        raise service_error(
            400,
            "PANGU.3318",
            f"The total length of the question must be 1 to {MAX_QUESTION_CHARS}, got {total}.",
        )
    stream = _optional(payload, "stream", bool, False)
    n = _optional(payload, "n", int, 1)
    if stream and n != 1:
        raise service_error(400, "PANGU.3321", "n can only be 1 when stream is true.")
    if not stream and n not in (1, 2):
        raise service_error(400, "PANGU.3320", "n can only be 1 or 2 when stream is false.")
    _ranged(payload, "temperature", 0.0, 1.0)
    _ranged(payload, "top_p", 0.0, 1.0, low_open=True)
    _ranged(payload, "presence_penalty", -2.0, 2.0)
    _ranged(payload, "frequency_penalty", -2.0, 2.0)
    max_tokens = _optional(payload, "max_tokens", int, None)
    if max_tokens is not None and max_tokens < 1:
        raise parameter_illegal("max_tokens must be at least 1")
    user = _optional(payload, "user", str, None)
    if user is not None and not 1 <= len(user) <= 64:
        raise parameter_illegal("user must be 1 to 64 characters")
    options = _optional(payload, "stream_options", dict, {})
    return ChatRequest(
        messages=messages,
        stream=stream,
        n=n,
        max_tokens=max_tokens,
        include_usage=options.get("include_usage") is True,
    )


def _messages(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        raise parameter_missing("messages")
    if not isinstance(value, list):
        raise parameter_illegal("messages must be a list")
    parsed = []
    for i, message in enumerate(value):
        if not isinstance(message, dict):
            raise parameter_illegal(f"messages[{i}] must be an object")
        # The console's own V1 example omits the role, so it defaults to user.
        role = message.get("role", "user")
        if role not in ROLES:
            raise parameter_illegal(f"messages[{i}].role must be one of {', '.join(ROLES)}")
        parsed.append((role, _content_text(message.get("content"), i)))
    return tuple(parsed)


def _content_text(content: Any, i: int) -> str:
    if isinstance(content, str):
        return content
    # OpenAI-style clients may send content as a list of text parts.
    if isinstance(content, list) and all(
        isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
        for p in content
    ):
        return "".join(p["text"] for p in content)
    raise parameter_illegal(f"messages[{i}].content must be a string")


def _optional(payload: Mapping[str, Any], name: str, kind: type, default: Any) -> Any:
    value = payload.get(name)
    if value is None:
        return default
    # bool is an int subclass; a JSON true is not a count.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise parameter_illegal(f"{name} must be of type {kind.__name__}")
    return value


def _ranged(
    payload: Mapping[str, Any], name: str, low: float, high: float, low_open: bool = False
) -> None:
    value = payload.get(name)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise parameter_illegal(f"{name} must be a number")
    if value > high or value < low or (low_open and value == low):
        bracket = "(" if low_open else "["
        raise parameter_illegal(f"{name} must be in {bracket}{low:g}, {high:g}]")


# --- deterministic answers -------------------------------------------------

_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]")
_PIECE_RE = re.compile(r"\s*\S+")

_OPENERS = (
    "Here is a short answer about",
    "You asked about",
    "Let me think about",
    "A quick note on",
    "Some thoughts on",
)
_SENTENCES = (
    "The key point is that {a} {b} usually matters more than {c}.",
    "In practice, {a} {b} works best when you start small and measure the result.",
    "Most teams find that {c} become clear once {a} {b} is written down.",
    "A simple rule of thumb is to keep {b} {a} and to review it often.",
    "If in doubt, compare {c} with the cost of {a} {b} before deciding.",
    "It also helps to note which assumptions about {c} still hold today.",
    "Start from {c}, then add {a} {b} one step at a time.",
)
_ADJECTIVES = ("careful", "clear", "steady", "simple", "consistent", "explicit")
_NOUNS = ("planning", "testing", "configuration", "monitoring", "documentation", "design")
_OBJECTS = ("the details", "the edge cases", "the overall costs", "the defaults", "the trade-offs")


def count_tokens(text: str) -> int:
    return len(_TOKEN_RE.findall(text))


def answer_text(model: str, messages: tuple[tuple[str, str], ...], index: int) -> str:
    """A few sentences about the last user message, fixed by a hash of the request."""
    digest = hashlib.sha256(json.dumps([model, messages, index]).encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    question = next((text for role, text in reversed(messages) if role == "user"), messages[-1][1])
    words = question.split()
    topic = " ".join(words[:8]) + (" ..." if len(words) > 8 else "")
    if len(words) <= 1:  # one word, or a language written without spaces
        topic = question.strip()[:24]
    sentences = [f'{rng.choice(_OPENERS)} "{topic}".']
    for template in rng.sample(_SENTENCES, 4):
        sentences.append(
            template.format(a=rng.choice(_ADJECTIVES), b=rng.choice(_NOUNS), c=rng.choice(_OBJECTS))
        )
    sentences.append("Hope this helps.")
    return " ".join(sentences)


def reasoning_text(messages: tuple[tuple[str, str], ...]) -> str:
    """What a reasoning model thinks before it answers: short, fixed by the request."""
    turns = sum(1 for role, _ in messages if role == "user")
    return (
        f"The user wrote {turns} message{'s' if turns != 1 else ''}. "
        "I should answer the last one briefly, then offer one practical next step."
    )


def complete(request: ChatRequest, model: str, *, reasoning: bool = False) -> Completion:
    choices = []
    for index in range(request.n):
        pieces = tuple(_PIECE_RE.findall(answer_text(model, request.messages, index)))
        finish = "stop"
        if request.max_tokens is not None and len(pieces) > request.max_tokens:
            pieces, finish = pieces[: request.max_tokens], "length"
        thought = tuple(_PIECE_RE.findall(reasoning_text(request.messages))) if reasoning else ()
        choices.append(Choice(index, pieces, finish, thought))
    prompt_tokens = sum(count_tokens(text) + 2 for _, text in request.messages)
    return Completion(
        id=f"chat-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=model,
        prompt_tokens=prompt_tokens,
        choices=tuple(choices),
    )


def split_for_stream(choice: Choice, chunks: int) -> list[tuple[str, int]]:
    """The choice's text in up to `chunks` parts: (text, tokens sent so far)."""
    count = min(max(chunks, 1), len(choice.pieces))
    bounds = [round(i * len(choice.pieces) / count) for i in range(count + 1)]
    return [
        ("".join(choice.pieces[bounds[i] : bounds[i + 1]]), bounds[i + 1]) for i in range(count)
    ]


# --- response shapes -------------------------------------------------------


def usage(prompt_tokens: int, completion_tokens: int, reasoning_tokens: int = 0) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if reasoning_tokens:
        figures["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return figures


def _message(choice: Choice) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": choice.text}
    if choice.reasoning_pieces:
        message["reasoning_content"] = choice.reasoning
    return message | {"tool_calls": []}


def completion_body(completion: Completion) -> dict[str, Any]:
    """The non-stream body; V2 answers in the same shape as V1."""
    return {
        "id": completion.id,
        "object": "chat.completion",
        "created": completion.created,
        "model": completion.model,
        "choices": [
            {
                "index": choice.index,
                "message": _message(choice),
                "logprobs": None,
                "finish_reason": choice.finish_reason,
                "stop_reason": None,
            }
            for choice in completion.choices
        ],
        "usage": usage(
            completion.prompt_tokens, completion.completion_tokens, completion.reasoning_tokens
        ),
        "prompt_logprobs": None,
    }


def v1_chunk(
    completion: Completion,
    text: str,
    finish_reason: str | None,
    tokens_so_far: int,
    reasoning_so_far: int = 0,
    *,
    field: str = "content",
) -> dict[str, Any]:
    return {
        "id": completion.id,
        "object": "chat.completion.chunk",
        "created": completion.created,
        "model": completion.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", field: text},
                "logprobs": None,
                "finish_reason": finish_reason,
                "stop_reason": None,
            }
        ],
        "usage": usage(completion.prompt_tokens, tokens_so_far, reasoning_so_far),
    }


def v2_chunk(
    completion: Completion,
    delta: dict[str, str],
    finish_reason: str | None,
    include_usage: bool = False,
) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "id": completion.id,
        "object": "chat.completion.chunk",
        "created": completion.created,
        "model": completion.model,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }
    if include_usage:  # OpenAI form: null on every chunk but the final usage chunk
        chunk["usage"] = None
    return chunk


def sse_frame(api: Api, payload: Any) -> bytes:
    """One event: V1 writes `data:` without a space, V2 (OpenAI) with one."""
    prefix = b"data:" if api == "v1" else b"data: "
    return prefix + encode_json(payload) + b"\n\n"


def done_frame(api: Api) -> bytes:
    return b"data:[DONE]\n\n" if api == "v1" else b"data: [DONE]\n\n"


def stream_frames(
    api: Api,
    request: ChatRequest,
    completion: Completion,
    chunks: int,
    pause: Callable[[int], None],
) -> Iterator[bytes]:
    """The stream's events; pause(k) runs before the k-th chunk (reasoning, then content)
    is built."""
    choice = completion.choices[0]
    parts = split_for_stream(choice, chunks)
    last = len(parts) - 1
    if api == "v2":
        role = {"role": "assistant", "content": ""}
        yield sse_frame(api, v2_chunk(completion, role, None, request.include_usage))
    thought = Choice(choice.index, choice.reasoning_pieces, "") if choice.reasoning_pieces else None
    thinking = split_for_stream(thought, chunks) if thought else []
    for k, (text, reasoning_so_far) in enumerate(thinking):
        pause(k)
        if api == "v1":
            chunk = v1_chunk(
                completion,
                text,
                None,
                reasoning_so_far,
                reasoning_so_far,
                field="reasoning_content",
            )
        else:
            chunk = v2_chunk(completion, {"reasoning_content": text}, None, request.include_usage)
        yield sse_frame(api, chunk)
    reasoned = len(choice.reasoning_pieces)
    for k, (text, tokens_so_far) in enumerate(parts, start=len(thinking)):
        pause(k)
        if api == "v1":
            finish = choice.finish_reason if k - len(thinking) == last else None
            yield sse_frame(
                api, v1_chunk(completion, text, finish, tokens_so_far + reasoned, reasoned)
            )
            if k == len(thinking):
                # The platform may interleave event: lines; clients must skip them.
                yield b"event:ping\n\n"
        else:
            chunk = v2_chunk(completion, {"content": text}, None, request.include_usage)
            yield sse_frame(api, chunk)
    if api == "v2":
        yield sse_frame(api, v2_chunk(completion, {}, choice.finish_reason, request.include_usage))
        if request.include_usage:
            tail = v2_chunk(completion, {}, None) | {"choices": []}
            tail["usage"] = usage(
                completion.prompt_tokens, completion.completion_tokens, completion.reasoning_tokens
            )
            yield sse_frame(api, tail)
    yield done_frame(api)
