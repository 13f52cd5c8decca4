"""Workflows that change the catalog. Each runs in one transaction with its audit row,
so a failure leaves both the data and the log as they were. (The key check,
which the monitor makes, keeps its own such transaction in monitor/results.py.)"""

from __future__ import annotations

import functools

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accessportal import audit
from accessportal.changes import describe_form
from accessportal.models import (
    ApplicationAccess,
    AuditAction,
    Deployment,
    Membership,
    Mode,
    Role,
    Status,
    Workspace,
)


class LastAdminError(Exception):
    """Removing or demoting this member would leave the workspace without an admin."""


def choice_label(choices, value: str) -> str:
    """What ``get_FOO_display()`` shows, from the choices' enum: Django's builds a dict of
    every choice per call, a third of a 5,000-row import's audit log."""
    return str(choices(value).label) if value in choices.values else value


def role_label(role: str) -> str:
    return choice_label(Role, role)


def describe_deployment(deployment: Deployment) -> str:
    versions = "+".join(v.upper() for v in deployment.versions)
    mode, status = choice_label(Mode, deployment.mode), choice_label(Status, deployment.status)
    return f"{mode}, {versions}, {status}"


def describe_scope(access: ApplicationAccess, deployments=None) -> str:
    """``deployments``: the ones a form just set, so as not to read them back (once per
    language of the audit summary)."""
    if access.all_services:
        return _("all services")
    deployments = access.deployments.all() if deployments is None else deployments
    return ", ".join(sorted(d.name for d in deployments)) or _("no services")


def _describe_access(access: ApplicationAccess, creating: bool, form) -> str:
    scope = describe_scope(access, form.cleaned_data.get("deployments"))
    summary = _("Scope: %(scope)s; key %(hint)s") % {"scope": scope, "hint": access.key_hint}
    return summary if creating else f"{summary}; {describe_form(form)}"


def _save_audited(form, *, actor, ip: str | None, actions: tuple[str, str], summary) -> object:
    """Save a catalog form and log it as created or updated; ``summary(obj, creating)``
    describes it (called once per language). Call inside the workflow's transaction."""
    creating = form.instance.pk is None
    if creating and hasattr(form.instance, "created_by_id"):
        form.instance.created_by = actor
    saved = form.save()
    audit.record(
        workspace=saved.workspace,
        actor=actor,
        action=actions[0] if creating else actions[1],
        target=saved.name,
        summary=lambda: summary(saved, creating),
        ip=ip,
    )
    return saved


def _delete_audited(obj, *, actor, ip: str | None, action: str, summary="") -> None:
    """Log first (the row's name is still there), then delete, in one transaction."""
    audit.record(
        workspace=obj.workspace, actor=actor, action=action, target=obj.name, summary=summary, ip=ip
    )
    obj.delete()


@transaction.atomic
def create_workspace(*, form, actor, ip: str | None) -> Workspace:
    workspace = form.save()
    Membership.objects.create(workspace=workspace, user=actor, role=Role.ADMIN)
    audit.record(
        workspace=workspace,
        actor=actor,
        action=AuditAction.WORKSPACE_CREATE,
        target=workspace.name,
        ip=ip,
    )
    return workspace


@transaction.atomic
def save_workspace(*, form, actor, ip: str | None) -> Workspace:
    workspace = form.save()
    audit.record(
        workspace=workspace,
        actor=actor,
        action=AuditAction.WORKSPACE_UPDATE,
        target=workspace.name,
        summary=lambda: describe_form(form),
        ip=ip,
    )
    return workspace


@transaction.atomic
def save_deployment(*, form, actor, ip: str | None) -> Deployment:
    return _save_audited(
        form,
        actor=actor,
        ip=ip,
        actions=(AuditAction.DEPLOYMENT_CREATE, AuditAction.DEPLOYMENT_UPDATE),
        summary=lambda deployment, creating: (
            describe_deployment(deployment) + ("" if creating else f"; {describe_form(form)}")
        ),
    )


@transaction.atomic
def create_deployments(*, forms, actor, ip: str | None) -> list[Deployment]:
    """``save_deployment`` for many new deployments at once (a bulk import): one insert
    for them all, each logged as created the same way."""
    deployments = [form.save(commit=False) for form in forms]
    Deployment.objects.bulk_create(deployments, batch_size=500)
    for deployment in deployments:
        audit.record(
            workspace=deployment.workspace,
            actor=actor,
            action=AuditAction.DEPLOYMENT_CREATE,
            target=deployment.name,
            summary=functools.partial(describe_deployment, deployment),
            ip=ip,
        )
    return deployments


@transaction.atomic
def delete_deployment(*, deployment: Deployment, actor, ip: str | None) -> None:
    _delete_audited(
        deployment,
        actor=actor,
        ip=ip,
        action=AuditAction.DEPLOYMENT_DELETE,
        summary=lambda: describe_deployment(deployment),
    )


@sensitive_variables()
@transaction.atomic
def save_access(*, form, actor, ip: str | None) -> ApplicationAccess:
    return _save_audited(
        form,
        actor=actor,
        ip=ip,
        actions=(AuditAction.ACCESS_CREATE, AuditAction.ACCESS_UPDATE),
        summary=lambda access, creating: _describe_access(access, creating, form),
    )


@sensitive_variables()
@transaction.atomic
def create_accesses(*, forms, actor, ip: str | None) -> list[ApplicationAccess]:
    """``save_access`` for many new accesses at once (a bulk import): one insert for them,
    one for their services, each logged as created the same way. Keys are encrypted one
    by one as ``AccessForm.save`` does (each with its own nonce)."""
    accesses = [form.save(commit=False) for form in forms]
    for access in accesses:
        access.created_by = actor
    ApplicationAccess.objects.bulk_create(accesses, batch_size=500)
    link = ApplicationAccess.deployments.through
    link.objects.bulk_create(
        [
            link(applicationaccess_id=access.pk, deployment_id=deployment.pk)
            for access, form in zip(accesses, forms, strict=True)
            if not access.all_services
            for deployment in form.cleaned_data["deployments"]
        ],
        batch_size=500,
    )
    for access, form in zip(accesses, forms, strict=True):
        audit.record(
            workspace=access.workspace,
            actor=actor,
            action=AuditAction.ACCESS_CREATE,
            target=access.name,
            summary=functools.partial(_describe_access, access, True, form),
            ip=ip,
        )
    return accesses


@transaction.atomic
def set_access_disabled(
    *, access: ApplicationAccess, disabled: bool, actor, ip: str | None
) -> None:
    access.disabled = disabled
    access.save(update_fields=["disabled", "updated_at"])
    audit.record(
        workspace=access.workspace,
        actor=actor,
        action=AuditAction.ACCESS_DISABLE if disabled else AuditAction.ACCESS_ENABLE,
        target=access.name,
        ip=ip,
    )


@sensitive_variables("new_key")
@transaction.atomic
def rotate_access_key(*, access: ApplicationAccess, new_key: str, actor, ip: str | None) -> None:
    old_hint = access.key_hint
    access.set_api_key(new_key)
    access.key_rotated_at = timezone.now()
    # A new key has not been checked yet: the old matrix would mislead.
    access.last_check = {}
    access.last_checked_at = None
    # Only these columns: a concurrent disable or edit must not be overwritten.
    access.save(
        update_fields=[
            "api_key_ciphertext",
            "api_key_fingerprint",
            "key_hint",
            "key_rotated_at",
            "last_check",
            "last_checked_at",
            "updated_at",
        ]
    )
    audit.record(
        workspace=access.workspace,
        actor=actor,
        action=AuditAction.ACCESS_ROTATE,
        target=access.name,
        summary=lambda: (
            _("Key %(old)s replaced by %(new)s") % {"old": old_hint, "new": access.key_hint}
        ),
        ip=ip,
    )


@transaction.atomic
def delete_access(*, access: ApplicationAccess, actor, ip: str | None) -> None:
    _delete_audited(
        access,
        actor=actor,
        ip=ip,
        action=AuditAction.ACCESS_DELETE,
        summary=lambda: _("Key %(hint)s") % {"hint": access.key_hint},
    )


@sensitive_variables("key")
def key_registered_elsewhere(key: str, *, access: ApplicationAccess, user) -> bool:
    """Whether another access, in a workspace ``user`` belongs to, holds the same key.
    Found by fingerprint: no row is decrypted, and the answer names no access."""
    return (
        ApplicationAccess.objects.with_key(key)
        .filter(workspace__memberships__user=user)
        .exclude(pk=access.pk)
        .exists()
    )


@sensitive_variables("key")
def reveal_access_key(*, access: ApplicationAccess, actor, ip: str | None) -> str:
    """Decrypt the key for an admin; the audit row is written before the key leaves."""
    with transaction.atomic():
        key = access.api_key()  # fails closed before anything is logged as revealed
        audit.record(
            workspace=access.workspace,
            actor=actor,
            action=AuditAction.ACCESS_REVEAL,
            target=access.name,
            summary=lambda: _("Key %(hint)s revealed") % {"hint": access.key_hint},
            ip=ip,
        )
    return key


def describe_credential(credential, creating: bool, changes: str) -> str:
    summary = _("IAM user %(user)s@%(domain)s") % {
        "user": credential.iam_user,
        "domain": credential.domain_name,
    }
    return summary if creating else f"{summary}; {changes}"


@sensitive_variables()
@transaction.atomic
def save_credential(*, form, actor, ip: str | None):
    # The password shows up in changed_data only when typed, and only as "(changed)".
    # describe_form reads the form's initial and cleaned data, which saving leaves as
    # they were, so it can run after the save, once per language.
    return _save_audited(
        form,
        actor=actor,
        ip=ip,
        actions=(AuditAction.CREDENTIAL_CREATE, AuditAction.CREDENTIAL_UPDATE),
        summary=lambda credential, creating: describe_credential(
            credential, creating, describe_form(form)
        ),
    )


@transaction.atomic
def delete_credential(*, credential, actor, ip: str | None) -> None:
    _delete_audited(credential, actor=actor, ip=ip, action=AuditAction.CREDENTIAL_DELETE)


@transaction.atomic
def add_member(*, workspace: Workspace, user, role: str, actor, ip: str | None) -> Membership:
    membership = Membership.objects.create(workspace=workspace, user=user, role=role)
    audit.record(
        workspace=workspace,
        actor=actor,
        action=AuditAction.MEMBER_ADD,
        target=user.username,
        summary=lambda: _("Role %(role)s") % {"role": role_label(role)},
        ip=ip,
    )
    return membership


def _ensure_another_admin(membership: Membership) -> None:
    # Lock the workspace's admin rows so two admins demoting each other at once
    # cannot both succeed and leave nobody in charge.
    admins = list(
        Membership.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, role=Role.ADMIN)
        .order_by("pk")  # the same lock order everywhere: no deadlock between two demotions
    )
    if not [a for a in admins if a.pk != membership.pk]:
        raise LastAdminError(_("A workspace needs at least one admin."))


@transaction.atomic
def change_member_role(*, membership: Membership, role: str, actor, ip: str | None) -> None:
    if membership.role == role:
        return
    if membership.role == Role.ADMIN:
        _ensure_another_admin(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        workspace=membership.workspace,
        actor=actor,
        action=AuditAction.MEMBER_ROLE,
        target=membership.user.username,
        summary=lambda: f"{role_label(old)} → {role_label(role)}",
        ip=ip,
    )


@transaction.atomic
def remove_member(*, membership: Membership, actor, ip: str | None) -> None:
    if membership.role == Role.ADMIN:
        _ensure_another_admin(membership)
    audit.record(
        workspace=membership.workspace,
        actor=actor,
        action=AuditAction.MEMBER_REMOVE,
        target=membership.user.username,
        summary=lambda: _("Role %(role)s") % {"role": role_label(membership.role)},
        ip=ip,
    )
    membership.delete()
