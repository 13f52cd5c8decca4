"""At each sign-in, the memberships the provider's groups give are brought in line,
through the catalog's own audited workflows. The last admin of a workspace is never
removed or demoted by a sync: a workspace nobody can manage is worse than a stale role,
and an admin of it can fix the mapping or the membership by hand."""

from __future__ import annotations

import logging

from django.db import transaction

from accessportal import audit, services
from accessportal.models import Membership, Workspace
from sso.mapping import desired_roles, plan_sync
from sso.models import GroupMapping, SyncedMembership

logger = logging.getLogger(__name__)
VIA = "single sign-on group sync"


@transaction.atomic
def sync_memberships(user, groups: set[str], *, ip: str | None) -> None:
    mappings = GroupMapping.objects.values_list("workspace_id", "group", "role")
    desired = desired_roles(groups, mappings)
    memberships = {m.workspace_id: m for m in Membership.objects.filter(user=user)}
    synced_ids = set(
        SyncedMembership.objects.filter(membership__user=user).values_list(
            "membership__workspace_id", flat=True
        )
    )
    synced = {ws: memberships[ws].role for ws in synced_ids}
    by_hand = set(memberships) - synced_ids
    plan = plan_sync(desired, synced, by_hand)
    label = ", ".join(sorted(groups))[:1000]
    with audit.via(VIA):
        for ws_id, role in plan.add.items():
            membership = services.add_member(
                workspace=Workspace.objects.get(pk=ws_id), user=user, role=role, actor=user, ip=ip
            )
            SyncedMembership.objects.create(membership=membership, groups=label)
        for ws_id, role in plan.change.items():
            try:
                services.change_member_role(
                    membership=memberships[ws_id], role=role, actor=user, ip=ip
                )
            except services.LastAdminError:
                logger.warning("sync kept the last admin of workspace %s", ws_id)
        for ws_id in plan.remove:
            try:
                services.remove_member(membership=memberships[ws_id], actor=user, ip=ip)
            except services.LastAdminError:
                logger.warning("sync kept the last admin of workspace %s", ws_id)
        SyncedMembership.objects.filter(membership__user=user).update(groups=label)
