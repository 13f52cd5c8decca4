"""What a playground body may hold: one table of accepted and refused bodies, per API
version where the rules differ (chat/bodies.py).

Each refused case names the exact message the playground shows. To add a rule, add rows:
``ok(...)`` for a body that must pass, ``bad(..., message)`` for one that must not.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from accessportal.callpaths import V1, V2, VERSIONS
from chat.bodies import ALLOWED, MAX_BODY_CHARS, NUMBERS_BY_VERSION, BodyError, Range, parse_body

MESSAGES = [{"role": "user", "content": "Hello"}]


def body(**fields: Any) -> dict[str, Any]:
    """A valid body with ``fields`` set on top (``messages`` included unless replaced)."""
    return {"messages": MESSAGES, **fields}


def ok(name: str, value: dict[str, Any] | list[Any], version: str = V2) -> Any:
    return pytest.param(value, None, version, id=f"ok-{version}-{name}")


def bad(name: str, value: Any, message: str, version: str = V2) -> Any:
    return pytest.param(value, message, version, id=f"bad-{version}-{name}")


def number_rows(version: str, name: str, allowed: Range) -> list[Any]:
    """Both ends (an open low end refused), the middle, and just past each end."""
    low, high = allowed.low, allowed.high
    words = (
        f"a number greater than {low:g} and at most {high:g}"
        if allowed.low_open
        else f"a number from {low:g} to {high:g}"
    )
    message = f"On {version.upper()}, {name} must be {words}."
    at_low = body(**{name: low})
    return [
        bad(f"{name}-low", at_low, message, version)
        if allowed.low_open
        else ok(f"{name}-low", at_low, version),
        ok(f"{name}-just-above-low", body(**{name: low + 0.01}), version),
        ok(f"{name}-high", body(**{name: high}), version),
        ok(f"{name}-inside", body(**{name: (low + high) / 2}), version),
        ok(f"{name}-int", body(**{name: int(high)}), version),
        bad(f"{name}-under", body(**{name: low - 0.01}), message, version),
        bad(f"{name}-over", body(**{name: high + 0.01}), message, version),
        bad(f"{name}-text", body(**{name: "1"}), message, version),
        bad(f"{name}-bool", body(**{name: True}), message, version),
        bad(f"{name}-list", body(**{name: [1]}), message, version),
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
    # numbers per version, and whole numbers, each at and just past both ends
    *[
        row
        for version in VERSIONS
        for name, allowed in NUMBERS_BY_VERSION[version].items()
        for row in number_rows(version, name, allowed)
    ],
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


@pytest.mark.parametrize(("value", "message", "version"), CASES)
def test_body_table(value: Any, message: str | None, version: str) -> None:
    text = json.dumps(value)
    if message is None:
        assert parse_body(text, version) == value
        return
    with pytest.raises(BodyError) as caught:
        parse_body(text, version)
    assert str(caught.value) == message


def test_an_unknown_version_is_checked_against_the_v2_ranges() -> None:
    assert parse_body(json.dumps(body(temperature=1.5)), "v3") == body(temperature=1.5)


def test_the_version_defaults_to_v2() -> None:
    assert parse_body(json.dumps(body(temperature=1.5))) == body(temperature=1.5)
    with pytest.raises(BodyError, match=r"^On V1, temperature must be a number from 0 to 1\.$"):
        parse_body(json.dumps(body(temperature=1.5)), V1)


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


# ------------------------------------------------ per-version ranges, case by case


def text_body(**params) -> str:
    return json.dumps({"messages": [{"role": "user", "content": "hi"}], **params})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"temperature": 1.5}, "On V1, temperature must be a number from 0 to 1."),
        ({"temperature": -0.1}, "On V1, temperature must be a number from 0 to 1."),
        ({"top_p": 0}, "On V1, top_p must be a number greater than 0 and at most 1."),
        ({"top_p": 1.01}, "On V1, top_p must be a number greater than 0 and at most 1."),
        ({"presence_penalty": 2.5}, "On V1, presence_penalty must be a number from -2 to 2."),
    ],
)
def test_v1_takes_the_platforms_narrower_ranges(params, message):
    with pytest.raises(BodyError) as refused:
        parse_body(text_body(**params), "v1")
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "params", [{"temperature": 0}, {"temperature": 1}, {"top_p": 1}, {"top_p": 0.01}]
)
def test_v1_accepts_the_edges_of_its_ranges(params):
    assert parse_body(text_body(**params), "v1") | params == parse_body(text_body(**params), "v1")


def test_v2_keeps_the_openai_ranges():
    assert parse_body(text_body(temperature=1.5, top_p=0), "v2")["temperature"] == 1.5
    with pytest.raises(BodyError, match=r"On V2, temperature must be a number from 0 to 2\."):
        parse_body(text_body(temperature=2.5), "v2")


@pytest.mark.parametrize("value", ["1", True, None, [1], "NaN"])
def test_a_parameter_that_is_not_a_number_is_refused(value):
    text = (
        text_body(temperature=value)
        if value != "NaN"
        else text_body().replace("}]", '}], "temperature": NaN', 1)
    )
    if value is None:
        assert parse_body(text, "v1")["temperature"] is None  # null means "not given"
        return
    with pytest.raises(BodyError, match="temperature must be"):
        parse_body(text, "v1")
