"""The hint the playground shows under a failed call (chat/hints.py): by error code (and
status, where one code means several things), else by HTTP status.

One row per (code, status) the playground can meet; add a row for each new hint.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from accessportal.addresses import CATEGORY_TEXT
from chat.hints import HINTS, hint_for, upstream_message
from chat.upstream import UpstreamError

FAILED = "The service failed to answer; try again later."

CASES = [
    # A known code wins over any status.
    ("APIG.0303", 401, "The key is wrong or missing."),
    ("APIG.0308", 429, "Throttled: the request limit was reached; wait a moment and try again."),
    ("PANGU.3254", 404, str(HINTS["PANGU.3254"])),
    ("PANGU.0031", 500, "The service had an internal error; try again later."),
    ("upstream.read_timeout", None, "Timed out: the service did not answer in time."),
    ("portal.decrypt", None, str(HINTS["portal.decrypt"])),
    # APIG.0201 means what its status says; any other status gets its general hint.
    ("APIG.0201", 413, "The request body is too large for the gateway: shorten the messages."),
    ("APIG.0201", 502, "The backend is unavailable: the gateway could not reach the service."),
    (
        "APIG.0201",
        504,
        "The backend timed out: the service did not answer the gateway in time.",
    ),
    ("APIG.0201", 500, "The gateway could not pass the call on to the service."),
    ("APIG.0201", None, "The gateway could not pass the call on to the service."),
    ("APIG.0101", 413, str(HINTS["APIG.0101"])),  # the status meanings are APIG.0201's only
    # Unknown codes fall back to the status.
    ("APIG.9999", 400, "The service refused the request body."),
    ("unknown", 401, "Authentication failed."),
    ("unknown", 403, "Not authorized for this service."),
    ("unknown", 404, "Not found: check the call path."),
    ("unknown", 429, "Throttled: wait a moment and try again."),
    ("unknown", 500, FAILED),
    ("unknown", 502, FAILED),
    ("unknown", 503, FAILED),
    ("unknown", 599, FAILED),
    # Nothing useful to say.
    ("unknown", 499, ""),
    ("unknown", 409, ""),
    ("unknown", 200, ""),
    ("unknown", None, ""),
    ("", None, ""),
]


@pytest.mark.parametrize(("code", "status", "expected"), CASES)
def test_hint_table(code: str, status: int | None, expected: str) -> None:
    assert hint_for(code, status) == expected


@pytest.mark.parametrize("code", sorted(HINTS))
def test_every_code_has_a_hint_of_its_own(code: str) -> None:
    assert hint_for(code) == str(HINTS[code]) != ""


# --- the outbound client's own messages, in the reader's language -----------------------


def blocked(address: str, reason: str) -> UpstreamError:
    return UpstreamError(
        "blocked_address",
        "%(address)s is %(category)s",
        params={"address": address, "category": CATEGORY_TEXT[reason]},
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "169.254.169.254 is a cloud metadata address"),
        ("zh-hans", "169.254.169.254 是云元数据地址"),
    ],
)
def test_a_refused_address_is_worded_with_its_category_in_the_readers_language(language, expected):
    with translation.override(language):
        assert upstream_message(blocked("169.254.169.254", "metadata")) == expected


def test_a_message_without_values_is_translated_whole():
    error = UpstreamError("cancelled", "the call was stopped before it ended")
    with translation.override("zh-hans"):
        assert upstream_message(error) == "调用在结束前被停止"
    with translation.override("en"):
        assert upstream_message(error) == "the call was stopped before it ended"


def test_only_the_category_is_translated_never_a_name_the_upstream_chose():
    # A host that happens to be a word of the portal's catalog stays as written.
    error = UpstreamError(
        "connect_failed", "could not connect to %(target)s", params={"target": "Running"}
    )
    with translation.override("zh-hans"):
        assert upstream_message(error) == "无法连接到 Running"


def test_a_text_without_values_is_not_formatted():
    # A percent sign in a message with no values is text, not a format directive.
    error = UpstreamError("invalid_request", "the body is 100% too large")
    with translation.override("en"):
        assert upstream_message(error) == "the body is 100% too large"
