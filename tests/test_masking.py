from __future__ import annotations

import pytest

from accessportal.masking import mask_secret


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("d59abcdefghij9C3", "d59******9C3"),
        ("abcdefghijkl", "abc******jkl"),  # 12: long enough for 3 + 3
        ("abcdefghijk", "******jk"),  # 11: only the last two
        ("abc", "******bc"),
        ("ab", "******"),
    ],
)
def test_mask(value, shown):
    assert mask_secret(value) == shown


def test_mask_never_shows_more_than_six_characters():
    key = "x" * 100 + "SECRETMIDDLE" + "y" * 100
    masked = mask_secret(key)
    assert len(masked.replace("*", "")) <= 6
