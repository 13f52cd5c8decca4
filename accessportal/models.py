"""The catalog: workspaces, who is in them, what they deploy and the keys that call it."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accessportal import callpaths, crypto
from accessportal.addresses import url_host
from accessportal.masking import mask_secret
from accessportal.validators import (
    address_warning,
    validate_callable_ip,
    validate_callable_url,
    validate_visible_name,
)

PORT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(65535)]
# An access whose key expires within this many days is "expiring soon" (list, navigation).
EXPIRING_SOON_DAYS = 30


def default_inference_endpoint(region: str) -> str:
    return f"https://pangu.{region}.myhuaweicloud.com"


def default_iam_endpoint(region: str) -> str:
    return f"https://iam.{region}.myhuaweicloud.com"


def address_warnings(urls) -> list[str]:
    """One warning per host among ``urls`` that the portal's settings forbid calling
    (loopback and private addresses are saved, since the settings may change)."""
    hosts = dict.fromkeys(url_host(url) for url in urls if url)
    found = (
        address_warning(
            host,
            allow_loopback=settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK,
            allow_private=settings.PORTAL_UPSTREAM_ALLOW_PRIVATE,
        )
        for host in hosts
    )
    return [warning for warning in found if warning]


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    MEMBER = "member", _("Member")
    ADMIN = "admin", _("Admin")


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2}


class Workspace(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, validators=[validate_visible_name])
    description = models.TextField(_("description"), blank=True)
    region = models.CharField(_("region"), max_length=64, default="cn-southwest-2")
    project_id = models.CharField(_("project ID"), max_length=64)
    inference_endpoint = models.URLField(
        _("inference endpoint"),
        max_length=500,
        help_text=_("Cloud base URL of the inference APIs."),
        validators=[validate_callable_url],
    )
    iam_endpoint = models.URLField(
        _("IAM endpoint"), max_length=500, validators=[validate_callable_url]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return self.name

    def address_warnings(self) -> list[str]:
        return address_warnings([self.inference_endpoint, self.iam_endpoint])

    def role_of(self, user) -> str | None:
        membership = self.memberships.filter(user=user).only("role").first()
        return membership.role if membership else None


class Membership(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_test(self) -> bool:
        """Members and admins run playground calls; viewers only read."""
        return self.has_role(Role.MEMBER)


class Source(models.TextChoices):
    MY_SERVICE = "my_service", _("My service")
    PRESET_SERVICE = "preset_service", _("Preset service")


class Status(models.TextChoices):
    DEPLOYING = "deploying", _("Deploying")
    RUNNING = "running", _("Running")
    STOPPED = "stopped", _("Stopped")
    FAILED = "failed", _("Failed")


class Mode(models.TextChoices):
    CLOUD = callpaths.CLOUD, _("Cloud")
    EDGE_LB = callpaths.EDGE_LB, _("Edge, load balancing")
    EDGE_NODE = callpaths.EDGE_NODE, _("Edge, node")


NOT_CALLABLE_REASONS = {
    Status.DEPLOYING: _("It is still deploying; the platform accepts calls once it is running."),
    Status.STOPPED: _("It is stopped; start it on the platform to call it."),
    Status.FAILED: _("Its deployment failed; redeploy it on the platform to call it."),
}


class DeploymentQuerySet(models.QuerySet):
    def running(self) -> DeploymentQuerySet:
        return self.filter(status=Status.RUNNING)

    def covered_by(self, access: ApplicationAccess) -> DeploymentQuerySet:
        """The deployments an access may call: its workspace's, all or the chosen ones."""
        mine = self.filter(workspace_id=access.workspace_id)
        return mine if access.all_services else mine.filter(accesses=access)


class Deployment(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="deployments")
    name = models.CharField(_("name"), max_length=100, validators=[validate_visible_name])
    model_name = models.CharField(
        _("model name"),
        max_length=128,
        blank=True,
        help_text=_("The V2 'model' value: the deployment's custom name, fixed at creation."),
        validators=[validate_visible_name],
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MY_SERVICE
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    deployment_id = models.CharField(_("deployment ID"), max_length=64, blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.CLOUD)
    elb_ip = models.GenericIPAddressField(
        _("ELB public IP"), null=True, blank=True, validators=[validate_callable_ip]
    )
    elb_port = models.PositiveIntegerField(
        _("ELB port"), null=True, blank=True, validators=PORT_VALIDATORS
    )
    api_url = models.CharField(
        _("API URL prefix"),
        max_length=255,
        blank=True,
        help_text=_("The service's path on the ELB."),
    )
    node_ip = models.GenericIPAddressField(
        _("node IP"), null=True, blank=True, validators=[validate_callable_ip]
    )
    host_port = models.PositiveIntegerField(
        _("host port"), null=True, blank=True, validators=PORT_VALIDATORS
    )
    serves_v1 = models.BooleanField(_("V1 (Pangu API)"), default=True)
    serves_v2 = models.BooleanField(_("V2 (OpenAI-compatible API)"), default=False)
    v1_path_override = models.URLField(
        _("V1 call path override"),
        max_length=1000,
        blank=True,
        help_text=_("Paste the console's call path if it differs (gateway prefixes)."),
        validators=[validate_callable_url],
    )
    v2_path_override = models.URLField(
        _("V2 call path override"), max_length=1000, blank=True, validators=[validate_callable_url]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeploymentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "model_name"],
                condition=~Q(model_name=""),
                name="deployment_model_name_unique",
            ),
            models.CheckConstraint(
                condition=Q(serves_v1=True) | Q(serves_v2=True),
                name="deployment_serves_a_version",
            ),
            models.CheckConstraint(
                condition=Q(serves_v2=False) | ~Q(model_name=""),
                name="deployment_v2_has_model_name",
            ),
            models.CheckConstraint(
                condition=Q(elb_port__isnull=True) | Q(elb_port__gte=1, elb_port__lte=65535),
                name="deployment_elb_port_range",
            ),
            # A call path needs the address of its mode, whatever wrote the row.
            models.CheckConstraint(
                condition=~Q(mode=callpaths.EDGE_LB)
                | Q(elb_ip__isnull=False, elb_port__isnull=False),
                name="deployment_edge_lb_has_address",
            ),
            models.CheckConstraint(
                condition=~Q(mode=callpaths.EDGE_NODE)
                | Q(node_ip__isnull=False, host_port__isnull=False),
                name="deployment_edge_node_has_address",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=[callpaths.CLOUD, callpaths.EDGE_LB, callpaths.EDGE_NODE]),
                name="deployment_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(host_port__isnull=True) | Q(host_port__gte=1, host_port__lte=65535),
                name="deployment_host_port_range",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "source", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def versions(self) -> tuple[str, ...]:
        served = ((callpaths.V1, self.serves_v1), (callpaths.V2, self.serves_v2))
        return tuple(v for v, on in served if on)

    @property
    def is_callable(self) -> bool:
        return self.status == Status.RUNNING

    @property
    def not_callable_reason(self) -> str:
        return str(NOT_CALLABLE_REASONS.get(self.status, ""))

    def call_target(self) -> callpaths.CallTarget:
        workspace = self.workspace
        return callpaths.CallTarget(
            mode=self.mode,
            versions=self.versions,
            inference_endpoint=workspace.inference_endpoint,
            project_id=workspace.project_id,
            deployment_id=self.deployment_id,
            elb_ip=self.elb_ip or "",
            elb_port=self.elb_port,
            api_url=self.api_url,
            node_ip=self.node_ip or "",
            host_port=self.host_port,
            overrides={callpaths.V1: self.v1_path_override, callpaths.V2: self.v2_path_override},
        )

    def call_paths(self) -> dict[str, str]:
        return callpaths.call_paths(self.call_target())

    def address_warnings(self) -> list[str]:
        """Why the current settings would refuse this deployment's call paths."""
        return address_warnings(self.call_paths().values())


class AccessQuerySet(models.QuerySet):
    def covering(self, deployment: Deployment) -> AccessQuerySet:
        """Accesses bound to all services, or to this deployment among others."""
        return self.filter(
            Q(all_services=True) | Q(pk__in=deployment.accesses.values("pk")),
            workspace_id=deployment.workspace_id,
        )

    def with_key(self, key: str) -> AccessQuerySet:
        """Accesses whose key equals ``key``, found by fingerprint (nothing decrypted)."""
        fingerprints = ApplicationAccess.SECRETS[0].fingerprints(key)
        return self.filter(api_key_fingerprint__in=fingerprints)

    def expiring_soon(self, now=None) -> AccessQuerySet:
        """Enabled accesses whose key expires within EXPIRING_SOON_DAYS (not yet expired)."""
        now = now or timezone.now()
        return self.filter(
            disabled=False,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=EXPIRING_SOON_DAYS),
        )

    def usable(self) -> AccessQuerySet:
        return self.filter(disabled=False).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class SecretField:
    """Names the ciphertext column of a model and the context it is bound to.

    The context includes the row's UUID, so a ciphertext copied to another row (or to
    another field) fails authentication instead of decrypting.
    """

    def __init__(self, column: str, label: str, fingerprint_column: str | None = None) -> None:
        self.column = column
        self.label = label
        # A keyed fingerprint kept beside the ciphertext, to find equal secrets without
        # decrypting every row (see crypto.FINGERPRINT_INFO for why it is safe to store).
        self.fingerprint_column = fingerprint_column

    def context(self, instance: models.Model) -> str:
        return f"{type(instance).__name__}.{self.label}:{instance.code}"

    def read(self, instance: models.Model) -> str:
        return crypto.decrypt(getattr(instance, self.column), context=self.context(instance))

    def write(self, instance: models.Model, plaintext: str) -> None:
        setattr(instance, self.column, crypto.encrypt(plaintext, context=self.context(instance)))
        if self.fingerprint_column:
            setattr(instance, self.fingerprint_column, self.fingerprint(plaintext))

    def fingerprint(self, plaintext: str, keyring: crypto.Keyring | None = None) -> str:
        return (keyring or crypto.active_keyring()).fingerprint(plaintext, purpose=self.label)

    def fingerprints(self, plaintext: str) -> list[str]:
        return crypto.fingerprints(plaintext, purpose=self.label)


class ApplicationAccess(models.Model):
    SECRETS = (SecretField("api_key_ciphertext", "api_key", "api_key_fingerprint"),)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="accesses")
    name = models.CharField(_("name"), max_length=100, validators=[validate_visible_name])
    description = models.TextField(_("description"), blank=True)
    all_services = models.BooleanField(
        _("all services"), default=True, help_text=_("Bound to every service of the workspace.")
    )
    deployments = models.ManyToManyField(
        Deployment, blank=True, related_name="accesses", verbose_name=_("associated services")
    )
    api_key_ciphertext = models.TextField(editable=False)
    api_key_fingerprint = models.CharField(max_length=80, blank=True, editable=False, db_index=True)
    key_hint = models.CharField(_("API key"), max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    key_rotated_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    disabled = models.BooleanField(_("disabled"), default=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_check = models.JSONField(default=dict, blank=True, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("application access")
        verbose_name_plural = _("application accesses")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="access_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def set_api_key(self, value: str) -> None:
        self.SECRETS[0].write(self, value)
        self.key_hint = mask_secret(value)

    def api_key(self) -> str:
        """The decrypted key. Only calls (playground, monitor), the audited reveal and the
        saved-prompt check (which compares a prompt's text with the keys, never shows
        them) read it."""
        return self.SECRETS[0].read(self)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def expires_soon(self) -> bool:
        if self.expires_at is None or self.disabled or self.is_expired:
            return False
        return self.expires_at - timezone.now() <= timedelta(days=EXPIRING_SOON_DAYS)

    @property
    def is_usable(self) -> bool:
        return not self.disabled and not self.is_expired

    @property
    def status(self) -> str:
        if self.disabled:
            return "disabled"
        return "expired" if self.is_expired else "enabled"

    @property
    def status_label(self) -> str:
        return ACCESS_STATUS_LABELS[self.status]


ACCESS_STATUS_LABELS = {
    "disabled": _("disabled"),
    "expired": _("expired"),
    "enabled": _("enabled"),
}


class IamCredential(models.Model):
    """An IAM user whose password fetches tokens for token-based authentication (V1)."""

    SECRETS = (SecretField("password_ciphertext", "password"),)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="iam_credentials"
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("A label, e.g. 'ops robot'."),
        validators=[validate_visible_name],
    )
    iam_user = models.CharField(
        _("IAM user name"), max_length=64, validators=[validate_visible_name]
    )
    domain_name = models.CharField(
        _("account (domain) name"), max_length=64, validators=[validate_visible_name]
    )
    project_name = models.CharField(
        _("project scope"),
        max_length=64,
        help_text=_("The project the token is scoped to (region)."),
        validators=[validate_visible_name],
    )
    password_ciphertext = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("IAM credential")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="credential_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def set_password(self, value: str) -> None:
        self.SECRETS[0].write(self, value)

    def password(self) -> str:
        return self.SECRETS[0].read(self)


class AuditAction(models.TextChoices):
    WORKSPACE_CREATE = "workspace.create", _("Workspace created")
    WORKSPACE_UPDATE = "workspace.update", _("Workspace updated")
    DEPLOYMENT_CREATE = "deployment.create", _("Deployment created")
    DEPLOYMENT_UPDATE = "deployment.update", _("Deployment updated")
    DEPLOYMENT_DELETE = "deployment.delete", _("Deployment deleted")
    ACCESS_CREATE = "access.create", _("Access created")
    ACCESS_UPDATE = "access.update", _("Access updated")
    ACCESS_DELETE = "access.delete", _("Access deleted")
    ACCESS_DISABLE = "access.disable", _("Access disabled")
    ACCESS_ENABLE = "access.enable", _("Access enabled")
    ACCESS_ROTATE = "access.rotate", _("Key rotated")
    ACCESS_REVEAL = "access.reveal", _("Key revealed")
    ACCESS_CHECK = "access.check", _("Key checked")
    CREDENTIAL_CREATE = "credential.create", _("IAM credential created")
    CREDENTIAL_UPDATE = "credential.update", _("IAM credential updated")
    CREDENTIAL_DELETE = "credential.delete", _("IAM credential deleted")
    MEMBER_ADD = "member.add", _("Member added")
    MEMBER_ROLE = "member.role", _("Member role changed")
    MEMBER_REMOVE = "member.remove", _("Member removed")
    SSO_MAPPING_ADD = "sso.mapping_add", _("Group mapping added")
    SSO_MAPPING_REMOVE = "sso.mapping_remove", _("Group mapping removed")
    TOKEN_CREATE = "token.create", _("API token created")
    TOKEN_REVOKE = "token.revoke", _("API token revoked")
    PROMPT_CREATE = "prompt.create", _("Prompt saved")
    PROMPT_UPDATE = "prompt.update", _("Prompt edited")
    PROMPT_RESTORE = "prompt.restore", _("Prompt version restored")
    PROMPT_DELETE = "prompt.delete", _("Prompt deleted")


class AuditEvent(models.Model):
    """Append-only record of a change, written in the change's own transaction."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, help_text="Kept when the user is deleted.")
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    target = models.CharField(max_length=200)
    summary = models.CharField(max_length=2000, blank=True)  # room for every change of an edit
    # The summary written in every language of the portal at the time of the change
    # ({"zh-hans": "..."}), so each reader sees it in theirs; ``summary`` is the English.
    summary_i18n = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["workspace", "action", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")

    @property
    def summary_text(self) -> str:
        """The summary in the reader's language (older rows and plain strings: as written)."""
        return self.summary_i18n.get(get_language() or "", self.summary)


class PendingImport(models.Model):
    """An uploaded import file between its preview and *Apply* (``accessportal.bulk_import``).

    The file is kept here, encrypted and bound to the row like a key, so the preview page
    needs to carry nothing but this row's code: the keys in an access import never travel
    back to the browser, in a page, a URL or a hidden field. Apply reads, checks again and
    deletes it; rows older than ``PENDING_IMPORT_TTL`` are discarded."""

    SECRETS = (SecretField("content_ciphertext", "content"),)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="pending_imports"
    )
    kind = models.CharField(max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    filename = models.CharField(max_length=200, blank=True)
    content_ciphertext = models.TextField(editable=False)

    def __str__(self) -> str:
        return f"{self.kind} import {self.code}"

    def set_content(self, value: str) -> None:
        self.SECRETS[0].write(self, value)

    def content(self) -> str:
        return self.SECRETS[0].read(self)


def secret_models() -> tuple[type[models.Model], ...]:
    """Every installed model holding encrypted secrets (those declaring ``SECRETS``),
    found through the app registry so feature apps' secrets rotate and are checked too
    without the catalog importing them."""
    from django.apps import apps

    return tuple(m for m in apps.get_models() if getattr(m, "SECRETS", None))
