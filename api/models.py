"""Personal API tokens: stored as a hash, with scopes and optional restrictions."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api import tokens


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    SECRETS = "secrets", _("Secrets")


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )

    def touching(self, workspace) -> ApiTokenQuerySet:
        """Tokens that can reach ``workspace``: of its members, unrestricted or naming it."""
        members = workspace.memberships.values("user_id")
        return (
            self.filter(user_id__in=members)
            .filter(Q(workspaces__isnull=True) | Q(workspaces=workspace))
            .distinct()
        )


class ApiToken(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=tokens.VISIBLE_CHARS, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(_("write"), default=False)
    can_read_secrets = models.BooleanField(_("secrets"), default=False)
    workspaces = models.ManyToManyField(
        "accessportal.Workspace",
        blank=True,
        related_name="+",
        verbose_name=_("workspaces"),
        help_text=_("None chosen: every workspace the user belongs to."),
    )
    accesses = models.ManyToManyField(
        "accessportal.ApplicationAccess",
        blank=True,
        related_name="+",
        verbose_name=_("accesses whose key it may fetch"),
        help_text=_("None chosen: every access the user may reveal."),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A token that can fetch keys must die by itself one day.
            models.CheckConstraint(
                condition=Q(can_read_secrets=False) | Q(expires_at__isnull=False),
                name="api_token_secrets_expire",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scopes(self) -> list[str]:
        granted = [Scope.READ]
        if self.can_write:
            granted.append(Scope.WRITE)
        if self.can_read_secrets:
            granted.append(Scope.SECRETS)
        return [str(s) for s in granted]

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"

    def touch(self, ip: str | None, *, every: timedelta = timedelta(minutes=1)) -> None:
        """Note the use, at most once a minute: no write on every call of a busy script."""
        now = timezone.now()
        if self.last_used_at and now - self.last_used_at < every and self.last_used_ip == ip:
            return
        ApiToken.objects.filter(pk=self.pk).update(last_used_at=now, last_used_ip=ip)
        self.last_used_at, self.last_used_ip = now, ip
