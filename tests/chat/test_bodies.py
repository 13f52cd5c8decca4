"""What a playground body may hold: one table of accepted and refused bodies.

Each refused case names the exact message the playground shows. To add a rule, add rows:
``ok(...)`` for a body that must pass, ``bad(..., message)`` for one that must not.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chat.bodies import ALLOWED, MAX_BODY_CHARS, BodyError, parse_body

MESSAGES = [{"role": "user", "content": "Hello"}]


def body(**fields: Any) -> dict[str, Any]:
    """A valid body with ``fields`` set on top (``messages`` included unless replaced)."""
    return {"messages": MESSAGES, **fields}


def ok(name: str, value: dict[str, Any] | list[Any]) -> Any:
    return pytest.param(value, None, id=f"ok-{name}")


def bad(name: str, value: Any, message: str) -> Any:
    return pytest.param(value, message, id=f"bad-{name}")


def number_rows(name: str, low: float, high: float) -> list[Any]:
    message = f"{name} must be a number from {low:g} to {high:g}."
    return [
        ok(f"{name}-low", body(**{name: low})),
        ok(f"{name}-high", body(**{name: high})),
        ok(f"{name}-inside", body(**{name: (low + high) / 2})),
        ok(f"{name}-int", body(**{name: int(high)})),
        bad(f"{name}-under", body(**{name: low - 0.01}), message),
        bad(f"{name}-over", body(**{name: high + 0.01}), message),
        bad(f"{name}-text", body(**{name: "1"}), message),
        bad(f"{name}-bool", body(**{name: True}), message),
    ]


def integer_rows(name: str, low: int, high: int) -> list[Any]:
    message = f"{name} must be a whole number from {low} to {high}."
    return [
        ok(f"{name}-low", body(**{name: low})),
        ok(f"{name}-high", body(**{name: high})),
        bad(f"{name}-under", body(**{name: low - 1}), message),
        bad(f"{name}-over", body(**{name: high + 1}), message),
        bad(f"{name}-float", body(**{name: float(low)}), message),
        bad(f"{name}-text", body(**{name: str(low)}), message),
        bad(f"{name}-bool", body(**{name: True}), message),
    ]


STREAM_OPTIONS = 'stream_options may only be {"include_usage": true or false}.'
USER = "user must be a string of 1 to 64 characters."

CASES = [
    ok("minimal", body()),
    ok("every-field", body(model="m", stream=True, stream_options={"include_usage": True})),
    ok(
        "roles",
        body(messages=[{"role": r, "content": "x"} for r in ("system", "user", "assistant")]),
    ),
    ok("no-role", body(messages=[{"content": ""}])),
    bad("list", [body()], "The body must be a JSON object."),
    bad("string", "hello", "The body must be a JSON object."),
    bad(
        "unknown-fields",
        body(url="http://127.0.0.1/", headers={}),
        f"Unknown field(s) headers, url. Allowed: {', '.join(sorted(ALLOWED))}.",
    ),
    # messages
    bad("no-messages", {"stream": False}, "messages must be a non-empty list."),
    bad("empty-messages", body(messages=[]), "messages must be a non-empty list."),
    bad("messages-text", body(messages="Hello"), "messages must be a non-empty list."),
    bad("message-text", body(messages=["Hello"]), "Message 1 needs a text content."),
    bad("content-number", body(messages=[{"content": 5}]), "Message 1 needs a text content."),
    bad("no-content", body(messages=[{"role": "user"}]), "Message 1 needs a text content."),
    bad(
        "second-message",
        body(messages=[*MESSAGES, {"role": "user", "content": None}]),
        "Message 2 needs a text content.",
    ),
    bad(
        "role",
        body(messages=[{"role": "tool", "content": "x"}]),
        "Message 1: role must be one of system, user, assistant.",
    ),
    bad(
        "extra-message-key",
        body(messages=[{"role": "user", "content": "x", "name": "bob"}]),
        "Message 1 may hold only role and content.",
    ),
    # numbers and whole numbers, each at and just past both ends
    *number_rows("temperature", 0.0, 2.0),
    *number_rows("top_p", 0.0, 1.0),
    *number_rows("presence_penalty", -2.0, 2.0),
    *number_rows("frequency_penalty", -2.0, 2.0),
    *integer_rows("max_tokens", 1, 1_000_000),
    *integer_rows("n", 1, 2),
    # stream and stream_options
    ok("stream-false", body(stream=False)),
    bad("stream-yes", body(stream="yes"), "stream must be true or false."),
    bad("stream-null", body(stream=None), "stream must be true or false."),
    bad("stream-one", body(stream=1), "stream must be true or false."),
    ok("options-null", body(stream_options=None)),
    ok("options-empty", body(stream_options={})),
    ok("options-false", body(stream_options={"include_usage": False})),
    bad("options-text", body(stream_options="include_usage"), STREAM_OPTIONS),
    bad("options-list", body(stream_options=["include_usage"]), STREAM_OPTIONS),
    bad("options-extra", body(stream_options={"include_usage": True, "x": 1}), STREAM_OPTIONS),
    bad("options-not-bool", body(stream_options={"include_usage": "yes"}), STREAM_OPTIONS),
    # user
    ok("user-1", body(user="u")),
    ok("user-64", body(user="u" * 64)),
    bad("user-empty", body(user=""), USER),
    bad("user-65", body(user="u" * 65), USER),
    bad("user-number", body(user=5), USER),
    bad("user-null", body(user=None), USER),
]


@pytest.mark.parametrize(("value", "message"), CASES)
def test_body_table(value: Any, message: str | None) -> None:
    text = json.dumps(value)
    if message is None:
        assert parse_body(text) == value
        return
    with pytest.raises(BodyError) as caught:
        parse_body(text)
    assert str(caught.value) == message


def padded(length: int) -> str:
    """A valid body exactly ``length`` characters long (JSON allows trailing spaces)."""
    text = json.dumps(body())
    return text + " " * (length - len(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "The body is not valid JSON: Expecting value (line 1).", id="empty"),
        pytest.param(
            '{"messages": []\n,',
            "The body is not valid JSON: Expecting property name enclosed in double quotes"
            " (line 2).",
            id="line-2",
        ),
        pytest.param("9" * 5000, "The body is not JSON the portal can read.", id="huge-number"),
        pytest.param("[" * 100_000, "The body is not JSON the portal can read.", id="deep"),
        pytest.param(
            padded(MAX_BODY_CHARS + 1),
            f"The body is longer than {MAX_BODY_CHARS} characters.",
            id="one-over-the-limit",
        ),
    ],
)
def test_unreadable_text(text: str, message: str) -> None:
    with pytest.raises(BodyError) as caught:
        parse_body(text)
    assert str(caught.value) == message


def test_a_body_exactly_at_the_size_limit_passes() -> None:
    assert parse_body(padded(MAX_BODY_CHARS)) == body()
