"""The parameter ranges of each API version (chat/bodies.py)."""

from __future__ import annotations

import json

import pytest

from chat.bodies import BodyError, parse_body


def body(**params) -> str:
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
        parse_body(body(**params), "v1")
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "params", [{"temperature": 0}, {"temperature": 1}, {"top_p": 1}, {"top_p": 0.01}]
)
def test_v1_accepts_the_edges_of_its_ranges(params):
    assert parse_body(body(**params), "v1") | params == parse_body(body(**params), "v1")


def test_v2_keeps_the_openai_ranges():
    assert parse_body(body(temperature=1.5, top_p=0), "v2")["temperature"] == 1.5
    with pytest.raises(BodyError, match=r"On V2, temperature must be a number from 0 to 2\."):
        parse_body(body(temperature=2.5), "v2")


@pytest.mark.parametrize("value", ["1", True, None, [1], "NaN"])
def test_a_parameter_that_is_not_a_number_is_refused(value):
    text = (
        body(temperature=value)
        if value != "NaN"
        else body().replace("}]", '}], "temperature": NaN', 1)
    )
    if value is None:
        assert parse_body(text, "v1")["temperature"] is None  # null means "not given"
        return
    with pytest.raises(BodyError, match="temperature must be"):
        parse_body(text, "v1")
