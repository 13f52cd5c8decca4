"""Token text: recognisable, checksummed, hashed; a pure module."""

from __future__ import annotations

import re

import pytest

from api import tokens


def test_generated_tokens_match_the_published_scanner_pattern():
    for _ in range(200):
        text = tokens.generate()
        assert re.fullmatch(tokens.SCANNER_REGEX, text)
        assert tokens.is_well_formed(text)
        assert text.startswith("apat_")
        assert len(text) == 5 + 36 + 6


def test_tokens_differ():
    assert len({tokens.generate() for _ in range(500)}) == 500


@pytest.mark.parametrize(
    "text",
    [
        "",
        "apat_",
        "ghp_" + "a" * 42,
        "apat_" + "a" * 41,  # one short
        "apat_" + "a" * 43,  # one long
        "apat_" + "a" * 36 + "-" * 6,  # not base62
        " apat_" + "a" * 42,
    ],
)
def test_malformed_text_is_refused(text):
    assert not tokens.is_well_formed(text)


def test_a_single_changed_character_breaks_the_checksum():
    text = tokens.generate()
    body_char = text[10]
    changed = text[:10] + ("b" if body_char != "b" else "c") + text[11:]
    assert not tokens.is_well_formed(changed)


def test_checksum_is_a_base62_crc32_of_the_random_part():
    # Known answer: scanners that verify offline depend on this staying the same.
    assert tokens.checksum("0" * 36) == "0etOEM"  # crc32 = 0x240431a2
    assert tokens.base62(0, 3) == "000"
    assert tokens.base62(61, 2) == "0z"
    assert tokens.base62(62, 2) == "10"


def test_digest_is_sha256_hex_and_prefix_is_short():
    text = tokens.generate()
    assert re.fullmatch(r"[0-9a-f]{64}", tokens.digest(text))
    assert tokens.digest(text) != tokens.digest(tokens.generate())
    assert tokens.visible_prefix(text) == text[:11]
