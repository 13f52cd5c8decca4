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
