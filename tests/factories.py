"""Plain builders for catalog rows; tests say only what matters to them."""

from __future__ import annotations

import itertools

from accessportal.models import (
    ApplicationAccess,
    Deployment,
    IamCredential,
    Membership,
    PendingImport,
    Workspace,
)

_seq = itertools.count(1)


def make_workspace(name: str = "Team space", **fields) -> Workspace:
    defaults = {
        "region": "cn-southwest-2",
        "project_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "inference_endpoint": "https://pangu.example.test",
        "iam_endpoint": "https://iam.example.test",
    }
    return Workspace.objects.create(name=name, **(defaults | fields))


def add_member(workspace: Workspace, user, role: str) -> Membership:
    return Membership.objects.create(workspace=workspace, user=user, role=role)


def make_deployment(workspace: Workspace, **fields) -> Deployment:
    n = next(_seq)
    defaults = {
        "name": f"Deployment {n}",
        "model_name": f"model-{n}",
        "deployment_id": f"dep{n:04d}",
        "serves_v1": True,
        "serves_v2": True,
    }
    return Deployment.objects.create(workspace=workspace, **(defaults | fields))


def make_access(
    workspace: Workspace,
    key: str | None = None,
    deployments: list[Deployment] | None = None,
    **fields,
) -> ApplicationAccess:
    n = next(_seq)
    access = ApplicationAccess(
        workspace=workspace,
        name=fields.pop("name", f"access-{n}"),
        all_services=deployments is None,
        **fields,
    )
    access.set_api_key(key or f"key{n:04d}abcdefghijklmnopqrstuv")
    access.save()
    if deployments:
        access.deployments.set(deployments)
    return access


def make_credential(workspace: Workspace, password: str = "iam-password-1", **fields):
    n = next(_seq)
    credential = IamCredential(
        workspace=workspace,
        name=fields.pop("name", f"robot-{n}"),
        iam_user=fields.pop("iam_user", "ops-bot"),
        domain_name=fields.pop("domain_name", "acme"),
        project_name=fields.pop("project_name", workspace.region),
        **fields,
    )
    credential.set_password(password)
    credential.save()
    return credential


def make_pending_import(workspace: Workspace, user, content: str = "name\nx\n", kind="deployments"):
    pending = PendingImport(workspace=workspace, kind=kind, created_by=user, filename="x.csv")
    pending.set_content(content)
    pending.save()
    return pending


def make_channel(
    workspace: Workspace,
    kind: str = "webhook",
    url: str = "http://127.0.0.1:9/hook",
    secret: str = "signing-secret-0123456789",
    **fields,
):
    """A notification channel wanting every event (alerts app)."""
    from alerts.models import SUBSCRIBABLE, Channel, WebhookTarget

    n = next(_seq)
    channel = Channel(
        workspace=workspace,
        kind=kind,
        name=fields.pop("name", f"channel-{n}"),
        events=fields.pop("events", [k.value for k in SUBSCRIBABLE]),
        **fields,
    )
    if kind == "email":
        channel.recipients = channel.recipients or "ops@example.test"
    else:
        channel.set_target(WebhookTarget(url=url, secret=secret))
        channel.target_hint = "http://127.0.0.1:9/…"
    channel.save()
    return channel


def make_test_call(workspace: Workspace, **fields):
    """A recorded test call, as the history keeps it (no call is made)."""
    from chat.models import TestCall

    values = {
        "deployment_name": "chat",
        "username": "someone",
        "api_version": "v1",
        "auth_mode": "api_key",
        "auth_label": "team (abc******xyz)",
        "status_code": 200,
        "latency_ms": 120,
    } | fields
    return TestCall.objects.create(workspace=workspace, **values)


def make_prompt(workspace: Workspace, body: dict | None = None, **fields):
    """A saved prompt with its first version (prompts app), as the form saves it."""
    from prompts import services

    n = next(_seq)
    return services.create(
        workspace=workspace,
        actor=None,
        name=fields.pop("name", f"prompt-{n}"),
        description=fields.pop("description", ""),
        body=body or {"messages": [{"role": "user", "content": "Hello {{name}}"}]},
    )
