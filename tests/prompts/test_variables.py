"""The variable rules of saved prompts (prompts/variables.py), as tables."""

from __future__ import annotations

import pytest

from prompts.variables import FillError, fill, fill_text, names_in_text, variables_of


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Hello {{name}}", ["name"]),
        ("Hello {{ name }} and {{  other\t}}", ["name", "other"]),
        ("{{a}} {{b}} {{a}}", ["a", "b"]),  # a name used twice is one variable
        ("{{Name}} {{name}}", ["Name", "name"]),  # case-sensitive
        ("{{_x1}}", ["_x1"]),
        ("{{1x}} {{a-b}} {{ two words }} {{}}", []),  # not names: text
        ('{"a": {"b": 1}}', []),  # JSON in a message is text
        (r"\{{name}} is literal", []),
        (r"\{{name}} and {{name}}", ["name"]),
        ("{name} {{{name}}}", ["name"]),  # the inner pair is the variable
        ("", []),
    ],
)
def test_names_in_text(text, names):
    assert names_in_text(text) == names


@pytest.mark.parametrize(
    ("text", "values", "filled"),
    [
        ("Hi {{name}}!", {"name": "Ada"}, "Hi Ada!"),
        ("Hi {{ name }}, {{name}}", {"name": "Ada"}, "Hi Ada, Ada"),
        (r"Write \{{name}} for {{name}}", {"name": "Ada"}, "Write {{name}} for Ada"),
        ("{{a}}", {"a": "{{b}}"}, "{{b}}"),  # one pass: a value is not filled again
        ("{{a}}", {"a": r"\1 $1 \g<0>"}, r"\1 $1 \g<0>"),  # no regex escapes in values
        ("{{ two words }}", {}, "{{ two words }}"),
        ("{{missing}}", {}, "{{missing}}"),  # fill() refuses this first
    ],
)
def test_fill_text(text, values, filled):
    assert fill_text(text, values) == filled


def body(*contents, **params):
    return {"messages": [{"role": "user", "content": c} for c in contents], **params}


def test_variables_of_a_body_in_order_of_first_use():
    b = {
        "messages": [
            {"role": "system", "content": "You help {{ team }}."},
            {"role": "user", "content": "Dear {{name}} of {{team}}"},
            {"role": "assistant", "content": None},
        ],
        "temperature": 0.5,
    }
    assert variables_of(b) == ["team", "name"]
    assert variables_of({}) == [] and variables_of({"messages": "x"}) == []


def test_fill_changes_messages_only_and_leaves_the_body_alone():
    b = body("{{x}} and {{y}}", temperature=0.2, stop=["{{x}}"])
    filled = fill(b, {"x": "1", "y": "2"})
    assert filled["messages"][0]["content"] == "1 and 2"
    assert filled["stop"] == ["{{x}}"] and filled["temperature"] == 0.2
    assert b["messages"][0]["content"] == "{{x}} and {{y}}"


@pytest.mark.parametrize(
    ("values", "missing", "unknown"),
    [
        ({}, ("x", "y"), ()),
        ({"x": "1"}, ("y",), ()),
        ({"x": "1", "y": "   "}, ("y",), ()),  # blank is missing
        ({"x": "1", "y": "2", "z": "3"}, (), ("z",)),
        ({"y": "2", "Z": "3", "a": "4"}, ("x",), ("Z", "a")),
    ],
)
def test_fill_names_every_missing_and_unknown_variable(values, missing, unknown):
    with pytest.raises(FillError) as raised:
        fill(body("{{x}} {{y}}"), values)
    assert raised.value.missing == missing
    assert raised.value.unknown == unknown


def test_a_body_without_variables_fills_to_itself():
    b = body("plain", n=1)
    assert fill(b, {}) == b


def test_messages_without_text_are_kept_as_they_are():
    b = {
        "messages": [
            {"role": "user", "content": "{{x}}"},
            {"role": "assistant", "content": None},
            {"role": "user", "content": [{"type": "text", "text": "{{x}}"}]},
            "not a message",
        ]
    }
    assert fill(b, {"x": "1"}) == {
        "messages": [
            {"role": "user", "content": "1"},
            {"role": "assistant", "content": None},
            {"role": "user", "content": [{"type": "text", "text": "{{x}}"}]},
            "not a message",
        ]
    }


@pytest.mark.parametrize("not_a_body", [None, "{{x}}", ["{{x}}"], 1])
def test_something_that_is_not_a_body_has_no_variables(not_a_body):
    assert variables_of(not_a_body) == []
