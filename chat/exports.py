"""The test-call history as CSV: pure functions, streamed row by row by the view."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC

# A cell starting with one of these is read as a formula by spreadsheet programs
# (OWASP "CSV injection"); a leading quote makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = (
    "when_utc",
    "user",
    "origin",
    "deployment",
    "version",
    "auth",
    "stream",
    "outcome",
    "status",
    "error_code",
    "latency_ms",
    "ttft_ms",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "test_call",
)


def safe_cell(value: object) -> object:
    """The value, with text that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def call_row(call) -> tuple:
    """One call as a row. The auth column is the access's name and mask, never the key."""
    return tuple(
        safe_cell(value)
        for value in (
            call.created_at.astimezone(UTC).isoformat(timespec="seconds"),
            call.username,
            call.origin,
            call.deployment_name,
            call.api_version,
            call.auth_label,
            "yes" if call.stream else "no",
            call.outcome,
            call.status_code,
            call.error_code,
            call.latency_ms,
            call.ttft_ms,
            call.prompt_tokens,
            call.completion_tokens,
            call.total_tokens,
            str(call.code),
        )
    )


class _Echo:
    """csv.writer writes into this and gets the line back, so rows can be yielded."""

    def write(self, value: str) -> str:
        return value


def csv_lines(calls: Iterable) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for call in calls:
        yield writer.writerow(call_row(call))
