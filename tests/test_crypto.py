"""The keyring alone: authenticated, bound to its context, fail closed, and able to read
what older versions wrote (known answers). Rows and rotation: test_secrets_at_rest.py."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest

from accessportal import crypto
from tests.conftest import TEST_KEYS

KNOWN = json.loads(
    (Path(__file__).parent / "fixtures" / "known_answers" / "crypto-test-only.json").read_text()
)
AUTH_FAILED = r"^Secret failed authentication \(wrong key, row or data\)\.$"


def test_a_value_sealed_on_2026_11_29_decrypts_forever():
    """Known answer. A change to the key ids, the format or the cipher would make every
    stored secret unreadable after an upgrade; this ciphertext must always open."""
    ring = crypto.Keyring.from_strings([KNOWN["key"]])
    assert ring.primary == KNOWN["key_id"] == KNOWN["token"].split(":")[1]
    assert ring.decrypt(KNOWN["token"], context=KNOWN["context"]) == KNOWN["plaintext"]
    assert not ring.needs_rotation(KNOWN["token"])
    # Listed second (an old key kept for decryption), it still opens the value.
    older = crypto.Keyring.from_strings([TEST_KEYS[0], KNOWN["key"]])
    assert older.decrypt(KNOWN["token"], context=KNOWN["context"]) == KNOWN["plaintext"]
    assert older.needs_rotation(KNOWN["token"])


def test_round_trip_and_fresh_nonce():
    ring = crypto.Keyring.from_strings(TEST_KEYS[:1])
    first = ring.encrypt("s3cret-välue", context="row:1")
    second = ring.encrypt("s3cret-välue", context="row:1")
    assert first != second  # a new nonce every time
    assert first.startswith(f"v1:{ring.primary}:")
    assert "s3cret" not in first
    assert ring.decrypt(first, context="row:1") == "s3cret-välue"
    # nonce (12) + plaintext (13 bytes of UTF-8) + tag (16)
    assert len(base64.urlsafe_b64decode(first.split(":")[2])) == 12 + 13 + 16


def test_other_context_fails():
    ring = crypto.Keyring.from_strings(TEST_KEYS[:1])
    token = ring.encrypt("s3cret-value", context="row:1")
    with pytest.raises(crypto.DecryptionError, match=AUTH_FAILED):
        ring.decrypt(token, context="row:2")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", r"^Malformed secret value\.$"),
        ("garbage", r"^Malformed secret value\.$"),
        ("v1:abc", r"^Malformed secret value\.$"),
        ("v2:{kid}:AAAA", r"^Unknown secret format\.$"),
        ("v1:00000000:AAAA", r"^Secret was encrypted with key 00000000, which is not config"),
        ("v1:{kid}:!!!!", AUTH_FAILED),
        ("v1:{kid}:AAAA", AUTH_FAILED),
        ("v1:{kid}:ÄÄÄÄ", AUTH_FAILED),
        ("v1:{kid}:AA:BB", AUTH_FAILED),  # a colon belongs to the body, not a fourth field
    ],
)
def test_malformed_or_unknown_values_fail_closed(token, message):
    ring = crypto.Keyring.from_strings(TEST_KEYS[:1])
    with pytest.raises(crypto.DecryptionError, match=message):
        ring.decrypt(token.format(kid=ring.primary), context="row:1")


def test_a_tampered_value_fails_closed():
    ring = crypto.Keyring.from_strings(TEST_KEYS[:1])
    version, kid, body = ring.encrypt("s3cret-value", context="row:1").split(":")
    blob = bytearray(base64.urlsafe_b64decode(body))
    blob[-1] ^= 1
    tampered = f"{version}:{kid}:{base64.urlsafe_b64encode(bytes(blob)).decode()}"
    with pytest.raises(crypto.DecryptionError, match=AUTH_FAILED):
        ring.decrypt(tampered, context="row:1")


def test_every_listed_key_decrypts_and_the_first_encrypts():
    old = crypto.Keyring.from_strings(TEST_KEYS[:1])
    token = old.encrypt("s3cret-value", context="row:1")
    ring = crypto.Keyring.from_strings([f"  {TEST_KEYS[1]}\n", "", "  ", TEST_KEYS[0]])
    assert ring.primary == crypto.Keyring.from_strings(TEST_KEYS[1:2]).primary != old.primary
    assert sorted(ring.keys) == sorted([old.primary, ring.primary])
    assert ring.decrypt(token, context="row:1") == "s3cret-value"
    assert ring.needs_rotation(token)
    assert ring.encrypt("x", context="c").startswith(f"v1:{ring.primary}:")


def test_a_key_listed_twice_counts_once():
    ring = crypto.Keyring.from_strings([TEST_KEYS[0], TEST_KEYS[1], TEST_KEYS[0]])
    assert ring.primary == crypto.Keyring.from_strings(TEST_KEYS[:1]).primary
    assert len(ring.keys) == 2


def test_reencrypt_moves_a_value_to_the_primary_key_once():
    old = crypto.Keyring.from_strings(TEST_KEYS[:1])
    ring = crypto.Keyring.from_strings([TEST_KEYS[1], TEST_KEYS[0]])
    token = old.encrypt("s3cret-value", context="row:1")
    moved = ring.reencrypt(token, context="row:1")
    assert moved.startswith(f"v1:{ring.primary}:")
    assert ring.decrypt(moved, context="row:1") == "s3cret-value"
    assert ring.reencrypt(moved, context="row:1") == moved  # already there: unchanged
    with pytest.raises(crypto.DecryptionError, match=AUTH_FAILED):
        ring.reencrypt(moved, context="row:2")  # unchanged, but still proven readable
    with pytest.raises(crypto.DecryptionError, match=AUTH_FAILED):
        ring.reencrypt(token, context="row:2")


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ([], r"^No encryption key is configured\.$"),
        (["", "   "], r"^No encryption key is configured\.$"),
        (["not base64 !"], r"^Encryption key #1 is not urlsafe base64\.$"),
        ([TEST_KEYS[0], "ключ"], r"^Encryption key #2 is not urlsafe base64\.$"),
        ([TEST_KEYS[0], "c2hvcnQ="], r"^Encryption key #2 must decode to 32 bytes\.$"),
        (["", TEST_KEYS[0], "", "c2hvcnQ="], r"^Encryption key #2 must decode to 32 bytes\.$"),
    ],
)
def test_bad_key_configuration_names_the_key(keys, message):
    """The operator reads which entry of PORTAL_ENCRYPTION_KEYS is wrong (blank entries
    are not counted), never the key itself."""
    with pytest.raises(crypto.KeyConfigurationError, match=message):
        crypto.Keyring.from_strings(keys)


def test_generated_keys_are_fresh_and_usable():
    first, second = crypto.generate_key(), crypto.generate_key()
    assert first != second
    assert len(base64.urlsafe_b64decode(first)) == 32
    crypto.Keyring.from_strings([first])


def test_development_key_file_is_created_once(tmp_path, settings, caplog):
    settings.PORTAL_ENCRYPTION_KEYS = []
    settings.PORTAL_ENCRYPTION_KEY_FILE = tmp_path / "dev.key"
    crypto.active_keyring.cache_clear()
    with caplog.at_level(logging.WARNING, logger="accessportal.crypto"):
        first = crypto.active_keyring().primary
    assert [r.getMessage() for r in caplog.records] == [
        f"PORTAL_ENCRYPTION_KEYS is not set: generated a development key in {tmp_path}/dev.key."
        " Set PORTAL_ENCRYPTION_KEYS in production."
    ]
    key = (tmp_path / "dev.key").read_text()
    assert key.endswith("\n") and key.strip() not in caplog.text
    assert (tmp_path / "dev.key").stat().st_mode & 0o777 == 0o600
    caplog.clear()
    crypto.active_keyring.cache_clear()
    assert crypto.active_keyring().primary == first
    assert crypto.active_keyring() is crypto.active_keyring()  # cached
    assert not caplog.records  # an existing file is simply read


def test_write_private_never_overwrites(tmp_path):
    path = tmp_path / "secret"
    crypto.write_private(path, "one")
    with pytest.raises(FileExistsError):
        crypto.write_private(path, "two")
    assert path.read_text() == "one"


def test_module_functions_use_the_configured_keys(settings):
    settings.PORTAL_ENCRYPTION_KEYS = [KNOWN["key"]]
    crypto.active_keyring.cache_clear()
    assert crypto.decrypt(KNOWN["token"], context=KNOWN["context"]) == KNOWN["plaintext"]
    token = crypto.encrypt("s3cret-value", context="row:1")
    assert token.startswith(f"v1:{KNOWN['key_id']}:")
    assert crypto.decrypt(token, context="row:1") == "s3cret-value"


# Known answer (2026-11-29): stored fingerprints must keep matching after an upgrade.
KNOWN_FINGERPRINT = "82b1d376:1ec25a69d93af15efdaac70835afd41d949df9809bf18893e0fe3e5979cc8154"


def test_fingerprints_are_keyed_per_purpose_and_stable():
    ring = crypto.Keyring.from_strings([KNOWN["key"]])
    assert ring.fingerprint(KNOWN["plaintext"], purpose="api_key") == KNOWN_FINGERPRINT
    same = ring.fingerprint(KNOWN["plaintext"], purpose="api_key", kid=KNOWN["key_id"])
    assert same == KNOWN_FINGERPRINT
    others = {
        ring.fingerprint(KNOWN["plaintext"], purpose="password"),
        ring.fingerprint(KNOWN["plaintext"] + "x", purpose="api_key"),
        ring.fingerprint("", purpose="api_key\0" + KNOWN["plaintext"]),
        crypto.Keyring.from_strings(TEST_KEYS[:1]).fingerprint(
            KNOWN["plaintext"], purpose="api_key"
        ),
    }
    assert KNOWN_FINGERPRINT not in others and len(others) == 4


def test_fingerprints_under_every_key_primary_first(settings):
    ring = crypto.Keyring.from_strings([TEST_KEYS[0], KNOWN["key"]])
    found = ring.fingerprints(KNOWN["plaintext"], purpose="api_key")
    assert found[1] == KNOWN_FINGERPRINT
    assert found[0].startswith(f"{ring.primary}:") and len(found) == 2
    settings.PORTAL_ENCRYPTION_KEYS = [TEST_KEYS[0], KNOWN["key"]]
    crypto.active_keyring.cache_clear()
    assert crypto.fingerprints(KNOWN["plaintext"], purpose="api_key") == found
    assert crypto.fingerprint(KNOWN["plaintext"], purpose="api_key") == found[0]
