"""Drift flags as stored: opened when an answer contradicts the catalog, resolved when a
later answer agrees with it or the catalog is edited to match. Never edits the catalog."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accessportal.callpaths import V1, V2
from accessportal.models import ApplicationAccess, Status
from monitor import notify
from monitor.drift import CatalogView, classify, drift_key
from monitor.models import Drift, DriftKind
from monitor.probing import Answer


def _key_accepted(answer: Answer) -> bool:
    # The platform checks the path before the key: a 404 says nothing about the key.
    return (
        answer.status is not None
        and answer.status != 404
        and answer.error_code not in ("APIG.0303", "APIG.0101")
    )


class FlagBook:
    """The open flags touching a batch of observations, loaded in one query."""

    def __init__(self, deployment_ids: set[int], access_ids: set[int]) -> None:
        self.open: dict[str, Drift] = {
            d.key: d
            for d in Drift.objects.filter(resolved_at__isnull=True).filter(
                Q(deployment_id__in=deployment_ids) | Q(access_id__in=access_ids)
            )
        }

    def observe(self, deployment, answer: Answer, *, access, now: datetime) -> None:
        """Open, refresh or resolve flags after one answer (inside the caller's
        transaction, which also holds the alert)."""
        access_id = access.pk if access is not None else None
        view = CatalogView(via_access=access is not None)
        seen = set()
        for kind in classify(answer.error_code, answer.status, view):
            key = drift_key(kind, deployment.pk, access_id, answer.version)
            seen.add(key)
            flag = self.open.get(key)
            if flag is not None:
                Drift.objects.filter(pk=flag.pk).update(last_seen_at=now)
                continue
            self.open[key] = Drift.objects.create(
                workspace_id=deployment.workspace_id,
                deployment=deployment,
                access=access if kind in (DriftKind.KEY_REFUSED, DriftKind.NOT_BOUND) else None,
                kind=kind,
                version=answer.version if kind == DriftKind.VERSION_MISSING else "",
                key=key,
                error_code=answer.error_code or f"HTTP {answer.status}",
                status_code=answer.status,
                first_seen_at=now,
                last_seen_at=now,
            )
            self._alert(kind, deployment, access, answer)
        resolved = [
            flag.pk
            for key, flag in self.open.items()
            if key not in seen
            and flag.resolved_at is None
            and self._agrees(flag, deployment, answer, access_id)
        ]
        if resolved:
            Drift.objects.filter(pk__in=resolved).update(resolved_at=now)
            for key in [k for k, f in self.open.items() if f.pk in resolved]:
                del self.open[key]

    @staticmethod
    def _agrees(flag: Drift, deployment, answer: Answer, access_id: int | None) -> bool:
        """This answer shows the flag's contradiction is gone."""
        if flag.kind == DriftKind.KEY_REFUSED:
            return flag.access_id == access_id and _key_accepted(answer)
        if flag.deployment_id != deployment.pk or answer.status is None:
            return False
        if flag.kind == DriftKind.NOT_RUNNING:
            return answer.error_code != "PANGU.3259" and _key_accepted(answer)
        if flag.kind == DriftKind.NOT_BOUND:
            return (
                flag.access_id == access_id
                and _key_accepted(answer)
                and (answer.error_code != "APIG.0304")
            )
        return flag.version == answer.version and answer.status != 404  # VERSION_MISSING

    def _alert(self, kind: str, deployment, access, answer: Answer) -> None:
        workspace = deployment.workspace
        if kind == DriftKind.KEY_REFUSED and any(
            f.kind == kind and f.access_id == access.pk and f.deployment_id != deployment.pk
            for f in self.open.values()
        ):
            return  # one alert per refused key, not one per deployment it covers
        # Lazy texts: each notification channel reads them in its own language.
        facts = {
            gettext_lazy("Deployment"): deployment.name,
            gettext_lazy("Version"): answer.version.upper(),
            gettext_lazy("Platform answer"): answer.error_code or f"HTTP {answer.status}",
            gettext_lazy("Drift"): DriftKind(kind).label,
        }
        if access is not None:
            facts[gettext_lazy("Application access")] = f"{access.name} ({access.key_hint})"
        notify.raise_event(
            workspace=workspace,
            kind="drift_found",
            subject=notify.lazy_format(
                gettext_lazy("Drift on %(name)s: %(kind)s"),
                {"name": deployment.name, "kind": DriftKind(kind).label},
            ),
            facts=facts,
            link=reverse("monitor:health_board", kwargs={"ws": workspace.code}),
        )


def resolve_outdated(*, now: datetime) -> int:
    """Resolve flags whose catalog claim changed since (the admin fixed the catalog)."""
    open_flags = Drift.objects.filter(resolved_at__isnull=True)
    covers = Q(access__all_services=True) | Exists(
        ApplicationAccess.deployments.through.objects.filter(
            applicationaccess_id=OuterRef("access_id"), deployment_id=OuterRef("deployment_id")
        )
    )
    outdated = (
        Q(kind=DriftKind.NOT_RUNNING) & ~Q(deployment__status=Status.RUNNING)
        | Q(kind=DriftKind.VERSION_MISSING, version=V1, deployment__serves_v1=False)
        | Q(kind=DriftKind.VERSION_MISSING, version=V2, deployment__serves_v2=False)
        | Q(kind__in=[DriftKind.KEY_REFUSED, DriftKind.NOT_BOUND], access__disabled=True)
        | Q(kind__in=[DriftKind.KEY_REFUSED, DriftKind.NOT_BOUND], access__expires_at__lte=now)
        | (Q(kind=DriftKind.NOT_BOUND) & ~covers)
        # A key rotated after the platform refused it is a new key: ask again.
        | Q(kind=DriftKind.KEY_REFUSED, access__key_rotated_at__gt=F("first_seen_at"))
    )
    ids = list(open_flags.filter(outdated).values_list("pk", flat=True))
    if not ids:
        return 0
    return Drift.objects.filter(pk__in=ids).update(resolved_at=now)
