"""What a playground request body may hold (pure validation).

Only the chat parameters the platform documents pass; anything else is refused with a
message, so a body can never smuggle a URL, a header or a host into the call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from accessportal.callpaths import V1, V2

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    low_open: bool = False  # (low, high] rather than [low, high]

    def holds(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high

    def describe(self) -> str:
        if self.low_open:
            return _("a number greater than %(low)g and at most %(high)g") % {
                "low": self.low,
                "high": self.high,
            }
        return _("a number from %(low)g to %(high)g") % {"low": self.low, "high": self.high}


# V2 takes the OpenAI ranges; V1 (Pangu) documents narrower ones (modelarts-api.md).
NUMBERS_BY_VERSION = {
    V2: {
        "temperature": Range(0.0, 2.0),
        "top_p": Range(0.0, 1.0),
        "presence_penalty": Range(-2.0, 2.0),
        "frequency_penalty": Range(-2.0, 2.0),
    },
    V1: {
        "temperature": Range(0.0, 1.0),
        "top_p": Range(0.0, 1.0, low_open=True),
        "presence_penalty": Range(-2.0, 2.0),
        "frequency_penalty": Range(-2.0, 2.0),
    },
}
NUMBERS = NUMBERS_BY_VERSION[V2]
INTEGERS = {"max_tokens": (1, 1_000_000), "n": (1, 2)}
ALLOWED = {"messages", "stream", "stream_options", "user", "model", *NUMBERS, *INTEGERS}
MAX_BODY_CHARS = 200_000


class BodyError(ValueError):
    pass


def parse_body(text: str, version: str = V2) -> dict[str, Any]:
    """Parse and check a JSON body for an API version; raises BodyError with a message
    for the user."""
    if len(text) > MAX_BODY_CHARS:
        raise BodyError(f"The body is longer than {MAX_BODY_CHARS} characters.")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise BodyError(f"The body is not valid JSON: {error.msg} (line {error.lineno}).") from None
    except (ValueError, RecursionError):
        # Numbers with thousands of digits, or nesting deeper than the parser allows.
        raise BodyError("The body is not JSON the portal can read.") from None
    if not isinstance(body, dict):
        raise BodyError("The body must be a JSON object.")
    unknown = sorted(set(body) - ALLOWED)
    if unknown:
        raise BodyError(
            f"Unknown field(s) {', '.join(unknown)}. Allowed: {', '.join(sorted(ALLOWED))}."
        )
    _check_messages(body.get("messages"))
    for name, allowed in NUMBERS_BY_VERSION.get(version, NUMBERS).items():
        value = body.get(name)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if value is not None and not (number and allowed.holds(value)):
            raise BodyError(
                _("On %(version)s, %(name)s must be %(range)s.")
                % {"version": version.upper(), "name": name, "range": allowed.describe()}
            )
    for name, (low, high) in INTEGERS.items():
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
        ):
            raise BodyError(f"{name} must be a whole number from {low} to {high}.")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise BodyError("stream must be true or false.")
    options = body.get("stream_options")
    if options is not None and (
        not isinstance(options, dict)
        or set(options) - {"include_usage"}
        or not isinstance(options.get("include_usage", False), bool)
    ):
        raise BodyError('stream_options may only be {"include_usage": true or false}.')
    if "user" in body and not (isinstance(body["user"], str) and 1 <= len(body["user"]) <= 64):
        raise BodyError("user must be a string of 1 to 64 characters.")
    return body


def _check_messages(messages: Any) -> None:
    if not isinstance(messages, list) or not messages:
        raise BodyError("messages must be a non-empty list.")
    for i, message in enumerate(messages, start=1):
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            raise BodyError(f"Message {i} needs a text content.")
        if "role" in message and message["role"] not in ROLES:
            raise BodyError(f"Message {i}: role must be one of {', '.join(ROLES)}.")
        if set(message) - {"role", "content"}:
            raise BodyError(f"Message {i} may hold only role and content.")
