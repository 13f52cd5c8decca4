"""Secrets in the database: bound to their row, rotatable, and readable after an upgrade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accessportal import crypto
from accessportal.models import ApplicationAccess, IamCredential, Workspace
from tests import factories
from tests.conftest import TEST_KEYS

KNOWN = Path(__file__).parent / "fixtures" / "known_answers"


def test_ciphertext_copied_to_another_row_fails(db):
    ws = factories.make_workspace()
    a = factories.make_access(ws, key="first-key-0123456789")
    b = factories.make_access(ws, key="second-key-0123456789")
    ApplicationAccess.objects.filter(pk=b.pk).update(api_key_ciphertext=a.api_key_ciphertext)
    b.refresh_from_db()
    with pytest.raises(crypto.DecryptionError, match="failed authentication"):
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


def test_an_export_made_on_2026_11_29_still_imports_with_its_secrets(db, monkeypatch):
    """Known answer: a file exported by an older portal must import, secrets included,
    for as long as its format version is accepted (test-only passphrase, see README)."""
    path = KNOWN / "catalog-export-2026-11-29.json"
    monkeypatch.setenv("KNOWN_PASSPHRASE", "test-only known-answer passphrase")
    call_command("import_catalog", str(path), passphrase_env="KNOWN_PASSPHRASE")

    workspace = Workspace.objects.get(code=json.loads(path.read_text())["workspaces"][0]["code"])
    access = ApplicationAccess.objects.get(workspace=workspace)
    assert (access.name, access.api_key()) == ("known access", "known-export-api-key-0123456789")
    assert [d.deployment_id for d in access.deployments.all()] == ["dep-known-1"]
    credential = IamCredential.objects.get(workspace=workspace)
    assert credential.password() == "known-export-iam-pässword"
