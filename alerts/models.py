"""Notification channels of a workspace, the events raised for it, and their deliveries.

``Delivery`` is an outbox: rows are written in the transaction that raised the event and
sent later by ``alerts.delivery.deliver_due`` (any number of processes, any host).
A webhook's URL and signing secret are encrypted together like API keys (chat platforms
put their access token in the URL), so pages show only ``target_hint``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accessportal.models import SecretField
from alerts import localized


class EventKind(models.TextChoices):
    DEPLOYMENT_DOWN = "deployment_down", _("Deployment down")
    DEPLOYMENT_RECOVERED = "deployment_recovered", _("Deployment recovered")
    DRIFT_FOUND = "drift_found", _("Drift found")
    KEY_EXPIRING = "key_expiring", _("Key expiring")
    KEY_CHECK_FAILED = "key_check_failed", _("Key check failed")
    KEY_REVEALED = "key_revealed", _("Key revealed")
    KEY_ROTATED = "key_rotated", _("Key rotated")
    TEST = "test", _("Test notification")


# What a channel can subscribe to; TEST is only ever sent by the channel's own button.
SUBSCRIBABLE = tuple(kind for kind in EventKind if kind != EventKind.TEST)


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook (JSON, signed)")
    FEISHU = "feishu", _("Feishu / Lark")
    DINGTALK = "dingtalk", _("DingTalk")
    WECOM = "wecom", _("WeCom")
    SLACK = "slack", _("Slack")


WEBHOOK_KINDS = tuple(kind for kind in ChannelKind if kind != ChannelKind.EMAIL)
# Kinds whose platform can sign messages with a secret the admin pastes (DingTalk 加签,
# Feishu 签名校验); the generic webhook always signs, with a secret the portal generates.
SIGNED_KINDS = (ChannelKind.WEBHOOK, ChannelKind.FEISHU, ChannelKind.DINGTALK)


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    secret: str = ""


class Channel(models.Model):
    SECRETS = (SecretField("target_ciphertext", "target"),)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="alert_channels"
    )
    kind = models.CharField(_("type"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=100)
    recipients = models.TextField(_("recipients"), blank=True)
    target_ciphertext = models.TextField(blank=True, editable=False)
    target_hint = models.CharField(_("address"), max_length=200, blank=True, editable=False)
    secret_hint = models.CharField(_("signing secret"), max_length=16, blank=True, editable=False)
    events = models.JSONField(_("events"), default=list)
    enabled = models.BooleanField(_("enabled"), default=True)
    # What its notifications are written in: chosen per channel (a team's chat group
    # reads one language), first the creating admin's own language and zone.
    language = models.CharField(
        _("language"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("notification channel")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="alert_channel_name_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=ChannelKind.values), name="alert_channel_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.target_ciphertext:
            # Email channels too hold a (empty) sealed target: every secret column of
            # every row stays readable by readyz and rotate_secrets.
            self.set_target(WebhookTarget(url=""))
        super().save(*args, **kwargs)

    @property
    def is_email(self) -> bool:
        return self.kind == ChannelKind.EMAIL

    @property
    def signs(self) -> bool:
        return self.kind in SIGNED_KINDS

    def wants(self, kind: str) -> bool:
        return kind in self.events

    def recipient_list(self) -> list[str]:
        return [r for r in self.recipients.split() if r]

    def set_target(self, target: WebhookTarget) -> None:
        payload = json.dumps({"url": target.url, "secret": target.secret})
        self.SECRETS[0].write(self, payload)

    def target(self) -> WebhookTarget:
        """The decrypted URL and secret; only the sender and the edit form call this."""
        data = json.loads(self.SECRETS[0].read(self))
        return WebhookTarget(url=data["url"], secret=data.get("secret", ""))

    def event_labels(self) -> list[str]:
        labels = dict(EventKind.choices)
        return [str(labels[kind]) for kind in self.events if kind in labels]


class Event(models.Model):
    """Something worth telling a workspace; facts are plain labelled strings."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="alert_events"
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    subject = models.CharField(max_length=300)
    # Pairs, not an object: PostgreSQL's jsonb does not keep an object's key order, and
    # the raiser's order is the order people read the facts in.
    facts = models.JSONField(default=list)
    link = models.CharField(max_length=500, blank=True)
    # The subject and facts rendered in every language when raised (alerts/localized.py);
    # ``subject`` and ``facts`` above are the LANGUAGE_CODE ones, times in UTC.
    texts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    def fact_dict(self) -> dict[str, str]:
        return {label: value for label, value in self.facts}

    def subject_in(self, language: str) -> str:
        text = localized.text_in(self.texts, language)
        return text["subject"] if text else self.subject

    @property
    def local_subject(self) -> str:
        """The subject in the language of the page being rendered."""
        return self.subject_in(translation.get_language() or settings.LANGUAGE_CODE)

    def facts_in(self, language: str, zone) -> dict[str, str]:
        text = localized.text_in(self.texts, language)
        pairs = text["facts"] if text else self.facts
        return {label: localized.value_text(value, zone) for label, value in pairs}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Delivered")
    FAILED = "failed", _("Failed")


# Rows a sender may claim: pending ones, and "sending" ones whose claim has expired
# (their sender died mid-send; see delivery.py).
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


class Delivery(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Pending: when to (re)try. Sending: when the claim expires.
    due_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(status__in=OPEN_STATUSES), name="alert_delivery_due"
            ),
            models.Index(fields=["channel", "-created_at"], name="alert_delivery_channel"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="alert_delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ExpiryWarning(models.Model):
    """One row per access, expiry and threshold warned about: a changed expiry re-arms."""

    access = models.ForeignKey(
        "accessportal.ApplicationAccess", on_delete=models.CASCADE, related_name="+"
    )
    expires_at = models.DateTimeField()
    threshold_days = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["access", "expires_at", "threshold_days"], name="alert_expiry_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.access_id} {self.threshold_days} d before {self.expires_at:%Y-%m-%d}"
