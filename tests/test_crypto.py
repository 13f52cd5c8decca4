"""Secrets at rest: authenticated, bound to their row, rotatable, fail closed."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accessportal import crypto
from accessportal.models import ApplicationAccess, IamCredential
from tests import factories
from tests.conftest import TEST_KEYS


def test_round_trip_and_fresh_nonce():
    ring = crypto.Keyring.from_strings(TEST_KEYS[:1])
    first = ring.encrypt("s3cret-value", context="row:1")
    second = ring.encrypt("s3cret-value", context="row:1")
    assert first != second  # a new nonce every time
    assert first.startswith(f"v1:{ring.primary}:")
    assert "s3cret" not in first
    assert ring.decrypt(first, context="row:1") == "s3cret-value"


def test_other_context_fails():
    ring = crypto.Keyring.from_strings(TEST_KEYS[:1])
    token = ring.encrypt("s3cret-value", context="row:1")
    with pytest.raises(crypto.DecryptionError):
        ring.decrypt(token, context="row:2")


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "v1:abc", "v2:x:y", "v1:00000000:AAAA", "v1:{kid}:!!!!", "v1:{kid}:AAAA"],
)
def test_malformed_or_unknown_values_fail_closed(token):
    ring = crypto.Keyring.from_strings(TEST_KEYS[:1])
    with pytest.raises(crypto.DecryptionError):
        ring.decrypt(token.format(kid=ring.primary), context="row:1")


@pytest.mark.parametrize("bad", [[], ["not base64 !"], ["c2hvcnQ="]])
def test_bad_key_configuration_is_refused(bad):
    with pytest.raises(crypto.KeyConfigurationError):
        crypto.Keyring.from_strings(bad)


def test_ciphertext_copied_to_another_row_fails(db):
    ws = factories.make_workspace()
    a = factories.make_access(ws, key="first-key-0123456789")
    b = factories.make_access(ws, key="second-key-0123456789")
    ApplicationAccess.objects.filter(pk=b.pk).update(api_key_ciphertext=a.api_key_ciphertext)
    b.refresh_from_db()
    with pytest.raises(crypto.DecryptionError):
        b.api_key()
    assert a.api_key() == "first-key-0123456789"


def test_rotation_keeps_every_value_readable_and_is_idempotent(db, settings):
    ws = factories.make_workspace()
    accesses = [factories.make_access(ws, key=f"rotate-me-{i}-abcdefgh") for i in range(3)]
    credential = factories.make_credential(ws, password="iam-pass-word")
    old_primary = crypto.active_keyring().primary

    # The procedure: new key first, old key still listed, then rotate.
    settings.PORTAL_ENCRYPTION_KEYS = [TEST_KEYS[1], TEST_KEYS[0]]
    crypto.active_keyring.cache_clear()
    new_primary = crypto.active_keyring().primary
    assert new_primary != old_primary
    call_command("rotate_secrets")

    stored = {a.pk: a.api_key_ciphertext for a in ApplicationAccess.objects.all()}
    assert all(v.startswith(f"v1:{new_primary}:") for v in stored.values())
    call_command("rotate_secrets")  # again: nothing changes
    assert stored == {a.pk: a.api_key_ciphertext for a in ApplicationAccess.objects.all()}

    # The old key can now go; everything still decrypts.
    settings.PORTAL_ENCRYPTION_KEYS = [TEST_KEYS[1]]
    crypto.active_keyring.cache_clear()
    for i, access in enumerate(accesses):
        access.refresh_from_db()
        assert access.api_key() == f"rotate-me-{i}-abcdefgh"
    assert IamCredential.objects.get(pk=credential.pk).password() == "iam-pass-word"


def test_rotation_stops_on_an_unreadable_value_and_changes_nothing(db, settings):
    ws = factories.make_workspace()
    good = factories.make_access(ws, key="good-key-0123456789")
    bad = factories.make_access(ws, key="bad-key-0123456789")
    ApplicationAccess.objects.filter(pk=bad.pk).update(api_key_ciphertext="v1:deadbeef:AAAA")
    settings.PORTAL_ENCRYPTION_KEYS = [TEST_KEYS[1], TEST_KEYS[0]]
    crypto.active_keyring.cache_clear()
    before = ApplicationAccess.objects.get(pk=good.pk).api_key_ciphertext
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("rotate_secrets")
    assert ApplicationAccess.objects.get(pk=good.pk).api_key_ciphertext == before


def test_development_key_file_is_created_once(tmp_path, settings):
    settings.PORTAL_ENCRYPTION_KEYS = []
    settings.PORTAL_ENCRYPTION_KEY_FILE = tmp_path / "dev.key"
    crypto.active_keyring.cache_clear()
    first = crypto.active_keyring().primary
    crypto.active_keyring.cache_clear()
    assert crypto.active_keyring().primary == first
    assert (tmp_path / "dev.key").stat().st_mode & 0o777 == 0o600
