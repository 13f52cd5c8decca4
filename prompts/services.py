"""Saving, editing, restoring and deleting prompts: each in one transaction with its
version and its audit event."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accessportal import audit
from accessportal.models import AuditAction
from prompts import versions
from prompts.models import Prompt, PromptVersion


def _version(prompt: Prompt, actor, found: list) -> PromptVersion:
    return PromptVersion.objects.create(
        prompt=prompt,
        number=prompt.version,
        name=prompt.name,
        description=prompt.description,
        body=prompt.body,
        changes=found,
        author=actor if getattr(actor, "pk", None) else None,
        author_name=getattr(actor, "username", "") or "system",
        created_at=prompt.updated_at,
    )


def create(*, workspace, actor, name: str, description: str, body: dict, ip=None) -> Prompt:
    with transaction.atomic():
        prompt = Prompt.objects.create(
            workspace=workspace, name=name, description=description, body=body
        )
        _version(prompt, actor, [["created", {}]])
        audit.record(
            workspace=workspace,
            actor=actor,
            action=AuditAction.PROMPT_CREATE,
            target=name,
            summary=lambda: _("Prompt “%(name)s” saved (version 1).") % {"name": name},
            ip=ip,
        )
    return prompt


def _new_version(prompt: Prompt, actor, build, action, ip) -> PromptVersion | None:
    """Append a version: ``build(current_snapshot)`` gives ``(snapshot, changes)`` from the
    prompt as it is in the database, read under a row lock, so two saves at once get
    numbers one after the other and each one's changes are against the version before it.
    Nothing is written when there is no change."""
    with transaction.atomic():
        locked = Prompt.objects.select_for_update().select_related("workspace").get(pk=prompt.pk)
        snapshot, found = build(locked.snapshot())
        if not found:
            return None
        locked.name = snapshot["name"]
        locked.description = snapshot["description"]
        locked.body = snapshot["body"]
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        version = _version(locked, actor, found)
        audit.record(
            workspace=locked.workspace,
            actor=actor,
            action=action,
            target=locked.name,
            summary=lambda: (
                _("Prompt “%(name)s” version %(number)s: %(changes)s")
                % {
                    "name": locked.name,
                    "number": locked.version,
                    "changes": versions.summary(found),
                }
            ),
            ip=ip,
        )
    prompt.refresh_from_db()
    return version


def edit(prompt: Prompt, *, actor, snapshot: dict, ip=None) -> PromptVersion | None:
    """A new version when something changed; None (and nothing written) when not."""

    def build(current: dict):
        return snapshot, versions.changes(current, snapshot)

    return _new_version(prompt, actor, build, AuditAction.PROMPT_UPDATE, ip)


def restore(prompt: Prompt, old: PromptVersion, *, actor, ip=None) -> PromptVersion:
    """A new version with the fields of ``old``: history is only ever added to."""

    def build(current: dict):
        target = old.snapshot()
        return target, [["restored", {"number": old.number}], *versions.changes(current, target)]

    return _new_version(prompt, actor, build, AuditAction.PROMPT_RESTORE, ip)


def delete(prompt: Prompt, *, actor, ip=None) -> None:
    with transaction.atomic():
        name, workspace = prompt.name, prompt.workspace
        prompt.delete()
        audit.record(
            workspace=workspace,
            actor=actor,
            action=AuditAction.PROMPT_DELETE,
            target=name,
            summary=lambda: _("Prompt “%(name)s” deleted with its versions.") % {"name": name},
            ip=ip,
        )
