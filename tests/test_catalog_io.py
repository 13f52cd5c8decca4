"""Export and import: a backup restores every field, and a bad file changes nothing."""

from __future__ import annotations

import copy
import io
import json
import stat
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from accessportal import audit, catalog_io, crypto
from accessportal.models import (
    ApplicationAccess,
    AuditAction,
    AuditEvent,
    Deployment,
    IamCredential,
    Membership,
    Mode,
    Role,
    Status,
    Workspace,
)
from tests import factories
from tests.conftest import TEST_KEYS

PASSPHRASE = "a long export passphrase"
CATALOG_MODELS = (Workspace, Membership, Deployment, ApplicationAccess, IamCredential, AuditEvent)
NATURAL = {"workspace": "code", "user": "username", "created_by": "username", "actor": "username"}


@pytest.fixture(autouse=True)
def _cheaper_key_derivation(request, monkeypatch):
    # The smallest work factor a file may carry; the round trip keeps the real one.
    if not request.node.name.startswith("test_round_trip"):
        monkeypatch.setattr(catalog_io.sealing, "KDF_PARAMS", {"n": 2**14, "r": 8, "p": 1})


def use_keys(settings, keys: list[str]) -> None:
    settings.PORTAL_ENCRYPTION_KEYS = keys
    crypto.active_keyring.cache_clear()


def snapshot() -> dict:
    """Every field of every catalog row, keyed by code; relations by natural key, secrets
    decrypted (their ciphertext differs after an import by design: new nonce, new key)."""
    state: dict = {}
    for model in CATALOG_MODELS:
        rows = {}
        for obj in model.objects.all():
            row = {}
            for field in model._meta.concrete_fields:
                # Ciphertexts and key fingerprints differ after an import by design: new
                # nonce, new key (checked on their own below).
                if field.primary_key or field.name.endswith(("_ciphertext", "_fingerprint")):
                    continue
                value = getattr(obj, field.name)
                if isinstance(field, models.ForeignKey):
                    value = getattr(value, NATURAL[field.name], None) if value else None
                row[field.name] = value
            for secret in getattr(model, "SECRETS", ()):
                row[secret.label] = secret.read(obj)
            if model is ApplicationAccess:
                row["deployments"] = sorted(str(d.code) for d in obj.deployments.all())
            rows[str(obj.code)] = row
        state[model.__name__] = rows
    return state


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (*CATALOG_MODELS, User)}


@pytest.fixture
def catalog(world):
    """The personas' catalog with every kind of value filled in somewhere."""
    now = timezone.now()
    cloud = factories.make_deployment(world.alpha, name="Cloud chat")
    edge_lb = factories.make_deployment(
        world.alpha,
        name="Edge LB",
        mode=Mode.EDGE_LB,
        elb_ip="2001:db8::10",
        elb_port=8443,
        api_url="svc/chat",
        serves_v2=False,
        status=Status.STOPPED,
        v1_path_override="https://gw.example.test/prefix/v1/p/deployments/d/chat/completions",
    )
    factories.make_deployment(
        world.beta, name="Node", mode=Mode.EDGE_NODE, node_ip="192.0.2.7", host_port=31000
    )
    all_services = factories.make_access(
        world.alpha, key="sk-all-services-0123456789abcdef", name="shared"
    )
    all_services.created_by = world.admin
    all_services.last_check = {"v1": {"status": 200}, "v2": {"status": 401, "error": "bad key"}}
    all_services.last_checked_at = now - timedelta(hours=1)
    all_services.last_used_at = now - timedelta(minutes=5)
    all_services.save()
    factories.make_access(
        world.alpha,
        key="sk-selected-abcdef0123456789",
        name="selected",
        deployments=[cloud, edge_lb],
        description="Only two of them.\nSecond line, ünïcode.",
        expires_at=now + timedelta(days=30),
        disabled=True,
        key_rotated_at=now - timedelta(days=2),
    )
    factories.make_credential(world.alpha, password="iam-pässword-1", name="ops robot")
    factories.make_credential(world.beta, password="iam-password-2", created_by=world.outsider)
    audit.record(
        workspace=world.alpha,
        actor=world.admin,
        action=AuditAction.ACCESS_CREATE,
        target="shared",
        summary="Scope: all services; key sk-******def",
        ip="203.0.113.5",
    )
    audit.record(
        workspace=world.beta, actor=None, action=AuditAction.WORKSPACE_UPDATE, target="Beta"
    )
    return world


def export_file(tmp_path, monkeypatch, *, with_secrets: bool = True) -> tuple:
    monkeypatch.setenv("CATALOG_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "catalog.json"
    options = {"with_secrets": True, "passphrase_env": "CATALOG_PASSPHRASE"} if with_secrets else {}
    call_command("export_catalog", output=str(path), **options)
    return path, json.loads(path.read_text())


def fresh_database_with_the_same_users(usernames: list[str]) -> None:
    call_command("flush", interactive=False, verbosity=0)
    for name in usernames:
        User.objects.create_user(name, password="another password 1")


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_a_fresh_database_with_other_keys_loses_nothing(
    catalog, tmp_path, monkeypatch, settings
):
    before = snapshot()
    assert before["ApplicationAccess"] and before["IamCredential"] and before["AuditEvent"]
    path, data = export_file(tmp_path, monkeypatch)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    for plain in ("sk-all-services-0123456789abcdef", "iam-pässword-1", "iam-password-2"):
        assert plain not in text  # sealed under the passphrase, not in the clear
    assert not any(k in text for k in TEST_KEYS)  # the portal's keys never leave it

    usernames = list(User.objects.values_list("username", flat=True))
    fresh_database_with_the_same_users(usernames)
    assert Workspace.objects.count() == 0
    use_keys(settings, [TEST_KEYS[1]])  # the new portal has keys of its own

    call_command("import_catalog", str(path), passphrase_env="CATALOG_PASSPHRASE")

    assert snapshot() == before
    new_kid = crypto.active_keyring().primary
    for access in ApplicationAccess.objects.all():
        assert access.api_key_ciphertext.startswith(f"v1:{new_kid}:")
        assert access.api_key_fingerprint == crypto.fingerprint(access.api_key(), purpose="api_key")
    for credential in IamCredential.objects.all():
        assert credential.password_ciphertext.startswith(f"v1:{new_kid}:")
    assert data["secrets"]["n"] == 2**17
    assert catalog_io.summarize(data) == {
        "workspaces": 2,
        "members": 4,
        "deployments": 3,
        "accesses": 2,
        "iam_credentials": 2,
        "audit_events": 2,
    }


def test_export_without_secrets_holds_none_and_imports_only_as_structure(
    catalog, tmp_path, monkeypatch
):
    path, data = export_file(tmp_path, monkeypatch, with_secrets=False)
    assert data["secrets"] is None
    text = path.read_text()
    assert "sk-all-services" not in text and "iam-p" not in text
    assert "_ciphertext" not in text and "v1:" not in text
    assert data["workspaces"][0]["accesses"][0]["key_hint"]  # the mask is kept for review

    Workspace.objects.all().delete()
    before = counts()
    with pytest.raises(CommandError, match="exported without --with-secrets"):
        call_command("import_catalog", str(path))
    assert counts() == before

    call_command("import_catalog", str(path), structure_only=True)
    assert Workspace.objects.count() == 2 and Deployment.objects.count() == 3
    assert Membership.objects.count() == 4 and AuditEvent.objects.count() == 2
    assert ApplicationAccess.objects.count() == 0 and IamCredential.objects.count() == 0


@pytest.fixture
def exported(catalog, tmp_path, monkeypatch):
    """A secrets file of the catalog, and a database emptied of the catalog (users kept)."""
    _path, data = export_file(tmp_path, monkeypatch)
    Workspace.objects.all().delete()
    return data


def refused(data, match: str, **options) -> None:
    before = counts()
    with pytest.raises(catalog_io.CatalogError, match=match):
        catalog_io.apply_import(data, **({"passphrase": PASSPHRASE} | options))
    assert counts() == before


def test_truncated_file_is_refused_with_nothing_changed(exported, tmp_path):
    path = tmp_path / "truncated.json"
    text = json.dumps(exported)
    path.write_text(text[: len(text) // 2])
    before = counts()
    with pytest.raises(CommandError, match=r"not valid JSON.*truncated"):
        call_command("import_catalog", str(path))
    assert counts() == before


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_catalog", str(tmp_path / "nope.json"))


def test_wrong_format_or_schema_version(exported):
    refused({"hello": "world"}, "Not an Access Portal catalog file")
    refused(exported | {"schema_version": 2}, "Unsupported schema version 2")


def test_wrong_passphrase(exported):
    refused(exported, "Wrong passphrase", passphrase="not the passphrase at all")
    refused(exported, "passphrase is needed", passphrase=None)


def test_member_whose_username_does_not_exist(exported):
    User.objects.filter(username="viewer").delete()
    refused(exported, "do not exist here: viewer")


def test_a_bad_value_in_the_last_workspace_leaves_the_first_unwritten(exported):
    data = copy.deepcopy(exported)
    data["workspaces"][-1]["deployments"][0]["host_port"] = 70000
    refused(data, r"workspaces\[1\] \('Beta'\)\.deployments\[0\]: host_port")
    data = copy.deepcopy(exported)
    data["workspaces"][-1]["deployments"][0]["mode"] = "moon"
    refused(data, "mode")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda w: w.pop("region"), r"workspaces\[0\]: missing region"),
        (lambda w: w.update(surprise=1), "unknown field"),
        (lambda w: w["deployments"][0].update(elb_port="80"), "expected an integer"),
        (lambda w: w["deployments"][0].update(created_at="yesterday"), "ISO 8601"),
        (lambda w: w["deployments"][0].update(created_at="2026-01-01T10:00:00"), "time zone"),
        (lambda w: w["accesses"][0].update(deployments="all"), "list of codes"),
        (lambda w: w["members"][0].update(code="x"), "expected a UUID"),
        (lambda w: w.update(accesses={}), "expected a list"),
    ],
)
def test_wrong_shapes_are_named(exported, change, match):
    data = copy.deepcopy(exported)
    change(data["workspaces"][0])
    refused(data, match)


def test_a_sealed_key_moved_to_another_row_does_not_open(exported):
    data = copy.deepcopy(exported)
    first, second = data["workspaces"][0]["accesses"]
    first["api_key"], second["api_key"] = second["api_key"], first["api_key"]
    refused(data, r"accesses\[0\]\.api_key: sealed value does not open")


def test_an_access_naming_another_workspaces_deployment(exported):
    data = copy.deepcopy(exported)
    stranger = data["workspaces"][1]["deployments"][0]["code"]
    data["workspaces"][0]["accesses"][1]["deployments"].append(stranger)
    refused(data, "is not a deployment of this workspace")


def test_importing_what_is_already_there_is_refused(catalog, tmp_path, monkeypatch):
    _path, data = export_file(tmp_path, monkeypatch)
    refused(data, "already in the database")


def test_crafted_key_derivation_parameters_are_bounded(exported):
    data = copy.deepcopy(exported)
    data["secrets"]["n"] = 2**30
    refused(data, r"secrets\.n")


def test_short_passphrase_is_refused(catalog, monkeypatch, tmp_path):
    monkeypatch.setenv("SHORT", "tiny")
    with pytest.raises(CommandError, match="at least 12"):
        call_command(
            "export_catalog",
            output=str(tmp_path / "x.json"),
            with_secrets=True,
            passphrase_env="SHORT",
        )
    assert not (tmp_path / "x.json").exists()


def test_export_refuses_a_secret_it_cannot_decrypt(catalog, settings, tmp_path, monkeypatch):
    use_keys(settings, [TEST_KEYS[1]])
    with pytest.raises(CommandError, match="does not decrypt with the configured keys"):
        export_file(tmp_path, monkeypatch)
    assert not (tmp_path / "catalog.json").exists()


def test_no_terminal_and_no_passphrase_env(catalog, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="--passphrase-env"):
        call_command("export_catalog", output=str(tmp_path / "x.json"), with_secrets=True)


def test_creators_that_do_not_exist_become_nobody(exported):
    User.objects.filter(username="outsider").update(username="someone-else")
    data = copy.deepcopy(exported)
    for w in data["workspaces"]:
        w["members"] = [m for m in w["members"] if m["username"] != "outsider"]
    catalog_io.apply_import(data, passphrase=PASSPHRASE)
    credential = IamCredential.objects.get(workspace__name="Beta")
    assert credential.created_by is None and credential.password() == "iam-password-2"


def test_export_to_stdout(catalog, capsys):
    call_command("export_catalog")
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "accessportal-catalog" and data["schema_version"] == 1
    assert {w["name"] for w in data["workspaces"]} == {"Alpha", "Beta"}
    assert data["workspaces"][0]["members"][0]["role"] in Role.values


def test_restore_onto_a_fresh_database_creates_missing_members(catalog, tmp_path, monkeypatch):
    """--create-missing-users: members become users who cannot sign in until a reset."""
    path, _data = export_file(tmp_path, monkeypatch)
    members = sorted(Membership.objects.values_list("user__username", flat=True).distinct())
    Workspace.objects.all().delete()
    User.objects.filter(username__in=["viewer", "outsider"]).delete()
    with pytest.raises(CommandError, match="--create-missing-users"):
        call_command("import_catalog", str(path), passphrase_env="CATALOG_PASSPHRASE")
    assert not Workspace.objects.exists()
    out = io.StringIO()
    call_command(
        "import_catalog",
        str(path),
        passphrase_env="CATALOG_PASSPHRASE",
        create_missing_users=True,
        stdout=out,
    )
    assert "Created 2 user(s) without a usable password: outsider, viewer" in out.getvalue()
    assert sorted(Membership.objects.values_list("user__username", flat=True).distinct()) == (
        members
    )
    for name in ("viewer", "outsider"):
        user = User.objects.get(username=name)
        assert not user.has_usable_password() and user.is_active and not user.is_staff
    assert User.objects.get(username="admin").has_usable_password()  # existing users untouched


def test_a_file_username_that_cannot_be_a_username_is_refused(exported):
    data = copy.deepcopy(exported)
    data["workspaces"][0]["members"][0]["username"] = "bad name with spaces"
    refused(data, "cannot be a username here", create_missing_users=True)
    assert not User.objects.filter(username="bad name with spaces").exists()
