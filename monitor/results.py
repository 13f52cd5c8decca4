"""Writing what a wave of probes found: probes, health, state events, drift flags, key
check results and their notifications, in one transaction per wave.

Every row is written only while this process still holds its claim: a process whose
claim expired (it was too slow, or paused) drops its results instead of overwriting the
newer ones of whoever took the row over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from accessportal import audit
from accessportal.models import ApplicationAccess, AuditAction
from chat.calls import record
from monitor import notify
from monitor.charts import STRIP_CELLS, entry
from monitor.claims import held
from monitor.flags import FlagBook
from monitor.health import (
    Verdict,
    VersionResult,
    alert_kind,
    cause_data,
    cause_text,
    judge,
    outcome_of,
)
from monitor.models import (
    DeploymentHealth,
    Health,
    HealthEvent,
    KeyCheck,
    KeyCheckItem,
    Probe,
    ProbeOutcome,
)
from monitor.probing import Answer


@dataclass
class DeploymentJob:
    health: DeploymentHealth  # with deployment__workspace
    claimed_at: datetime
    expires: datetime
    targets: list[tuple[str, object, object]] = field(default_factory=list)  # version, access, cred
    missing: str = ""  # why some or all versions go unprobed
    answers: list[Answer] = field(default_factory=list)

    @property
    def busy_key(self) -> tuple[str, int]:
        return ("deployment", self.health.pk)


@dataclass
class ItemJob:
    item: KeyCheckItem  # with check_run__access and deployment__workspace
    expires: datetime
    answer: Answer | None = None

    @property
    def busy_key(self) -> tuple[str, int]:
        return ("item", self.item.pk)


def _outcome(answer: Answer) -> str:
    return outcome_of(
        ok=answer.ok,
        error_code=answer.error_code,
        latency_ms=answer.latency_ms,
        slow_ms=settings.PORTAL_MONITOR_SLOW_MS,
    )


def _verdict(job: DeploymentJob, outcomes: list[str]) -> Verdict:
    health = job.health
    if not job.answers:
        return Verdict(Health.UNKNOWN, health.failures, job.missing)
    results = [
        VersionResult(a.version, o, a.error_code, a.status, a.latency_ms)
        for a, o in zip(job.answers, outcomes, strict=True)
    ]
    return judge(
        results,
        failures=health.failures,
        slow_ms=settings.PORTAL_MONITOR_SLOW_MS,
        down_after=settings.PORTAL_MONITOR_DOWN_AFTER,
    )


def _last_error(job: DeploymentJob, outcomes: list[str]) -> Answer | None:
    failed = [a for a, o in zip(job.answers, outcomes, strict=True) if o in ("error", "refused")]
    return failed[0] if failed else None


def save_deployments(jobs: list[DeploymentJob], *, owner: str, now: datetime) -> int:
    """Store a wave of finished deployment passes; returns the probes stored."""
    interval = timedelta(seconds=settings.PORTAL_MONITOR_INTERVAL)
    probes: list[Probe] = []
    rows: list[DeploymentHealth] = []
    with transaction.atomic():
        # Only rows this process still holds (locked on PostgreSQL, so a Check now
        # arriving meanwhile waits and is not lost); their requested_at as it is now.
        held_rows = dict(
            DeploymentHealth.objects.select_for_update()
            .filter(pk__in=[j.health.pk for j in jobs], claimed_by=owner)
            .values_list("pk", "requested_at")
        )
        book = FlagBook(
            {j.health.deployment_id for j in jobs},
            {a.access_id for j in jobs for a in j.answers if a.access_id},
        )
        for job in jobs:
            health, deployment = job.health, job.health.deployment
            if health.pk not in held_rows:
                continue  # the claim expired and another process owns the row now
            outcomes = [_outcome(a) for a in job.answers]
            verdict = _verdict(job, outcomes)
            error = _last_error(job, outcomes)
            old_state = health.state
            changed = verdict.state != old_state
            requested_at = held_rows[health.pk]
            # Asked to check again while this pass ran: due at once, else in one interval.
            asked_since = requested_at is not None and requested_at > job.claimed_at
            health.claimed_by, health.claim_expires_at = "", None
            health.next_probe_at = now if asked_since else job.claimed_at + interval
            health.requested_at = requested_at if asked_since else None
            health.state, health.failures = verdict.state, verdict.failures
            health.cause, health.cause_data = (
                written(verdict.cause),
                cause_data(verdict.cause),
            )
            health.state_since = now if changed else health.state_since
            health.last_probe_at = now if job.answers else health.last_probe_at
            health.last_status = error.status if error else None
            health.last_error_code = error.error_code if error else ""
            health.last_error_message = error.error_message[:300] if error else ""
            health.not_monitored = job.missing[:300]
            health.recent = (
                health.recent
                + [
                    entry(
                        at=a.at,
                        version=a.version,
                        outcome=o,
                        status=a.status,
                        code=a.error_code,
                        latency=a.latency_ms,
                        ttft=a.ttft_ms,
                    )
                    for a, o in zip(job.answers, outcomes, strict=True)
                ]
            )[-STRIP_CELLS:]
            rows.append(health)
            probes += [
                Probe(
                    workspace_id=deployment.workspace_id,
                    deployment=deployment,
                    created_at=a.at,
                    version=a.version,
                    auth_label=a.auth_label,
                    outcome=o,
                    status_code=a.status,
                    error_code=a.error_code,
                    error_message=a.error_message[:300],
                    latency_ms=a.latency_ms,
                    ttft_ms=a.ttft_ms,
                )
                for a, o in zip(job.answers, outcomes, strict=True)
            ]
            if changed:
                record_change(deployment, old=old_state, verdict=verdict, now=now)
            accesses = {t[1].pk: t[1] for t in job.targets if t[1] is not None}
            for answer in job.answers:
                book.observe(deployment, answer, access=accesses.get(answer.access_id), now=now)
        update_rows(DeploymentHealth, rows, SAVED_FIELDS)
        Probe.objects.bulk_create(probes)
    return len(probes)


def update_rows(model, rows: list, names: list[str]) -> None:
    """``UPDATE … SET <names> WHERE id = %s`` once per row in one executemany: the ORM's
    bulk_update builds a CASE per field and row, which costs more than the probes here."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names from the model)
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(model._meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


SAVED_FIELDS = [
    "claimed_by",
    "claim_expires_at",
    "next_probe_at",
    "requested_at",
    "state",
    "state_since",
    "cause",
    "cause_data",
    "failures",
    "last_probe_at",
    "last_status",
    "last_error_code",
    "last_error_message",
    "not_monitored",
    "recent",
]


# The cause in the language active when it is read: each channel's own.
lazy_cause = lazy(cause_text, str)


def written(cause) -> str:
    """The cause in words as stored beside it (for the API and the admin), in the portal's
    default language whichever process judged it."""
    with translation.override(settings.LANGUAGE_CODE):
        return cause_text(cause)[:300]


def record_change(deployment, *, old: str, verdict: Verdict, now: datetime) -> None:
    """The event of a change of state, and its notification, in the caller's transaction."""
    HealthEvent.objects.create(
        workspace_id=deployment.workspace_id,
        deployment=deployment,
        created_at=now,
        old_state=old,
        new_state=verdict.state,
        cause=written(verdict.cause),
        cause_data=cause_data(verdict.cause),
    )
    kind = alert_kind(old, verdict.state)
    if kind is None:
        return
    workspace = deployment.workspace
    # Lazy texts: each notification channel reads them in its own language.
    subject = notify.lazy_format(
        gettext_lazy("%(name)s is down")
        if kind == "deployment_down"
        else gettext_lazy("%(name)s recovered"),
        {"name": deployment.name},
    )
    notify.raise_event(
        workspace=workspace,
        kind=kind,
        subject=subject,
        facts={
            gettext_lazy("Deployment"): deployment.name,
            gettext_lazy("State"): Health(verdict.state).label,
            gettext_lazy("Cause"): lazy_cause(verdict.cause),
        },
        link=reverse(
            "accessportal:deployment_detail",
            kwargs={"ws": workspace.code, "dep": deployment.code},
        ),
    )


# --- Key checks -----------------------------------------------------------------------
def save_items(jobs: list[ItemJob], *, owner: str, now: datetime) -> None:
    with transaction.atomic():
        book = FlagBook(
            {j.item.deployment_id for j in jobs}, {j.item.check_run.access_id for j in jobs}
        )
        checks = {}
        for job in jobs:
            item, answer = job.item, job.answer
            saved = held(KeyCheckItem, item.pk, owner=owner).update(
                claimed_by="",
                claim_expires_at=None,
                done_at=now,
                outcome=_outcome(answer),
                status_code=answer.status,
                error_code=answer.error_code,
                error_message=answer.error_message[:300],
                latency_ms=answer.latency_ms,
            )
            if saved:
                if answer.run is not None:  # in the test-call history, as the asker's
                    record(answer.run)
                book.observe(item.deployment, answer, access=item.check_run.access, now=now)
                checks[item.check_run_id] = item.check_run
        for check in checks.values():
            finish_if_done(check, now=now)


def matrix_of(items: list[KeyCheckItem]) -> dict:
    """The result as kept on the access (``last_check``): one row per deployment, with
    each version's answer; ``ok`` only if every version answered."""
    matrix: dict[str, dict] = {}
    for item in items:
        row = matrix.setdefault(
            str(item.deployment.code),
            {
                "name": item.deployment_name,
                "ok": True,
                "status": None,
                "error_code": "",
                "versions": {},
            },
        )
        row["versions"][item.version] = {
            "ok": item.ok,
            "status": item.status_code,
            "error_code": item.error_code,
        }
        if not item.ok and row["ok"]:
            row.update(ok=False, status=item.status_code, error_code=item.error_code)
    for row in matrix.values():
        row["version"] = ", ".join(sorted(row["versions"]))
    return matrix


def finish_if_done(check: KeyCheck, *, now: datetime) -> bool:
    # Locked first (PostgreSQL), so two processes finishing its last two items one after
    # the other see each other's item done and exactly one of them closes the check.
    check = (
        KeyCheck.objects.select_for_update().select_related("access", "workspace").get(pk=check.pk)
    )
    if check.finished_at is not None or check.items.filter(done_at__isnull=True).exists():
        return False
    items = list(check.items.select_related("deployment"))
    check.finished_at = now
    check.save(update_fields=["finished_at"])
    matrix = matrix_of(items)
    access = check.access
    # The result speaks of the key that was checked: not kept if it was rotated since.
    ApplicationAccess.objects.filter(pk=access.pk, key_rotated_at=check.key_rotated_at).update(
        last_check=matrix, last_checked_at=now
    )
    reachable = sum(1 for row in matrix.values() if row["ok"])
    audit.record(
        workspace=check.workspace,
        actor=check.requested_by,
        action=AuditAction.ACCESS_CHECK,
        target=access.name,
        summary=f"{reachable} of {len(matrix)} running deployments reachable",
        ip=check.ip,
    )
    failed = [i for i in items if not i.ok]
    if failed:
        notify.raise_event(
            workspace=check.workspace,
            kind="key_check_failed",
            subject=notify.lazy_format(
                gettext_lazy("Key check of %(name)s: %(n)d of %(total)d calls failed"),
                {"name": access.name, "n": len(failed), "total": len(items)},
            ),
            facts={
                gettext_lazy("Application access"): f"{access.name} ({access.key_hint})",
                **{
                    f"{i.deployment_name} {i.version.upper()}": i.error_code
                    or f"HTTP {i.status_code}"
                    for i in failed[:20]
                },
            },
            link=reverse(
                "accessportal:access_detail",
                kwargs={"ws": check.workspace.code, "access": access.code},
            ),
        )
    return True


def outcome_names() -> dict[str, str]:
    return {value: str(label) for value, label in ProbeOutcome.choices}
