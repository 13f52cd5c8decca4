"""Events read from the catalog's audit trail, in the audited change's own transaction:
a key revealed or rotated. (key_check_failed is raised by whoever runs the check, the
monitor, with the failing calls at hand.)"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accessportal.models import ApplicationAccess, AuditAction, AuditEvent
from alerts.localized import lazy_format
from alerts.models import EventKind
from alerts.services import raise_event


def _access_of(event: AuditEvent) -> ApplicationAccess | None:
    # The audit row names the access (names are unique in a workspace).
    return ApplicationAccess.objects.filter(
        workspace_id=event.workspace_id, name=event.target
    ).first()


def _link(event: AuditEvent, access: ApplicationAccess | None) -> str:
    if access is None:
        return reverse("accessportal:audit_list", kwargs={"ws": event.workspace.code})
    return reverse(
        "accessportal:access_detail", kwargs={"ws": event.workspace.code, "access": access.code}
    )


def _who(event: AuditEvent) -> dict:
    return {
        _("By"): event.actor_name,
        _("From"): event.ip or "—",
        _("When"): event.created_at,
    }


def _key_event(event: AuditEvent, kind: str, subject) -> None:
    access = _access_of(event)
    # The audit keeps its summary in every language; read in each channel's.
    details = lazy(lambda: event.summary_text, str)()
    facts = {_("Access"): event.target, _("Details"): details, **_who(event)}
    raise_event(
        workspace=event.workspace,
        kind=kind,
        subject=lazy_format(subject, {"name": event.target, "actor": event.actor_name}),
        facts=facts,
        link=_link(event, access),
    )


@receiver(post_save, sender=AuditEvent, dispatch_uid="alerts.audit_events")
def notify_from_audit(sender, instance: AuditEvent, created: bool, raw: bool = False, **kw) -> None:
    if not created or raw:
        return
    if instance.action == AuditAction.ACCESS_REVEAL:
        _key_event(instance, EventKind.KEY_REVEALED, _("Key of “%(name)s” revealed by %(actor)s"))
    elif instance.action == AuditAction.ACCESS_ROTATE:
        _key_event(instance, EventKind.KEY_ROTATED, _("Key of “%(name)s” rotated by %(actor)s"))
