"""The input rules the forms share: one table per rule, with the message a user reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accessportal.validators import (
    address_warning,
    is_row_id,
    normalize_prefix,
    validate_api_key,
    validate_callable_ip,
    validate_callable_url,
    validate_identifier,
    validate_secret_text,
)

WHITESPACE = (
    "The API key contains spaces, line breaks or control characters; paste it again "
    "exactly as the console shows it."
)
TOO_LONG = "The API key is longer than 512 characters."
TOO_SHORT = "The API key is shorter than 8 characters."


def refused(call, value: str, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(value, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("abcdefg", "secret_too_short", TOO_SHORT),
        ("", "secret_too_short", TOO_SHORT),
        ("k" * 513, "secret_too_long", TOO_LONG),
        ("abcd efgh", "secret_whitespace", WHITESPACE),
        (" abcdefgh", "secret_whitespace", WHITESPACE),
        ("abcdefgh\n", "secret_whitespace", WHITESPACE),
        ("abcd\tefgh", "secret_whitespace", WHITESPACE),
        ("abcd\x00efgh", "secret_whitespace", WHITESPACE),
        ("abcd\u200befgh", "secret_whitespace", WHITESPACE),  # zero-width space (Cf)
        ("abcd\u00a0efgh", "secret_whitespace", WHITESPACE),  # no-break space
        ("k" * 600 + " ", "secret_whitespace", WHITESPACE),  # whitespace is named first
    ],
)
def test_api_key_refused(value: str, code: str, message: str) -> None:
    error = refused(validate_api_key, value)
    assert (error.code, error.messages) == (code, [message])  # the key itself never echoed


@pytest.mark.parametrize("value", ["abcdefgh", "k" * 512, "d59Fq-_.~+/=9C3", "ключ-1234"])
def test_api_key_accepted(value: str) -> None:
    assert validate_api_key(value) is None


def test_secret_text_names_what_it_checks_and_has_no_minimum() -> None:
    assert validate_secret_text("pw", what="The password") is None
    error = refused(validate_secret_text, "pass word", what="The password")
    assert error.messages[0].startswith("The password contains spaces")
    error = refused(validate_secret_text, "p" * 513, what="The password")
    assert error.messages == ["The password is longer than 512 characters."]


PREFIX_CHARS = "Use letters, digits and . _ ~ - / only (no spaces) in the API URL prefix."
PREFIX_DOTS = "The API URL prefix may not contain empty, '.' or '..' segments."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("   ", ""),
        ("edge/lb-demo", "edge/lb-demo"),
        ("  /edge/lb-demo/  ", "edge/lb-demo"),
        ("a.b_c~d-e/F9", "a.b_c~d-e/F9"),
        ("..a/b..", "..a/b.."),  # dots inside a name are fine
        ("/edge/X/", "edge/X"),  # only slashes are trimmed
    ],
)
def test_prefix_accepted(value: str, expected: str) -> None:
    assert normalize_prefix(value) == expected


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("edge#1", "prefix_chars", PREFIX_CHARS),
        ("edge lb", "prefix_chars", PREFIX_CHARS),
        ("edge\tlb", "prefix_chars", PREFIX_CHARS),
        ("edge?x=1", "prefix_chars", PREFIX_CHARS),
        ("édge", "prefix_chars", PREFIX_CHARS),
        ("a//b", "prefix_dots", PREFIX_DOTS),
        ("a/./b", "prefix_dots", PREFIX_DOTS),
        ("a/../b", "prefix_dots", PREFIX_DOTS),
        ("..", "prefix_dots", PREFIX_DOTS),
        ("/", "prefix_dots", PREFIX_DOTS),
    ],
)
def test_prefix_refused(value: str, code: str, message: str) -> None:
    error = refused(normalize_prefix, value)
    assert (error.code, error.messages) == (code, [message])


@pytest.mark.parametrize("value", ["cn-southwest-2", "a", "9", "a1.b_c:d-E"])
def test_identifier_accepted(value: str) -> None:
    assert validate_identifier(value, what="region") is None


@pytest.mark.parametrize("value", ["", "-east", ".x", ":x", "a b", "a/b", "é", "east\n"])
def test_identifier_refused(value: str) -> None:
    error = refused(validate_identifier, value, what="project ID")
    assert error.code == "identifier"
    assert error.messages == [
        "The project ID may contain letters, digits and . _ : - only, starting with a letter "
        "or digit."
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        (" 7 ", True),
        (2**63 - 1, True),
        (2**63, False),  # past a 64-bit id: SQLite would overflow, not miss
        ("0", False),
        ("-1", False),
        ("1.5", False),
        ("²", False),
        ("abc", False),
        (True, False),
    ],
)
def test_row_ids(value, expected):
    assert is_row_id(value) is expected


NEVER = "the portal never calls such an address."


@pytest.mark.parametrize(
    ("call", "value", "message"),
    [
        (
            validate_callable_ip,
            "169.254.169.254",
            f"169.254.169.254 is a cloud metadata address: {NEVER}",
        ),
        (validate_callable_ip, "0.0.0.0", f"0.0.0.0 is an unspecified address: {NEVER}"),
        (validate_callable_ip, "224.0.0.1", f"224.0.0.1 is a multicast address: {NEVER}"),
        (
            validate_callable_url,
            "http://169.254.169.254/x",
            f"169.254.169.254 is a cloud metadata address: {NEVER}",
        ),
        (validate_callable_ip, "127.0.0.1", None),  # allowed or not by settings, never refused
        (validate_callable_ip, "10.0.0.1", None),
        (validate_callable_ip, "", None),
        (validate_callable_url, "https://pangu.example.test/v1", None),
        (validate_callable_url, "", None),
    ],
)
def test_addresses_the_portal_never_calls(call, value, message):
    if message is None:
        assert call(value) is None
        return
    error = refused(call, value)
    assert (error.code, error.messages) == ("address_refused", [message])


REFUSED_BY_SETTINGS = (
    "{} is {}, which the portal's settings do not allow it to call "
    "(PORTAL_UPSTREAM_ALLOW_LOOPBACK / PORTAL_UPSTREAM_ALLOW_PRIVATE): calls to it will be "
    "refused."
)


@pytest.mark.parametrize(
    ("host", "strict", "relaxed"),
    [
        (
            "127.0.0.1",
            REFUSED_BY_SETTINGS.format("127.0.0.1", "a loopback address"),
            None,
        ),
        (
            "10.0.0.1",
            REFUSED_BY_SETTINGS.format("10.0.0.1", "a private-network address"),
            None,
        ),
        ("203.0.113.7", None, None),
        ("pangu.example.test", None, None),
        ("", None, None),
    ],
)
def test_address_warning(host, strict, relaxed):
    assert address_warning(host, allow_loopback=False, allow_private=False) == strict
    assert address_warning(host, allow_loopback=True, allow_private=True) == relaxed
