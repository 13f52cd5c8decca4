"""The health board's rows, built with a fixed number of queries for any page.

Strips and sparklines come from each row's ``recent`` probes (kept on DeploymentHealth),
uptime from the state events of the last 30 days: neither reads the probe table, so a
page costs the same with 10 deployments or 2,000 with 30 days of probes each.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accessportal import timefmt
from accessportal.models import Deployment, Status, Workspace
from chat.hints import hint_for
from monitor import coverage, heartbeat
from monitor.charts import StateChange, sparkline_svg, strip_html, uptime
from monitor.drift import EXPLAINED, FIXES
from monitor.health import stored_cause
from monitor.models import DeploymentHealth, Drift, DriftKind, Health, HealthEvent
from monitor.results import outcome_names

PAGE_SIZE = 20
WINDOWS = (("24h", timedelta(hours=24)), ("7d", timedelta(days=7)), ("30d", timedelta(days=30)))


def ordered(workspace: Workspace) -> QuerySet:
    """Every deployment of the workspace, the ones needing attention first.

    Each state is a set of ids read from an index (no join with the health rows, whose
    probe lists would be read for every deployment of the workspace).
    """

    def in_state(state: str) -> Q:
        ids = DeploymentHealth.objects.filter(workspace=workspace, state=state)
        return Q(pk__in=ids.values("deployment_id"))

    severity = Case(
        When(status__in=[Status.DEPLOYING, Status.STOPPED, Status.FAILED], then=Value(5)),
        When(in_state(Health.DOWN), then=Value(0)),
        When(in_state(Health.DEGRADED), then=Value(1)),
        When(in_state(Health.UNKNOWN), then=Value(2)),
        When(in_state(Health.UP), then=Value(4)),
        default=Value(3),  # running, not probed yet
        output_field=IntegerField(),
    )
    return workspace.deployments.annotate(severity=severity).order_by("severity", "name", "id")


def page_rows(ordered_ids: list[int]) -> list[Deployment]:
    """The page's deployments with their health, in the page's order.

    The page's ids are picked first (sorting ids and names only) and only those rows are
    read whole: sorting every deployment with its health, 90 recent probes each, made the
    page's time grow with the workspace's size.
    """
    by_id = Deployment.objects.select_related("health").in_bulk(ordered_ids)
    return [by_id[pk] for pk in ordered_ids if pk in by_id]


def time_formatter():
    """Formats a probe's timestamp in the current zone, naming it as every time on a page
    does (``timefmt``: ``UTC+08:00 (Asia/Shanghai)``, not an abbreviation such as "CST",
    which is ambiguous and reads as English on Chinese pages), the zone looked up once per
    page, not once per cell, as text safe in HTML.

    A page shows thousands of cells, and the deployments of one page are probed in the
    same pass, so their cells share their minutes: the date, hour, minute and zone are
    formatted once per minute and only the seconds per cell. Zones change their offset on
    whole minutes, so a minute has one offset.
    """
    zone = timezone.get_current_timezone()
    minutes: dict[int, tuple[str, str]] = {}

    def fmt_time(timestamp: float) -> str:
        minute, seconds = divmod(int(timestamp), 60)
        parts = minutes.get(minute)
        if parts is None:
            at = datetime.fromtimestamp(minute * 60, tz=zone)
            parts = minutes[minute] = (
                escape(at.strftime(f"{timefmt.DATE} {timefmt.MINUTES}:")),
                escape(" " + timefmt.zone_label(at)),
            )
        return f"{parts[0]}{seconds:02d}{parts[1]}"

    return fmt_time


def url_maker(name: str, workspace: Workspace, key: str):
    """The URL of one row's object without a reverse() per row (three per row were a good
    part of a page's time): the pattern is reversed once with a placeholder code, which
    is then replaced by the row's code. The placeholder, the nil UUID, is never a code."""
    placeholder = str(uuid.UUID(int=0))
    pattern = reverse(name, kwargs={"ws": workspace.code, key: placeholder})
    return lambda code: pattern.replace(placeholder, str(code))


def fmt_share(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1:
        return "100 %"
    return f"{min(value * 100, 99.99):.2f} %"


@dataclass
class Flag:
    kind: str
    label: str
    explained: str
    code: str
    version: str
    access: object | None
    fix_label: str
    fix_url: str


@dataclass
class Row:
    deployment: Deployment
    state: str
    state_label: str
    cause: str
    since: datetime | None
    pending: bool
    uptime: dict[str, str] = field(default_factory=dict)
    strip: str = ""
    spark: str = ""
    spark_text: str = ""
    last_error: dict | None = None
    flags: list[Flag] = field(default_factory=list)
    covering: list = field(default_factory=list)  # (access, its page's URL)
    detail_url: str = ""
    check_url: str = ""
    monitored_with: list[str] = field(default_factory=list)
    not_monitored: str = ""

    @property
    def code(self) -> str:
        return str(self.deployment.code)


def _flags(drifts: list[Drift], workspace: Workspace, *, is_admin: bool) -> list[Flag]:
    flags = []
    for drift in drifts:
        label, url_name, target = FIXES[drift.kind]
        obj = drift.deployment if target == "deployment" else drift.access
        if target == "deployment":
            url = reverse(url_name, kwargs={"ws": workspace.code, "dep": obj.code})
        else:
            url = reverse(url_name, kwargs={"ws": workspace.code, "access": obj.code})
        flags.append(
            Flag(
                kind=drift.kind,
                label=str(DriftKind(drift.kind).label),
                explained=str(EXPLAINED[drift.kind]),
                code=drift.error_code,
                version=drift.version,
                access=drift.access,
                fix_label=str(label) if is_admin or url_name.endswith("_detail") else "",
                fix_url=url,
            )
        )
    return flags


def _not_running_reason(deployment: Deployment) -> str:
    return _("Not monitored: the catalog says it is %(status)s.") % {
        "status": deployment.get_status_display().lower()
    }


def build_rows(
    workspace: Workspace, deployments: list[Deployment], *, is_admin: bool, now=None
) -> list[Row]:
    now = now or timezone.now()
    ids = [d.pk for d in deployments]
    changes: dict[int, list[StateChange]] = defaultdict(list)
    for dep_id, at, old, new in (
        HealthEvent.objects.filter(deployment_id__in=ids, created_at__gte=now - WINDOWS[-1][1])
        .order_by("created_at", "id")
        .values_list("deployment_id", "created_at", "old_state", "new_state")
    ):
        changes[dep_id].append(StateChange(at=at, old=old, new=new))
    drifts: dict[int, list[Drift]] = defaultdict(list)
    by_id = {d.pk: d for d in deployments}
    for drift in Drift.objects.filter(
        deployment_id__in=ids, resolved_at__isnull=True
    ).select_related("access"):
        drift.deployment = by_id[drift.deployment_id]
        drifts[drift.deployment_id].append(drift)
    cover = coverage.load({workspace.pk}, deployment_ids=ids)[workspace.pk]
    names = outcome_names()
    fmt_time = time_formatter()
    detail_url = url_maker("accessportal:deployment_detail", workspace, "dep")
    check_url = url_maker("monitor:health_check", workspace, "dep")
    access_url = url_maker("accessportal:access_detail", workspace, "access")
    rows = []
    for deployment in deployments:
        deployment.workspace = workspace  # for drift links, without a query
        health = getattr(deployment, "health", None)
        running = deployment.status == Status.RUNNING
        state = health.state if (health and running) else Health.UNKNOWN
        row = Row(
            deployment=deployment,
            state=state,
            state_label=str(Health(state).label),
            cause=stored_cause(health.cause, health.cause_data) if health and running else "",
            since=health.state_since if health and running else None,
            pending=bool(health and health.requested_at and running),
            covering=[(a, access_url(a.code)) for a in cover.covering(deployment.pk)],
            detail_url=detail_url(deployment.code),
            check_url=check_url(deployment.code),
        )
        unprobed = []
        for version in deployment.versions:
            access, credential = cover.pick(deployment.pk, version)
            if access or credential:
                who = (
                    f"IAM {credential.name}" if credential else f"{access.name} ({access.key_hint})"
                )
                row.monitored_with.append(f"{version.upper()}: {who}")
            else:
                unprobed.append(version)
        # Worded here, in the reader's language, from the coverage the monitor uses; the
        # monitor's stored sentence is in its own process's language (the REST API's).
        if not running:
            row.not_monitored = _not_running_reason(deployment)
        else:
            row.not_monitored = coverage.not_monitored_reason(unprobed, deployment.versions)
        if health is not None and running:
            for key, window in WINDOWS:
                row.uptime[key] = fmt_share(
                    uptime(changes[deployment.pk], state=health.state, now=now, window=window)
                )
            row.strip = strip_html(
                health.recent,
                fmt_time=fmt_time,
                outcome_names=names,
                label=_("Last %(n)d probes, oldest first") % {"n": len(health.recent[-90:])},
            )
            row.spark, row.spark_text = sparkline_svg(health.recent)
            if health.last_error_code or health.last_status:
                row.last_error = {
                    "code": health.last_error_code or f"HTTP {health.last_status}",
                    "status": health.last_status,
                    "message": health.last_error_message,
                    "hint": hint_for(health.last_error_code, health.last_status),
                }
        else:
            row.uptime = {key: "—" for key, _w in WINDOWS}
        if running:
            row.flags = _flags(drifts[deployment.pk], workspace, is_admin=is_admin)
        rows.append(row)
    return rows


@dataclass
class BoardStatus:
    stale: bool
    last_pass_at: datetime | None
    age_seconds: int | None


def board_status() -> BoardStatus:
    fresh = heartbeat.freshness()
    return BoardStatus(
        stale=fresh.stale, last_pass_at=fresh.last_seen_at, age_seconds=fresh.age_seconds
    )


def deployment_panel(workspace: Workspace, deployment: Deployment, *, is_admin: bool) -> dict:
    """The deployment page's health panel: its row, and whether the monitor reports."""
    (row,) = build_rows(workspace, [deployment], is_admin=is_admin)
    return {"row": row, "status": board_status()}
