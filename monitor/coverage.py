"""Which credential probes a deployment's version, and why none may.

Each workspace may choose a monitoring access (and an IAM credential, which signs V1
calls only); otherwise, and where the chosen access does not cover a deployment, the first
enabled, unexpired access that covers it (in the access list's order) is used.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accessportal.callpaths import V1
from accessportal.models import ApplicationAccess
from monitor.models import MonitorSettings


@dataclass
class Coverage:
    """The usable credentials of one workspace, loaded once for many deployments."""

    accesses: list[ApplicationAccess] = field(default_factory=list)  # usable, list order
    bound: dict[int, set[int]] = field(default_factory=dict)  # access id -> deployment ids
    chosen: ApplicationAccess | None = None
    credential: object | None = None  # IamCredential

    def covers(self, access: ApplicationAccess, deployment_id: int) -> bool:
        return access.all_services or deployment_id in self.bound.get(access.pk, ())

    def pick(self, deployment_id: int, version: str):
        """(access, credential) for one probe; both None when nothing usable covers it."""
        if version == V1 and self.credential is not None:
            return None, self.credential
        if (
            self.chosen is not None
            and self.chosen.is_usable
            and self.covers(self.chosen, deployment_id)
        ):
            return self.chosen, None
        for access in self.accesses:
            if self.covers(access, deployment_id):
                return access, None
        return None, None

    def covering(self, deployment_id: int) -> list[ApplicationAccess]:
        return [a for a in self.accesses if self.covers(a, deployment_id)]


def not_monitored_reason(missing: list[str], versions: tuple[str, ...]) -> str:
    """Why some or all versions go unprobed (empty when every version is probed)."""
    if not missing:
        return ""
    if len(missing) == len(versions):
        return _(
            "Not monitored: no enabled, unexpired application access covers this deployment. "
            "Add one, or choose a monitoring credential."
        )
    return _(
        "%(versions)s not monitored: no enabled, unexpired API key covers it (IAM tokens "
        "sign V1 calls only)."
    ) % {"versions": ", ".join(v.upper() for v in missing)}


def load(
    workspace_ids: set[int], *, deployment_ids: list[int] | None = None
) -> dict[int, Coverage]:
    """Coverage for each workspace: three queries whatever the number of workspaces
    (bindings limited to ``deployment_ids`` when given)."""
    result = {ws: Coverage() for ws in workspace_ids}
    usable = ApplicationAccess.objects.usable().filter(workspace_id__in=workspace_ids)
    accesses = list(usable.order_by("name", "id"))
    through = ApplicationAccess.deployments.through
    bound: dict[int, set[int]] = defaultdict(set)
    # A subquery, not a list of ids: one query always, however many accesses.
    bindings = through.objects.filter(
        applicationaccess__in=usable.filter(all_services=False).values("pk")
    )
    if deployment_ids is not None:
        bindings = bindings.filter(deployment_id__in=deployment_ids)
    for access_id, deployment_id in bindings.values_list("applicationaccess_id", "deployment_id"):
        bound[access_id].add(deployment_id)
    for access in accesses:
        result[access.workspace_id].accesses.append(access)
    for coverage in result.values():
        coverage.bound = bound
    for row in MonitorSettings.objects.filter(workspace_id__in=workspace_ids).select_related(
        "access", "credential__workspace"
    ):
        result[row.workspace_id].chosen = row.access
        result[row.workspace_id].credential = row.credential
    return result
