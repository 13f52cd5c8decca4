"""The plain sentence a person reads for an error code (chat/hints.py)."""

from __future__ import annotations

import pytest

from chat.hints import hint_for


@pytest.mark.parametrize(
    ("status", "words"),
    [(413, "too large"), (502, "unavailable"), (504, "timed out")],
)
def test_apig_0201_means_what_its_http_status_says(status, words):
    assert words in hint_for("APIG.0201", status)


def test_the_three_meanings_of_apig_0201_differ_and_another_status_gets_the_general_one():
    hints = {hint_for("APIG.0201", status) for status in (413, 502, 504, 500, None)}
    assert len(hints) == 4
    assert hint_for("APIG.0201", 500) == hint_for("APIG.0201")


def test_unknown_codes_fall_back_to_the_status():
    assert hint_for("XYZ.1", 404) == "Not found: check the call path."
    assert "try again later" in hint_for("XYZ.1", 503)
    assert hint_for("XYZ.1") == ""
