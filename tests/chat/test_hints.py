"""The hint the playground shows under a failed call (chat/hints.py): by error code (and
status, where one code means several things), else by HTTP status.

One row per (code, status) the playground can meet; add a row for each new hint.
"""

from __future__ import annotations

import pytest

from chat.hints import HINTS, hint_for

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
