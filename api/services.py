"""Issuing and revoking personal API tokens, audited in every workspace they reach."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accessportal import audit
from accessportal.models import AuditAction, Workspace
from api import tokens
from api.models import ApiToken


def reachable_workspaces(token: ApiToken):
    restricted = token.workspaces.all()
    if restricted.exists():
        return restricted.filter(memberships__user_id=token.user_id)
    return Workspace.objects.filter(memberships__user_id=token.user_id)


def describe(token: ApiToken) -> str:
    expiry = token.expires_at.strftime("%Y-%m-%d %H:%M UTC") if token.expires_at else "never"
    return f"{token.prefix}… “{token.name}”, scopes {'+'.join(token.scopes)}, expires {expiry}"


@transaction.atomic
def issue_token(*, form, user, ip: str | None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token text, shown once."""
    text = tokens.generate()
    token = ApiToken.objects.create(
        user=user,
        name=form.cleaned_data["name"],
        prefix=tokens.visible_prefix(text),
        digest=tokens.digest(text),
        can_write=form.cleaned_data["can_write"],
        can_read_secrets=form.cleaned_data["can_read_secrets"],
        expires_at=form.expires_at(),
    )
    token.workspaces.set(form.cleaned_data["workspaces"])
    token.accesses.set(form.cleaned_data["accesses"])
    for workspace in reachable_workspaces(token):
        audit.record(
            workspace=workspace,
            actor=user,
            action=AuditAction.TOKEN_CREATE,
            target=token.user.get_username(),
            summary=describe(token),
            ip=ip,
        )
    return token, text


@transaction.atomic
def revoke_token(*, token: ApiToken, actor, ip: str | None) -> bool:
    """Revoke once; False when it was already revoked (nothing changes)."""
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if not changed:
        return False
    for workspace in reachable_workspaces(token):
        audit.record(
            workspace=workspace,
            actor=actor,
            action=AuditAction.TOKEN_REVOKE,
            target=token.user.get_username(),
            summary=describe(token),
            ip=ip,
        )
    return True
