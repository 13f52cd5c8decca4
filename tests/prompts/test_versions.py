"""What changed between versions (prompts/versions.py), as tables."""

from __future__ import annotations

import pytest
from django.utils import translation

from prompts.versions import SNIPPET, changes, describe, snippet, summary


def snap(messages=(("user", "hi"),), name="p", description="", **params):
    return {
        "name": name,
        "description": description,
        "body": {"messages": [{"role": r, "content": c} for r, c in messages], **params},
    }


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        (snap(), snap(), []),
        (snap(name="a"), snap(name="b"), [["renamed", {"old": "a", "new": "b"}]]),
        (snap(description="x"), snap(description="y"), [["description", {}]]),
        (
            snap(),
            snap(messages=(("user", "hi"), ("assistant", "yo"))),
            [["message_added", {"n": 2, "role": "assistant"}]],
        ),
        (
            snap(messages=(("system", "s"), ("user", "hi"))),
            snap(messages=(("system", "s"),)),
            [["message_removed", {"n": 2, "role": "user"}]],
        ),
        (
            snap(),
            snap(messages=(("user", "hello"),)),
            [["message_text", {"n": 1, "role": "user", "old": "hi", "new": "hello"}]],
        ),
        (
            snap(),
            snap(messages=(("system", "hi"),)),
            [["message_role", {"n": 1, "old": "user", "new": "system"}]],
        ),
        (snap(), snap(temperature=0.5), [["parameter_set", {"name": "temperature", "new": "0.5"}]]),
        (snap(n=1), snap(), [["parameter_removed", {"name": "n", "old": "1"}]]),
        (
            snap(max_tokens=10, top_p=1),
            snap(max_tokens=20, top_p=1),
            [["parameter_changed", {"name": "max_tokens", "old": "10", "new": "20"}]],
        ),
    ],
)
def test_changes(old, new, found):
    assert changes(old, new) == found


def test_changes_list_every_difference_in_reading_order():
    old = snap(name="a", messages=(("user", "x"),), temperature=1)
    new = snap(name="b", messages=(("user", "y"), ("user", "z")), stream=True)
    assert [c[0] for c in changes(old, new)] == [
        "renamed",
        "message_text",
        "message_added",
        "parameter_set",
        "parameter_removed",
    ]


def test_snippets_are_short_and_on_one_line():
    long = "word " * 50
    assert len(snippet(long)) == SNIPPET and snippet(long).endswith("…")
    assert snippet("a\n\n b") == "a b"
    assert snippet(True) == "True"


def test_described_in_the_active_language():
    found = [
        ["restored", {"number": 2}],
        ["parameter_changed", {"name": "n", "old": "1", "new": "2"}],
    ]
    with translation.override("en"):
        assert summary(found) == "Restored from version 2. n: 1 → 2."
        assert summary([]) == "No change."
        assert describe(["created", {}]) == "Created."
    with translation.override("zh-hans"):
        assert "2" in summary(found) and "Restored" not in summary(found)


# What a person reads: every kind of change worded in full, in English and in Chinese.
WORDED = [
    (["created", {}], "Created.", "已创建。"),
    (["restored", {"number": 3}], "Restored from version 3.", "从版本 3 恢复。"),
    (
        ["renamed", {"old": "a", "new": "b"}],
        "Renamed from “a” to “b”.",
        "名称从“a”改为“b”。",
    ),
    (["description", {}], "Description changed.", "描述已更改。"),
    (
        ["message_added", {"n": 2, "role": "assistant"}],
        "Message 2 (assistant) added.",
        "已添加消息 2（assistant）。",  # noqa: RUF001
    ),
    (
        ["message_removed", {"n": 3, "role": "user"}],
        "Message 3 (user) removed.",
        "已移除消息 3（user）。",  # noqa: RUF001
    ),
    (
        ["message_role", {"n": 1, "old": "user", "new": "system"}],
        "Message 1: role user → system.",
        "消息 1：角色 user → system。",  # noqa: RUF001
    ),
    (
        ["message_text", {"n": 4, "role": "user", "old": "hi", "new": "hello"}],
        "Message 4 (user): “hi” → “hello”.",
        "消息 4（user）：“hi” → “hello”。",  # noqa: RUF001
    ),
    (
        ["parameter_set", {"name": "temperature", "new": "0.5"}],
        "temperature set to 0.5.",
        "temperature 设为 0.5。",
    ),
    (
        ["parameter_removed", {"name": "n", "old": "1"}],
        "n removed (was 1).",
        "已移除 n（原为 1）。",  # noqa: RUF001
    ),
    (
        ["parameter_changed", {"name": "max_tokens", "old": "10", "new": "20"}],
        "max_tokens: 10 → 20.",
        "max_tokens：10 → 20。",  # noqa: RUF001
    ),
]


@pytest.mark.parametrize(("change", "english", "chinese"), WORDED)
def test_each_kind_of_change_in_words(change, english, chinese):
    with translation.override("en"):
        assert describe(change) == english
    with translation.override("zh-hans"):
        assert describe(change) == chinese


def test_a_change_without_details_and_an_unknown_kind():
    with translation.override("en"):
        assert describe(["created"]) == "Created."
        assert describe(["description"]) == "Description changed."
        # A kind stored by a newer version of the portal is shown as its name.
        assert describe(["future_kind", {"x": 1}]) == "future_kind"


def test_summary_joins_every_change_with_one_space():
    with translation.override("en"):
        assert summary([["created", {}], ["description", {}]]) == ("Created. Description changed.")
        assert summary([["description", {}]]) == "Description changed."
    with translation.override("zh-hans"):
        assert summary([]) == "没有变更。"


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("a" * SNIPPET, "a" * SNIPPET),  # exactly at the limit: whole
        ("a" * (SNIPPET + 1), "a" * (SNIPPET - 1) + "…"),  # one over: cut, with the mark
        ("b" * 100, "b" * (SNIPPET - 1) + "…"),
        ("  a \t b\n", "a b"),  # white space of any kind folds to one space
        ("x", "x"),  # a string is quoted as it is, not as its repr
        ("", ""),
        (None, "None"),
        (0.5, "0.5"),
        (["a", 1], "['a', 1]"),
        ({"k": "v"}, "{'k': 'v'}"),
    ],
)
def test_snippet(value, quoted):
    assert SNIPPET == 40
    assert snippet(value) == quoted


def test_snippet_cuts_after_folding_white_space():
    assert snippet("a" * 20 + " " * 30 + "b" * 19) == "a" * 20 + " " + "b" * 19


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        # A missing name or description reads as empty.
        ({}, {"name": "b"}, [["renamed", {"old": "", "new": "b"}]]),
        ({"name": "a"}, {}, [["renamed", {"old": "a", "new": ""}]]),
        ({"description": ""}, {}, []),
        ({}, {"description": ""}, []),
        ({}, {"description": "d"}, [["description", {}]]),
        ({"description": "d"}, {}, [["description", {}]]),
        ({"description": "d"}, {"description": ""}, [["description", {}]]),
        # No body, a body without messages, messages that are not a list: no messages.
        ({"body": None}, {"body": {}}, []),
        ({"body": {"messages": "x"}}, {"body": {"messages": None}}, []),
        (
            {"body": {"messages": "x"}},
            {"body": {"messages": [{"role": "user", "content": "hi"}]}},
            [["message_added", {"n": 1, "role": "user"}]],
        ),
        # A message without a role, and one that is not an object, have no role.
        (
            {"body": {"messages": []}},
            {"body": {"messages": [{"content": "hi"}, "loose"]}},
            [["message_added", {"n": 1, "role": ""}], ["message_added", {"n": 2, "role": ""}]],
        ),
        (
            {"body": {"messages": ["old", {"role": 7, "content": "x"}]}},
            {"body": {"messages": ["new", {"role": 7, "content": "x"}]}},
            [["message_text", {"n": 1, "role": "", "old": "old", "new": "new"}]],
        ),
        (
            {"body": {"messages": [{"role": "user"}]}},
            {"body": {"messages": [{"role": "user", "content": "now"}]}},
            [["message_text", {"n": 1, "role": "user", "old": "None", "new": "now"}]],
        ),
    ],
)
def test_changes_of_incomplete_snapshots(old, new, found):
    assert changes(old, new) == found


def test_a_message_whose_role_and_text_both_changed_is_two_changes():
    old = snap(messages=(("system", "s"), ("user", "hi"), ("user", "x")))
    new = snap(messages=(("system", "s"), ("assistant", "yo"), ("user", "x")))
    assert changes(old, new) == [
        ["message_role", {"n": 2, "old": "user", "new": "assistant"}],
        ["message_text", {"n": 2, "role": "assistant", "old": "hi", "new": "yo"}],
    ]


def test_messages_are_numbered_from_one_and_compared_by_position():
    old = snap(messages=(("user", "a"), ("user", "b"), ("user", "c"), ("user", "d")))
    new = snap(messages=(("user", "a"), ("user", "B")))
    assert changes(old, new) == [
        ["message_text", {"n": 2, "role": "user", "old": "b", "new": "B"}],
        ["message_removed", {"n": 3, "role": "user"}],
        ["message_removed", {"n": 4, "role": "user"}],
    ]
    assert changes(new, old) == [
        ["message_text", {"n": 2, "role": "user", "old": "B", "new": "b"}],
        ["message_added", {"n": 3, "role": "user"}],
        ["message_added", {"n": 4, "role": "user"}],
    ]


def test_parameters_in_name_order_with_their_values_quoted_short():
    long = "z" * 60
    old = {"body": {"top_p": 1, "stop": ["a"], "seed": long, "n": 1}}
    new = {"body": {"user": "u", "n": 1, "stop": ["b"], "max_tokens": 5, "top_p": 1}}
    assert changes(old, new) == [
        ["parameter_set", {"name": "max_tokens", "new": "5"}],
        ["parameter_removed", {"name": "seed", "old": "z" * 39 + "…"}],
        ["parameter_changed", {"name": "stop", "old": "['a']", "new": "['b']"}],
        ["parameter_set", {"name": "user", "new": "u"}],
    ]
    # Messages are not a parameter, even when only they changed.
    assert changes(snap(), snap(messages=())) == [["message_removed", {"n": 1, "role": "user"}]]
    # Long message texts are quoted short too.
    assert changes(snap(), snap(messages=(("user", long),))) == [
        ["message_text", {"n": 1, "role": "user", "old": "hi", "new": "z" * 39 + "…"}]
    ]
