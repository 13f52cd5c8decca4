"""The platform's two stream dialects, its non-stream bodies and error bodies."""

from __future__ import annotations

import json

import pytest

from chat.streams import (
    Completion,
    Delta,
    Done,
    Finish,
    StreamError,
    StreamParser,
    Usage,
    parse_completion,
    parse_error_body,
    parse_stream,
    sse_event,
)


def v1_chunk(text: str, *, finish: str | None = None, completion_tokens: int = 1) -> str:
    """A V1 (Pangu) chunk: no space after "data:", text in message, running usage."""
    body = {
        "id": "chat-3f7d",
        "object": "chat.completion.chunk",
        "created": 1745725506,
        "model": "pangu-nlp-n1-32k",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "logprobs": None,
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": 64,
            "completion_tokens": completion_tokens,
            "total_tokens": 64 + completion_tokens,
        },
    }
    return "data:" + json.dumps(body, separators=(",", ":"))


def v2_chunk(text: str | None, *, finish: str | None = None, role: bool = False) -> str:
    """A V2 (OpenAI-compatible) chunk: "data: " with a space, text in delta."""
    delta: dict[str, str] = {"role": "assistant"} if role else {}
    if text is not None:
        delta["content"] = text
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1745725506,
        "model": "my-qwen",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return "data: " + json.dumps(body)


V2_USAGE = 'data: {"id":"chatcmpl-1","choices":[],"usage":' + (
    '{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}}'
)

STREAMS = {
    "v1 with [DONE] and event lines": (
        [
            "event:message",
            v1_chunk("Hel", completion_tokens=1),
            "",
            "event:message",
            v1_chunk("lo", completion_tokens=2),
            "",
            v1_chunk("", finish="stop", completion_tokens=2),
            "",
            "data:[DONE]",
            "",
        ],
        [
            Delta("Hel"),
            Delta("lo"),
            Finish("stop"),
            Usage(64, 2, 66),
            Done(),
        ],
    ),
    "v1 that simply stops": (
        [v1_chunk("Hi", completion_tokens=1), v1_chunk("!", finish="length", completion_tokens=2)],
        [Delta("Hi"), Delta("!"), Finish("length"), Usage(64, 2, 66), Done()],
    ),
    "v1 with CRLF and a keep-alive comment": (
        [": keep-alive\r", v1_chunk("a") + "\r", "\r", "data:[DONE]\r"],
        [Delta("a"), Usage(64, 1, 65), Done()],
    ),
    "v2 with role chunk, usage chunk and [DONE]": (
        [
            v2_chunk(None, role=True),
            "",
            v2_chunk("Hel"),
            "",
            v2_chunk("lo"),
            "",
            v2_chunk(None, finish="stop"),
            "",
            V2_USAGE,
            "",
            "data: [DONE]",
            "",
        ],
        [Delta("Hel"), Delta("lo"), Finish("stop"), Usage(10, 3, 13), Done()],
    ),
    "v2 without usage and without [DONE]": (
        [v2_chunk("x"), v2_chunk(None, finish="stop")],
        [Delta("x"), Finish("stop"), Done()],
    ),
    "v2 text in a v1 stream (data: with space, message content)": (
        ["data: " + v1_chunk("mixed").removeprefix("data:"), "data:[DONE]"],
        [Delta("mixed"), Usage(64, 1, 65), Done()],
    ),
    "v1 text in a v2 stream (no space, delta content)": (
        ["data:" + v2_chunk("also").removeprefix("data: "), "data: [DONE]"],
        [Delta("also"), Done()],
    ),
    "delta preferred over message when both are present": (
        ['data: {"choices":[{"index":0,"delta":{"content":"new"},"message":{"content":"whole"}}]}'],
        [Delta("new"), Done()],
    ),
    "error inside the stream": (
        [v1_chunk("par"), 'data:{"error_code":"PANGU.0031","error_msg":"inner service exception"}'],
        [
            Delta("par"),
            StreamError("PANGU.0031", "inner service exception"),
            Usage(64, 1, 65),
            Done(),
        ],
    ),
    "openai-style error inside the stream": (
        ['data: {"error":{"message":"model overloaded","type":"server_error","code":"503"}}'],
        [StreamError("503", "model overloaded"), Done()],
    ),
    "bare JSON error line (gateway answered a stream with a JSON body)": (
        [
            '{"error_msg":"Incorrect app authentication information: app not found",'
            '"error_code":"APIG.0303","request_id":"a532***5aca"}'
        ],
        [
            StreamError("APIG.0303", "Incorrect app authentication information: app not found"),
            Done(),
        ],
    ),
    "non-JSON data line becomes a malformed event": (
        ["data:{not json", v2_chunk("ok")],
        [
            StreamError("malformed", "the upstream sent a data line that is not JSON"),
            Delta("ok"),
            Done(),
        ],
    ),
    "JSON that is not an object": (
        ["data: [1, 2]"],
        [StreamError("malformed", "the upstream sent a data line that is not an object"), Done()],
    ),
    "id, retry and unknown fields are skipped": (
        ["id: 7", "retry: 1000", "foo: bar", "plain words", v2_chunk("y")],
        [Delta("y"), Done()],
    ),
    "lines after [DONE] are ignored": (
        ["data: [DONE]", v2_chunk("late")],
        [Done()],
    ),
    "content as a list of parts": (
        ['data: {"choices":[{"delta":{"content":[{"type":"text","text":"pa"},"rt"]}}]}'],
        [Delta("part"), Done()],
    ),
    "second choice keeps its index": (
        ['data:{"choices":[{"index":1,"message":{"content":"b"},"finish_reason":"stop"}]}'],
        [Delta("b", 1), Finish("stop", 1), Done()],
    ),
    "usage with nulls on every chunk (openai include_usage)": (
        ['data: {"choices":[{"delta":{"content":"z"}}],"usage":null}', "data: [DONE]"],
        [Delta("z"), Done()],
    ),
    "empty data lines and null error fields are not errors": (
        ["data:", 'data: {"choices":[{"delta":{"content":"k"}}],"error_code":null}'],
        [Delta("k"), Done()],
    ),
}


@pytest.mark.parametrize(("lines", "expected"), STREAMS.values(), ids=STREAMS.keys())
def test_stream_samples(lines: list[str], expected: list[object]) -> None:
    assert parse_stream(lines) == expected


def test_parser_reports_usage_once_and_remembers_the_latest() -> None:
    parser = StreamParser()
    events = []
    for n in range(1, 4):
        events += parser.feed_line(v1_chunk("t", completion_tokens=n))
    assert [e for e in events if isinstance(e, Usage)] == []
    assert parser.usage == Usage(64, 3, 67)
    assert parser.finish() == [Usage(64, 3, 67), Done()]
    assert parser.finish() == []
    assert parser.saw_done_marker is False


def test_parser_marks_an_explicit_done() -> None:
    parser = StreamParser()
    assert parser.feed_line("data:[DONE]") == [Done()]
    assert parser.saw_done_marker is True
    assert parser.done is True


def test_finish_reason_reported_once_even_if_repeated() -> None:
    lines = [v1_chunk("a", finish="stop"), v1_chunk("", finish="stop")]
    assert [e for e in parse_stream(lines) if isinstance(e, Finish)] == [Finish("stop")]


# ----------------------------------------------------------------- non-stream bodies

V1_BODY = {
    "id": "chat-3f7d",
    "object": "chat.completion",
    "created": 1745725506,
    "model": "pangu-nlp-n1-32k",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello!", "tool_calls": []},
            "logprobs": None,
            "finish_reason": "stop",
            "stop_reason": None,
        }
    ],
    "usage": {"prompt_tokens": 64, "completion_tokens": 9, "total_tokens": 73},
    "prompt_logprobs": None,
}
V1_OLD_BODY = {
    "id": "chat-1",
    "created": 1745725506,
    "choices": [{"index": 0, "message": {"content": "Old style"}}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}
V2_BODY = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "my-qwen",
    "choices": [
        {
            "index": 1,
            "message": {"role": "assistant", "content": "second"},
            "finish_reason": "stop",
        },
        {
            "index": 0,
            "message": {"role": "assistant", "content": "first"},
            "finish_reason": "length",
        },
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (V1_BODY, Completion("Hello!", "stop", Usage(64, 9, 73), ("Hello!",))),
        (V1_OLD_BODY, Completion("Old style", None, Usage(5, 2, 7), ("Old style",))),
        (V2_BODY, Completion("first", "length", Usage(3, 4, 7), ("first", "second"))),
    ],
    ids=["v1", "v1 older shape", "v2 with n=2"],
)
def test_parse_completion(body: dict[str, object], expected: Completion) -> None:
    assert parse_completion(json.dumps(body).encode()) == expected
    assert parse_completion(json.dumps(body)) == expected
    assert parse_completion(body) == expected


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"error_code":"PANGU.0010","error_msg":"x"}', b"\xff\xfe"],
)
def test_parse_completion_without_choices_is_none(body: bytes) -> None:
    assert parse_completion(body) is None


def test_parse_completion_tolerates_a_bom_and_missing_usage() -> None:
    body = "\ufeff" + json.dumps({"choices": [{"message": {"content": "hi"}}]})
    assert parse_completion(body.encode()) == Completion("hi", None, None, ("hi",))


# ---------------------------------------------------------------------- error bodies


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'{"error_msg":"Incorrect app authentication information: app not found, appkey '
            b'0117***e5e1","error_code":"APIG.0303","request_id":"a532***5aca"}',
            (
                "APIG.0303",
                "Incorrect app authentication information: app not found, appkey 0117***e5e1",
            ),
        ),
        (
            b'{"error_code":"PANGU.3267","error_msg":"requests exceed the project limit"}',
            ("PANGU.3267", "requests exceed the project limit"),
        ),
        (
            b'{"error": {"code": 401, "title": "Unauthorized", '
            b'"message": "The request you have made requires authentication."}}',
            ("401", "The request you have made requires authentication."),
        ),
        (b'{"error": {"code": 403, "title": "Forbidden"}}', ("403", "Forbidden")),
        (
            b'{"error": {"message": "bad model", "type": "invalid_request_error"}}',
            (
                "invalid_request_error",
                "bad model",
            ),
        ),
        (b'{"error_msg": "only a message"}', ("unknown", "only a message")),
        (b'{"error": "plain string"}', ("unknown", "plain string")),
        ('{"error_code":"PANGU.0010","error_msg":"参数非法"}'.encode(), ("PANGU.0010", "参数非法")),
    ],
)
def test_parse_error_body(body: bytes, expected: tuple[str, str]) -> None:
    assert parse_error_body(body) == expected


@pytest.mark.parametrize(
    "body",
    [b"", b"<html>502 Bad Gateway</html>", b"[]", b"null", json.dumps(V1_BODY).encode()],
)
def test_parse_error_body_none(body: bytes) -> None:
    assert parse_error_body(body) is None


def test_parse_error_body_shortens_huge_messages() -> None:
    body = json.dumps({"error_code": "X", "error_msg": "a" * 10_000}).encode()
    code, message = parse_error_body(body) or ("", "")
    assert code == "X"
    assert len(message) <= 500


# -------------------------------------------------------------------- outgoing SSE


def test_sse_event_format() -> None:
    assert sse_event("delta", {"text": "a\nb"}) == b'event: delta\ndata: {"text":"a\\nb"}\n\n'
    assert sse_event("end", {}) == b"event: end\ndata: {}\n\n"


def test_sse_event_keeps_unicode_readable_and_one_line() -> None:
    raw = sse_event("delta", {"text": "你好\u2028\r\n"})
    head, data, end1, end2 = raw.split(b"\n")
    assert (head, end1, end2) == (b"event: delta", b"", b"")
    assert json.loads(data.removeprefix(b"data: ")) == {"text": "你好\u2028\r\n"}


@pytest.mark.parametrize("name", ["", "a\nb", "a:b", "x\r"])
def test_sse_event_rejects_bad_names(name: str) -> None:
    with pytest.raises(ValueError, match=r"^an SSE event name must be a non-empty single token$"):
        sse_event(name, {})


def test_sse_event_rejects_nan() -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        sse_event("usage", {"x": float("nan")})


def test_sse_event_is_compact_and_keeps_non_ascii_unescaped() -> None:
    # Compared as bytes: decoding the JSON would hide "\u4f60"-style escapes.
    assert sse_event("X-usage", {"a": 1, "b": [2, "你好"]}) == (
        'event: X-usage\ndata: {"a":1,"b":[2,"你好"]}\n\n'.encode()
    )


# ------------------------------------------------------------ odd values, by table


def usage_of(**counts: object) -> Usage | None:
    body = {"choices": [{"message": {"content": "x"}}], "usage": counts}
    completion = parse_completion(json.dumps(body))
    assert completion is not None
    return completion.usage


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, 7),
        (0, 0),
        (2**31 - 1, 2**31 - 1),  # the largest a database integer column holds
        (2**31, None),
        (-1, None),
        (7.0, 7),
        (7.5, None),
        (True, None),
        (" 12 ", 12),
        ("2147483647", 2**31 - 1),
        ("00000000012", 12),  # 11 characters: read
        ("000000000012", None),  # 12: refused before int() sees it
        ("99999999999", None),  # fits the length, not the column
        ("12.5", None),
        ("-3", None),
        ("²", None),  # a digit to str.isdigit(), not to int()
        ("١٢", None),  # Arabic-Indic digits: not ASCII
        ("abc", None),
        (None, None),
        ([7], None),
    ],
)
def test_token_counts_are_read_or_dropped(value: object, expected: int | None) -> None:
    assert usage_of(prompt_tokens=1, total_tokens=value) == Usage(1, None, expected)
    assert usage_of(completion_tokens=value) == (
        None if expected is None else Usage(None, expected, None)
    )


@pytest.mark.parametrize(
    ("choice", "text"),
    [
        ({"text": "completions-style"}, "completions-style"),
        ({"text": 5}, ""),
        ({"delta": {"content": ""}, "message": {"content": ""}, "text": "last"}, "last"),
        ({"delta": {}, "message": {"content": "whole"}, "text": "last"}, "whole"),
        (
            {"message": {"content": [{"type": "text", "text": "a"}, "b", {"type": "image"}, 5]}},
            "ab",
        ),
        ({"message": {"content": 5}}, ""),
        ({"message": "text"}, ""),
    ],
)
def test_choice_text_fallbacks(choice: dict[str, object], text: str) -> None:
    completion = parse_completion({"choices": [choice]})
    assert completion is not None and completion.texts == (text,)
    expected = [Delta(text), Done()] if text else [Done()]
    assert parse_stream(["data: " + json.dumps({"choices": [choice]})]) == expected


def test_a_repeated_choice_index_keeps_the_first_and_never_raises() -> None:
    body = {
        "choices": [
            {"index": 1, "message": {"content": "second"}},
            {"index": 0, "message": {"content": "first"}, "finish_reason": "stop"},
            {"index": 0, "message": {"content": "again"}, "finish_reason": "length"},
            {"index": "²", "message": {"content": "odd index"}},
        ]
    }
    completion = parse_completion(body)
    assert completion == Completion("first", "stop", None, ("first", "second", "odd index"))


@pytest.mark.parametrize(
    ("finish", "expected"), [("", None), (5, None), (None, None), ("stop", "stop")]
)
def test_finish_reason_must_be_a_non_empty_string(finish: object, expected: str | None) -> None:
    completion = parse_completion(
        {"choices": [{"message": {"content": "x"}, "finish_reason": finish}]}
    )
    assert completion is not None and completion.finish_reason == expected
    line = "data: " + json.dumps({"choices": [{"delta": {}, "finish_reason": finish}]})
    assert parse_stream([line]) == ([Finish(expected), Done()] if expected else [Done()])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error_code": "", "error_msg": ""}, None),
        ({"error_code": None, "error_msg": None}, None),
        ({"error_code": "", "error_msg": "only a message"}, ("unknown", "only a message")),
        ({"error_code": "APIG.0101", "error_msg": ""}, ("APIG.0101", "")),
        ({"error_code": "APIG.0101"}, ("APIG.0101", "")),
        ({"error_code": 0, "error_msg": 0}, ("0", "0")),
        ({"error": {"title": "Forbidden"}}, ("Forbidden", "Forbidden")),
        ({"error": {"code": "", "title": "Forbidden"}}, ("Forbidden", "Forbidden")),
        ({"error": {"code": "", "type": "", "message": "m"}}, ("unknown", "m")),
        ({"error": {"code": 5}}, ("5", "")),
        ({"error": {}}, ("unknown", "")),
        ({"error": 1}, None),
        ({"error": ""}, None),
        ({"error": None}, None),
    ],
)
def test_error_bodies_with_empty_or_odd_fields(
    body: dict[str, object], expected: tuple[str, str] | None
) -> None:
    assert parse_error_body(json.dumps(body)) == expected
    events = parse_stream(["data: " + json.dumps(body)])
    assert events[:-1] == ([StreamError(*expected)] if expected else [])


def test_a_stray_non_utf8_byte_in_an_error_is_replaced_not_fatal() -> None:
    body = b'{"error_code":"PANGU.0010","error_msg":"bad \xff byte"}'
    assert parse_error_body(body) == ("PANGU.0010", "bad \ufffd byte")


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("a" * 500, "a" * 500),  # exactly at the limit: kept whole
        ("a" * 501, "a" * 499 + "…"),  # one over: cut to the limit, ellipsis included
        ("line one\n\n   line\ttwo ", "line one line two"),
    ],
)
def test_error_messages_are_one_line_and_cut_at_500(message: str, shown: str) -> None:
    assert parse_error_body(json.dumps({"error_code": "X", "error_msg": message})) == ("X", shown)


@pytest.mark.parametrize(
    "line",
    [
        '  {"error_code":"APIG.0308","error_msg":"throttled"}',
        '{"error_code":"APIG.0308","error_msg":"throttled"}\r\n',
        'DATA : {"error_code":"APIG.0308","error_msg":"throttled"}',
    ],
)
def test_an_error_line_however_framed(line: str) -> None:
    assert parse_stream([line]) == [StreamError("APIG.0308", "throttled"), Done()]


@pytest.mark.parametrize(
    "line", ["", "\r\n", "   ", ":keep-alive", ': {"error_code":"X"}', "data:", "id: 7", "retry: 5"]
)
def test_lines_that_carry_nothing(line: str) -> None:
    parser = StreamParser()
    assert parser.feed_line(line) == []
    assert parser.done is False


def test_json_nested_too_deeply_is_malformed_not_a_crash() -> None:
    deep = '{"a":' + "[" * 100_000 + "]" * 100_000 + "}"
    assert parse_error_body(deep) is None
    assert parse_completion(deep) is None
    assert parse_stream(["data: " + deep]) == [
        StreamError("malformed", "the upstream sent a data line that is not JSON"),
        Done(),
    ]
