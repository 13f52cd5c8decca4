"""Who a provider says a user is, which provider groups give which workspace role, and
which memberships the sign-in sync owns (the others were set by hand and stay as set)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accessportal.models import Role


class Identity(models.Model):
    """A user as the provider knows them: (issuer, subject) never changes, a username can."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    last_sign_in = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} = {self.subject}@{self.issuer}"


class GroupMapping(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="group_mappings"
    )
    group = models.CharField(_("provider group"), max_length=255)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "group"], name="sso_group_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.role}"


class SyncedMembership(models.Model):
    """Marks a membership as set by the sign-in sync (and from which groups)."""

    membership = models.OneToOneField(
        "accessportal.Membership", on_delete=models.CASCADE, related_name="synced"
    )
    groups = models.CharField(max_length=1000, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.membership} (from {self.groups or 'no group'})"


class BreakGlassTicket(models.Model):
    """A one-time sign-in link for a superuser while local passwords are off."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"break-glass for {self.user} until {self.expires_at:%Y-%m-%d %H:%M} UTC"
