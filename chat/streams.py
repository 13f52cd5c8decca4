"""Parsing of the platform's chat responses, and the portal's own SSE events.

Pure functions and a small line-fed parser, no I/O. Two stream dialects arrive:

* V1 (Pangu): ``data:{json}`` with no space after the colon; the new text is in
  ``choices[].message.content``; every chunk repeats the running ``usage``; it may end
  with ``data:[DONE]`` or simply stop; ``event:`` lines appear and are skipped.
* V2 (OpenAI-compatible): ``data: {json}`` with the text in ``choices[].delta.content``,
  an optional usage-only chunk, and ``data: [DONE]``.

Several of these facts are only inferred from third-party code, so the parser takes
either dialect from either API version: it prefers ``delta`` and falls back to
``message``, accepts ``data:`` with or without a space, and turns anything it cannot
read into an event instead of an exception.

Reasoning models (third-party models on the platform) send ``reasoning_content`` beside
``content``: in ``message`` of a whole answer, in ``delta`` (or V1's ``message``) of
stream chunks. It becomes its own ``Reasoning`` event, never part of the reply's text, and
``usage.completion_tokens_details.reasoning_tokens`` its own count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Completion",
    "Delta",
    "Done",
    "Finish",
    "Reasoning",
    "StreamError",
    "StreamEvent",
    "StreamParser",
    "Usage",
    "parse_completion",
    "parse_error_body",
    "parse_stream",
    "sse_event",
]

_MAX_MESSAGE = 500  # upstream error texts are shown in the playground; keep them short


@dataclass(frozen=True, slots=True)
class Delta:
    text: str
    index: int = 0


@dataclass(frozen=True, slots=True)
class Reasoning:
    """Text a reasoning model thought before (or while) answering."""

    text: str
    index: int = 0


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    reasoning_tokens: int | None = None  # part of completion_tokens, where given


@dataclass(frozen=True, slots=True)
class Finish:
    reason: str
    index: int = 0


@dataclass(frozen=True, slots=True)
class StreamError:
    """An error reported inside the stream, or ``code="malformed"`` for a line that
    could not be read."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Done:
    pass


StreamEvent = Delta | Reasoning | Usage | Finish | StreamError | Done


@dataclass(frozen=True, slots=True)
class Completion:
    """The useful part of a non-stream response."""

    text: str  # the first choice's text
    finish_reason: str | None
    usage: Usage | None
    texts: tuple[str, ...] = ()  # every choice's text, by index (n=2 answers two)
    reasonings: tuple[str, ...] = ()  # every choice's reasoning_content, by index


# ------------------------------------------------------------------------- helpers


def _loads(data: bytes | str) -> Any:
    if isinstance(data, bytes | bytearray):
        data = bytes(data).decode("utf-8", errors="replace")
    try:
        return json.loads(data.removeprefix("\ufeff"))
    except RecursionError:  # nesting deeper than the parser allows: not an answer
        raise ValueError("JSON nested too deeply") from None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


_MAX_COUNT = 2**31 - 1  # what a database integer column holds


def _as_int(value: Any) -> int | None:
    """A token count as a non-negative int that fits a column, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        # ASCII only: "²".isdigit() is true, but int("²") raises.
        value = int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None
    elif isinstance(value, float):
        value = int(value) if value.is_integer() else None
    if isinstance(value, int) and 0 <= value <= _MAX_COUNT:
        return value
    return None


def _usage(value: Any) -> Usage | None:
    if not isinstance(value, dict):
        return None
    details = value.get("completion_tokens_details")
    usage = Usage(
        prompt_tokens=_as_int(value.get("prompt_tokens")),
        completion_tokens=_as_int(value.get("completion_tokens")),
        total_tokens=_as_int(value.get("total_tokens")),
        reasoning_tokens=(
            _as_int(details.get("reasoning_tokens")) if isinstance(details, dict) else None
        ),
    )
    if usage == Usage(None, None, None):
        return None
    return usage


def _content_text(content: Any) -> str:
    """Message content: a string, or a list of parts (``[{"type":"text","text":…}]``)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "".join(parts)
    return ""


def _part_text(choice: dict[str, Any], field: str) -> str:
    # delta first (V2, OpenAI), then message (V1 stream and every non-stream body).
    for key in ("delta", "message"):
        part = choice.get(key)
        if isinstance(part, dict):
            text = _content_text(part.get(field))
            if text:
                return text
    return ""


def _choice_text(choice: dict[str, Any]) -> str:
    # Then text (completions-style servers behind some gateways).
    text = _part_text(choice, "content") or choice.get("text")
    return text if isinstance(text, str) else ""


def _choice_reasoning(choice: dict[str, Any]) -> str:
    return _part_text(choice, "reasoning_content")


def _choices(payload: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    choices = payload.get("choices")
    if not isinstance(choices, list):
        return []
    found = []
    for position, choice in enumerate(choices):
        if isinstance(choice, dict):
            index = _as_int(choice.get("index"))
            found.append((position if index is None else index, choice))
    return found


def _error_from_payload(payload: Any) -> tuple[str, str] | None:
    if not isinstance(payload, dict):
        return None
    # The service and API Gateway: {"error_code", "error_msg"[, "request_id"]}.
    code = payload.get("error_code")
    message = payload.get("error_msg")
    if code not in (None, "") or message not in (None, ""):
        return (
            str(code) if code not in (None, "") else "unknown",
            _short(str(message)) if message not in (None, "") else "",
        )
    error = payload.get("error")
    # IAM: {"error": {"code": 401, "title": "Unauthorized", "message": "…"}};
    # OpenAI-style servers: {"error": {"code", "type", "message"}}.
    if isinstance(error, dict):
        code = error.get("code")
        if code in (None, ""):
            code = error.get("type") or error.get("title") or "unknown"
        message = error.get("message") or error.get("title") or ""
        return str(code), _short(str(message))
    if isinstance(error, str) and error:
        return "unknown", _short(error)
    return None


def parse_error_body(body: bytes | str) -> tuple[str, str] | None:
    """(code, message) from one of the platform's error bodies, or None if ``body``
    is not one (not JSON, or JSON without an error)."""
    try:
        payload = _loads(body)
    except (ValueError, UnicodeError):
        return None
    return _error_from_payload(payload)


def parse_completion(body: bytes | str | dict[str, Any]) -> Completion | None:
    """Text, finish reason and usage of a non-stream answer (V1 in its current and older
    ``{id, created, choices[{index, message}], usage}`` shapes, and V2). None if the
    body has no choices (check ``parse_error_body`` for an error first)."""
    if isinstance(body, dict):
        payload: Any = body
    else:
        try:
            payload = _loads(body)
        except (ValueError, UnicodeError):
            return None
    if not isinstance(payload, dict):
        return None
    by_index: dict[int, dict[str, Any]] = {}
    for index, choice in _choices(payload):
        by_index.setdefault(index, choice)  # a repeated index: the first choice counts
    if not by_index:
        return None
    choices = sorted(by_index.items())  # indices are unique now: no dicts are compared
    texts = tuple(_choice_text(choice) for _, choice in choices)
    finish = choices[0][1].get("finish_reason")
    reasonings = tuple(_choice_reasoning(choice) for _, choice in choices)
    return Completion(
        text=texts[0],
        finish_reason=finish if isinstance(finish, str) and finish else None,
        usage=_usage(payload.get("usage")),
        texts=texts,
        # Empty unless a choice thought: plain models' answers compare as before.
        reasonings=reasonings if any(reasonings) else (),
    )


# -------------------------------------------------------------------------- streams


class StreamParser:
    """Feed it decoded lines as they arrive; it answers with events.

    Usage is held back and reported once, just before ``Done``: V1 repeats the running
    total in every chunk, and the relay wants a single figure. ``finish()`` must be
    called when the upstream stream ends; it emits the held usage and ``Done`` if the
    upstream never sent ``[DONE]`` (V1 may simply stop).
    """

    def __init__(self) -> None:
        self.usage: Usage | None = None  # the latest usage seen
        self.done = False
        self.saw_done_marker = False  # the upstream sent [DONE] itself
        self._finished: dict[int, str] = {}

    def feed_line(self, line: str) -> list[StreamEvent]:
        if self.done:
            return []  # anything after [DONE] is noise
        if line.lstrip().startswith("{"):
            # A bare JSON line: some gateways answer a stream request with a plain
            # JSON (error) body on one line.
            return self._feed_data(line.strip())
        field, _, value = line.partition(":")
        if field.strip().lower() == "data":
            return self._feed_data(value.strip())
        # Blank separators, comments (":keep-alive": an empty field name), event:, id:,
        # retry: and unknown fields carry nothing the relay needs.
        return []

    def finish(self) -> list[StreamEvent]:
        if self.done:
            return []
        return self._close()

    def _close(self) -> list[StreamEvent]:
        self.done = True
        events: list[StreamEvent] = []
        if self.usage is not None:
            events.append(self.usage)
        events.append(Done())
        return events

    def _feed_data(self, data: str) -> list[StreamEvent]:
        if not data:
            return []
        if data == "[DONE]":
            self.saw_done_marker = True
            return self._close()
        try:
            payload = _loads(data)
        except ValueError:
            return [StreamError("malformed", "the upstream sent a data line that is not JSON")]
        if not isinstance(payload, dict):
            return [StreamError("malformed", "the upstream sent a data line that is not an object")]
        error = _error_from_payload(payload)
        if error is not None:
            return [StreamError(*error)]
        events: list[StreamEvent] = []
        for index, choice in _choices(payload):
            thought = _choice_reasoning(choice)
            if thought:
                events.append(Reasoning(thought, index))
            text = _choice_text(choice)
            if text:
                events.append(Delta(text, index))
            reason = choice.get("finish_reason")
            if isinstance(reason, str) and reason and self._finished.get(index) != reason:
                self._finished[index] = reason
                events.append(Finish(reason, index))
        usage = _usage(payload.get("usage"))
        if usage is not None:
            self.usage = usage
        return events


def parse_stream(lines: list[str] | tuple[str, ...]) -> list[StreamEvent]:
    """All events of a complete stream (convenience for tests and non-live callers)."""
    parser = StreamParser()
    events: list[StreamEvent] = []
    for line in lines:
        events.extend(parser.feed_line(line))
    events.extend(parser.finish())
    return events


# ------------------------------------------------------------------ outgoing events


def sse_event(name: str, data: dict[str, Any]) -> bytes:
    """One event of the portal's own stream: ``event: <name>\\ndata: <json>\\n\\n``."""
    if not name or any(c in name for c in "\r\n:"):
        raise ValueError("an SSE event name must be a non-empty single token")
    # Compact JSON has no raw newlines (they are escaped inside strings), so one data
    # line always carries the whole document.
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return f"event: {name}\ndata: {payload}\n\n".encode()
