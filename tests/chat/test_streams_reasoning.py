"""reasoning_content: its own event, never part of the reply, with its own token count."""

from __future__ import annotations

import json

import pytest

from chat.streams import Delta, Reasoning, Usage, parse_completion, parse_stream


def data(payload: dict, space: bool = True) -> str:
    return ("data: " if space else "data:") + json.dumps(payload)


def test_a_whole_answer_keeps_reasoning_apart():
    completion = parse_completion(
        {
            "choices": [
                {"index": 0, "message": {"content": "Answer.", "reasoning_content": "Think."}}
            ],
            "usage": {
                "prompt_tokens": 3,
                "completion_tokens": 5,
                "total_tokens": 8,
                "completion_tokens_details": {"reasoning_tokens": 2},
            },
        }
    )
    assert completion.text == "Answer." and completion.reasonings == ("Think.",)
    assert completion.usage == Usage(3, 5, 8, 2)


def test_a_v2_stream_turns_reasoning_deltas_into_reasoning_events():
    events = parse_stream(
        [
            data({"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}),
            data({"choices": [{"index": 0, "delta": {"reasoning_content": "Hm, "}}]}),
            data({"choices": [{"index": 0, "delta": {"reasoning_content": "yes."}}]}),
            data({"choices": [{"index": 0, "delta": {"content": "Hello"}}]}),
            "data: [DONE]",
        ]
    )
    kinds = [(type(e).__name__, getattr(e, "text", None)) for e in events]
    assert kinds[:3] == [("Reasoning", "Hm, "), ("Reasoning", "yes."), ("Delta", "Hello")]


def test_a_v1_stream_reasoning_in_message_is_read_too():
    events = parse_stream(
        [
            data({"choices": [{"message": {"reasoning_content": "Plan."}}]}, space=False),
            data({"choices": [{"message": {"content": "Done."}}]}, space=False),
        ]
    )
    assert [e for e in events if isinstance(e, Reasoning | Delta)] == [
        Reasoning("Plan."),
        Delta("Done."),
    ]


@pytest.mark.parametrize("details", [None, "x", {"reasoning_tokens": -1}, {"other": 3}, []])
def test_odd_reasoning_counts_are_left_out(details):
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    completion = parse_completion(
        {
            "choices": [{"message": {"content": "x"}}],
            "usage": usage | {"completion_tokens_details": details},
        }
    )
    assert completion.usage == Usage(1, 1, 2, None)


def test_plain_models_have_no_reasoning():
    completion = parse_completion({"choices": [{"message": {"content": "x"}}]})
    assert completion.reasonings == ()


def test_each_choices_reasoning_keeps_its_choice_index():
    events = parse_stream(
        [
            data({"choices": [{"index": 1, "delta": {"reasoning_content": "second"}}]}),
            data({"choices": [{"index": 0, "delta": {"reasoning_content": "first"}}]}),
        ]
    )
    assert events[:2] == [Reasoning("second", 1), Reasoning("first", 0)]
