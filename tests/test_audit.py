from __future__ import annotations

import pytest

from accessportal.audit import record
from accessportal.models import AuditEvent


def test_filter_newest_first_and_paginated(world, admin_client):
    for i in range(60):
        record(workspace=world.alpha, actor=world.admin, action="access.create", target=f"a{i}")
    record(workspace=world.alpha, actor=world.admin, action="member.add", target="someone")
    record(workspace=world.beta, actor=world.outsider, action="member.add", target="elsewhere")
    base = f"/w/{world.alpha.code}/audit/"
    first = admin_client.get(base)
    rows = list(first.context["page"].object_list)
    assert len(rows) == 50 and rows[0].target == "someone"
    assert "Page 1 of 2" in first.content.decode()
    filtered = admin_client.get(base + "?action=member.add").context["page"].object_list
    assert [e.target for e in filtered] == ["someone"]
    second = admin_client.get(base + "?action=access.create&page=2")
    assert [e.target for e in second.context["page"].object_list][-1] == "a0"
    assert "elsewhere" not in first.content.decode()


def test_bad_filter_values_do_not_break_the_page(world, admin_client):
    response = admin_client.get(f"/w/{world.alpha.code}/audit/?action=nope&page=zzz")
    assert response.status_code == 200


def test_events_are_append_only(world):
    event = record(workspace=world.alpha, actor=world.admin, action="member.add", target="x")
    event.summary = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == ""


def test_failed_change_writes_no_audit_row(world, admin_client):
    admin_client.post(
        f"/w/{world.alpha.code}/access/new/", {"name": "x", "scope": "all", "api_key": "bad key"}
    )
    assert not AuditEvent.objects.exists()


def test_a_failure_after_saving_rolls_the_change_back(world, monkeypatch):
    """The row and its audit entry commit together: if writing the entry fails, the
    saved row is rolled back too."""
    from accessportal import audit, services
    from accessportal.forms import AccessForm
    from accessportal.models import ApplicationAccess

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit, "record", broken)
    form = AccessForm(
        {"name": "x", "scope": "all", "api_key": "good-key-0123456789"},
        workspace=world.alpha,
        with_key=True,
    )
    assert form.is_valid(), form.errors
    with pytest.raises(RuntimeError, match="audit store down"):  # the injected failure
        services.save_access(form=form, actor=world.admin, ip=None)
    assert not ApplicationAccess.objects.exists()
    assert not AuditEvent.objects.exists()


def test_rerouting_a_deployment_or_the_iam_endpoint_is_logged_with_both_values(world, admin_client):
    from tests import factories

    deployment = factories.make_deployment(
        world.alpha, name="Chat", model_name="m", deployment_id="d1"
    )
    admin_client.post(
        f"/w/{world.alpha.code}/deployments/{deployment.code}/edit/",
        {
            "name": "Chat",
            "source": "my_service",
            "status": "running",
            "mode": "cloud",
            "deployment_id": "d1",
            "serves_v1": "on",
            "model_name": "m",
            "v1_path_override": "https://elsewhere.example.test/v1/x",
        },
    )
    event = AuditEvent.objects.get(action="deployment.update")
    assert "V1 call path override (— → https://elsewhere.example.test/v1/x)" in event.summary
    admin_client.post(
        f"/w/{world.alpha.code}/settings/",
        {
            "name": "Alpha",
            "region": "cn-southwest-2",
            "project_id": world.alpha.project_id,
            "inference_endpoint": world.alpha.inference_endpoint,
            "iam_endpoint": "https://iam.other.test",
        },
    )
    event = AuditEvent.objects.get(action="workspace.update")
    assert "IAM endpoint (https://iam.example.test → https://iam.other.test)" in event.summary


def test_change_descriptions_are_old_to_new_and_secrets_only_changed():
    from datetime import UTC, datetime

    from accessportal.changes import describe, shown

    summary = describe(
        ["name", "disabled", "expires_at", "password", "description"],
        {"name": "a", "disabled": False, "expires_at": None, "password": None},
        {
            "name": "b",
            "disabled": True,
            "expires_at": datetime(2027, 1, 2, 3, 4, tzinfo=UTC),
            "password": "hunter2-secret",
            "description": "line one\nline two " + "x" * 200,
        },
    )
    assert summary.startswith("Changed: name (a → b), disabled (no → yes), ")
    assert "expires_at (— → 2027-01-02 03:04 UTC)" in summary
    assert "password (changed)" in summary and "hunter2" not in summary
    assert "description (— → line one line two xxx" in summary and "x" * 100 not in summary
    assert describe([], {}, {}) == "No change"
    assert shown(["b", "a"]) == "a, b"


def test_access_edit_records_each_change(world, admin_client):
    from tests import factories

    chat = factories.make_deployment(world.alpha, name="Chat")
    factories.make_deployment(world.alpha, name="Code")
    access = factories.make_access(world.alpha, name="team", description="old words")
    admin_client.post(
        f"/w/{world.alpha.code}/access/{access.code}/edit/",
        {
            "name": "team-chat",
            "description": "new words",
            "scope": "selected",
            "deployments": [chat.pk],
            "expires_at": "2099-03-04T05:06",
        },
    )
    event = AuditEvent.objects.get(action="access.update")
    for part in (
        "Name (team → team-chat)",
        "Description (old words → new words)",
        "Associated services (all → selected)",
        "Services (— → Chat)",
        "Expires (— → 2099-03-04 05:06 UTC)",
    ):
        assert part in event.summary
    page = admin_client.get(f"/w/{world.alpha.code}/audit/").content.decode()
    assert "Name (team → team-chat)" in page and "Services (— → Chat)" in page


def test_credential_edit_says_the_password_changed_and_nothing_more(world, admin_client):
    from tests import factories

    credential = factories.make_credential(world.alpha, name="robot", password="old-Pa55word")
    admin_client.post(
        f"/w/{world.alpha.code}/credentials/{credential.code}/edit/",
        {
            "name": "robot",
            "iam_user": "ops-bot-2",
            "domain_name": "acme",
            "project_name": credential.project_name,
            "password": "new-Pa55word-canary",
        },
    )
    event = AuditEvent.objects.get(action="credential.update")
    assert "IAM user name (ops-bot → ops-bot-2)" in event.summary
    assert "IAM password (changed)" in event.summary
    assert "canary" not in event.summary and "Pa55" not in event.summary
