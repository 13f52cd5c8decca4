"""The CSV export's pure parts: formula-safe cells and rows without secrets."""

from __future__ import annotations

import csv
import io

import pytest

from chat.exports import HEADER, call_row, csv_lines, safe_cell
from chat.models import TestCall


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_are_made_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "a=b", "", 42, None, "1-2"])
def test_other_cells_are_kept(value):
    assert safe_cell(value) == value


def test_lines_parse_back_to_the_header_and_safe_rows():
    call = TestCall(
        username='=HYPERLINK("http://x")',
        deployment_name="@chat",
        api_version="v1",
        auth_label="team (abc******xyz)",
        status_code=200,
        latency_ms=10,
    )
    rows = list(csv.reader(io.StringIO("".join(csv_lines([call])))))
    assert rows[0] == list(HEADER)
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row["user"].startswith("'=") and row["deployment"] == "'@chat"
    assert row["when_utc"].endswith("+00:00")
    assert len(call_row(call)) == len(HEADER)
