"""Secrets echoed by an upstream are masked in every form an echo may take."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, quote_plus

import pytest

from accessportal.masking import mask_secret
from chat.scrub import Scrubber, scrub

KEY = 'sk-CaNaRy/42+x=Q"z\\ü✓😀-tail'
PASSWORD = "pa ss/wörd+1"


def every_char_escaped(value: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else json.dumps(c)[1:-1] for c in value)


FORMS = {
    "plain": lambda s: s,
    "json": lambda s: json.dumps(s)[1:-1],
    "json_ascii": lambda s: json.dumps(s, ensure_ascii=True)[1:-1],
    "json_escaped_slash": lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
    "json_all_escaped": every_char_escaped,
    "json_all_escaped_upper": lambda s: every_char_escaped(s).upper().replace("\\U", "\\u"),
    "json_twice": lambda s: json.dumps(json.dumps(s))[1:-1],
    "url": lambda s: quote(s, safe=""),
    "url_lower": lambda s: re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(s, safe="")),
    "url_plus": quote_plus,
    "url_twice": lambda s: quote(quote(s, safe=""), safe=""),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64_url_unpadded": lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    "basic_auth": lambda s: base64.b64encode(f"user:{s}".encode()).decode(),
    "basic_auth_2": lambda s: base64.b64encode(f"us:{s}".encode()).decode(),
    "basic_auth_3": lambda s: base64.b64encode(f"u:{s}".encode()).decode(),
}


@pytest.mark.parametrize("secret", [KEY, PASSWORD, "short1"])
@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_of_a_secret_is_masked(secret, form):
    echoed = FORMS[form](secret)
    text = f'{{"error_msg": "invalid header Authorization: Bearer {echoed}", "n": 1}}'
    out = scrub(text, [secret])
    assert echoed not in out
    assert secret not in out
    assert out.startswith('{"error_msg": "invalid header Authorization: Bearer ')
    if not form.startswith(("base64", "basic")):
        assert mask_secret(secret) in out


def test_text_without_secrets_is_unchanged():
    text = 'data: {"choices":[{"delta":{"content":"Hello\\u4f60 %41 QUJD"}}]}'
    assert scrub(text, [KEY, PASSWORD]) == text
    assert scrub(text, []) == text
    assert scrub(text, ["", None]) == text  # type: ignore[list-item]


def test_several_secrets_and_nested_data():
    scrubber = Scrubber([KEY])
    scrubber.add(PASSWORD)
    data = {"a": [f"x{KEY}y", {"b": quote(PASSWORD)}], "n": 3, "t": None}
    out = scrubber.data(data)
    assert KEY not in json.dumps(out, ensure_ascii=False) and quote(PASSWORD) not in str(out)
    assert out["n"] == 3 and out["t"] is None
    assert "CaN" not in repr(scrubber) and "Scrubber(2" in repr(scrubber)


def test_a_mask_with_backslashes_is_inserted_literally():
    secret = "\\1\\g<0>abcdefgh\\2"
    assert scrub(f"<{secret}>", [secret]) == f"<{mask_secret(secret)}>"


@pytest.mark.parametrize("secret", [KEY, PASSWORD, "short1"])
def test_the_quick_path_masks_as_the_full_pattern_does(secret):
    """Texts without a backslash or a % skip the full pattern: same result."""
    from chat.scrub import secret_pattern

    for form in ("plain", "base64", "basic_auth", "basic_auth_2", "basic_auth_3"):
        text = f"x {FORMS[form](secret)} y {secret}{secret} z"
        if "\\" in text or "%" in text or (" " in secret and "+" in text):
            continue
        expected = secret_pattern(secret).sub(lambda _m: mask_secret(secret), text)
        assert scrub(text, [secret]) == expected


@pytest.mark.parametrize("seed", range(40))
def test_secrets_spelled_a_different_way_per_character_are_masked(seed):
    """Each character literal, \\u-escaped (either case) or %-encoded, at random."""
    import random

    chooser = random.Random(seed)
    secret = KEY.replace("+", "")  # a literal + would read as a space once %-decoded
    spellings = [
        lambda c: c if c not in '"\\' else json.dumps(c)[1:-1],
        lambda c: json.dumps(c, ensure_ascii=True)[1:-1] if ord(c) > 127 else f"\\u{ord(c):04x}",
        lambda c: (
            json.dumps(c, ensure_ascii=True)[1:-1].upper().replace("\\U", "\\u")
            if ord(c) > 127
            else f"\\u{ord(c):04X}"
        ),
        lambda c: quote(c, safe=""),
    ]
    spelled = "".join(chooser.choice(spellings)(c) for c in secret)
    text = f'{{"error_msg": "echo {spelled} end"}}'
    out = scrub(text, [secret])
    assert spelled not in out and mask_secret(secret) in out
