"""The monitor process: claims due work, probes it in a bounded thread pool, stores it.

``run_pass()`` works until nothing is due: key checks people asked for first, then the
deployments whose probe is due. The loop (``manage.py monitor``) runs a pass every tick
(a second by default), so *Check now* is picked up at once; most ticks find nothing due
and cost a few queries. Once an interval it also prunes old probes and warns of expiring
keys; every tick it sends due notifications.

Claims keep the pool fed without a barrier: while fewer than twice the concurrency are
in flight, it claims more; each finished wave is stored in one transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from accessportal.models import Deployment, Status
from monitor import coverage, flags, heartbeat, notify
from monitor.claims import claim, claim_ttl
from monitor.health import Verdict
from monitor.models import DeploymentHealth, Health, HealthEvent, KeyCheckItem, Probe
from monitor.probing import Answer, probe, probe_policy
from monitor.results import DeploymentJob, ItemJob, record_change, save_deployments, save_items

logger = logging.getLogger(__name__)

EVENT_RETENTION = timedelta(days=93)
BEAT_SECONDS = 5  # uptime over 30 days needs the changes before it
# Stored in words in the default language; pages and channels read it in their own.
NOT_RUNNING = gettext_noop("Not running in the catalog.")


def sync_schedules(*, now: datetime) -> None:
    """A health row for every running deployment; deployments the catalog no longer
    calls running become unknown (not monitored), with an event saying why."""
    missing = Deployment.objects.running().filter(health__isnull=True)
    DeploymentHealth.objects.bulk_create(
        [
            DeploymentHealth(deployment_id=pk, workspace_id=ws, next_probe_at=now, state_since=now)
            for pk, ws in missing.values_list("pk", "workspace_id")
        ],
        ignore_conflicts=True,
    )
    idle = DeploymentHealth.objects.exclude(deployment__status=Status.RUNNING).exclude(
        state=Health.UNKNOWN
    )
    for health in idle.select_related("deployment__workspace"):
        with transaction.atomic():
            cause = str(health.deployment.not_callable_reason or NOT_RUNNING)
            won = DeploymentHealth.objects.filter(pk=health.pk, state=health.state).update(
                state=Health.UNKNOWN,
                state_since=now,
                cause=cause[:300],
                cause_data={},
                failures=0,
            )
            if won:
                record_change(
                    health.deployment,
                    old=health.state,
                    verdict=Verdict(Health.UNKNOWN, 0, cause),
                    now=now,
                )


def prune(*, now: datetime) -> int:
    """Delete probes past the retention, and state events past uptime's need."""
    cutoff = now - timedelta(days=settings.PORTAL_MONITOR_RETENTION_DAYS)
    deleted, _ = Probe.objects.filter(created_at__lt=cutoff).delete()
    notify.prune(now=now)
    keep_events = max(EVENT_RETENTION, timedelta(days=settings.PORTAL_MONITOR_RETENTION_DAYS))
    HealthEvent.objects.filter(created_at__lt=now - keep_events).delete()
    heartbeat.prune(now=now)
    return deleted


def _in_thread(function: Callable, *args):
    """Run in a pool thread; the thread's own database connection is closed after."""
    try:
        return function(*args)
    finally:
        connection.close()


class Monitor:
    def __init__(self, *, name: str | None = None, log: Callable[[str], None] | None = None):
        self.name = name or heartbeat.process_name()
        self.log = log or logger.info
        self.concurrency = settings.PORTAL_MONITOR_CONCURRENCY
        self.stopping = threading.Event()
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="probe")
        self.policy = probe_policy()
        self._last_maintenance = 0.0
        self._last_beat = 0.0
        self._pass_start = timezone.now()
        # Rows this process works on: never claimed again while in flight, even if the
        # claim expired meanwhile (it would probe them twice and drop its own results).
        self._busy: set[tuple[str, int]] = set()
        self._coverage: dict[int, coverage.Coverage] = {}  # per workspace, for one pass
        self._items_looked_at = 0.0
        # Sending notifications (SMTP, webhooks) can be slow: in the loop it runs on a
        # thread of its own, so probes keep flowing; a single pass sends at its end.
        self.background_delivery = False
        self.sender = ThreadPoolExecutor(1, thread_name_prefix="deliver")
        self._sending: Future | None = None

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        heartbeat.register(self.name)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.sender.shutdown(wait=True)
        heartbeat.stopped(self.name, now=timezone.now())

    def stop(self) -> None:
        """Finish what is in flight, claim nothing new (SIGTERM, SIGINT)."""
        self.stopping.set()

    def loop(self) -> None:
        self.background_delivery = True
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                self.run_pass(maintenance=started - self._last_maintenance >= self._every())
            except Exception:  # the loop survives a bad tick (database restart, bug)
                logger.exception("monitor: a pass failed; trying again")
                close_old_connections()
            self.stopping.wait(
                max(0.0, settings.PORTAL_MONITOR_TICK - (time.monotonic() - started))
            )

    @staticmethod
    def _every() -> float:
        return float(settings.PORTAL_MONITOR_INTERVAL)

    # --- one pass -----------------------------------------------------------------------
    def run_pass(self, *, maintenance: bool = True) -> int:
        """Probe what is due when the pass starts (plus Check now and key checks asked
        meanwhile); returns the probes made."""
        started = time.monotonic()
        self._pass_start = timezone.now()
        self._coverage = {}
        sync_schedules(now=self._pass_start)
        flags.resolve_outdated(now=self._pass_start)
        kinds = (
            (self._claim_items, self._probe_item, self._save_items),
            (self._claim_deployments, self._probe_deployment, self._save_deployments),
        )
        in_flight: dict[Future, tuple[Callable, object]] = {}
        finished: dict[Callable, list] = {}
        made, last_save = 0, time.monotonic()
        while True:
            # Refill in batches while the pool still has work queued, so it never idles.
            if not self.stopping.is_set() and len(in_flight) < 3 * self.concurrency:
                for claim_some, probe_one, save_wave in kinds:
                    for job in claim_some(6 * self.concurrency - len(in_flight)):
                        self._busy.add(job.busy_key)
                        future = self.pool.submit(_in_thread, probe_one, job)
                        in_flight[future] = (save_wave, job)
            if not in_flight and not finished:
                break
            if in_flight:
                # Not longer than a tick: claims what Check now asked for meanwhile, and
                # keeps the heartbeat and the deliveries going through a long pass.
                done, _pending = wait(
                    in_flight, timeout=settings.PORTAL_MONITOR_TICK, return_when=FIRST_COMPLETED
                )
                for future in done:
                    save_wave, job = in_flight.pop(future)
                    future.result()  # the probes never raise; a failure here is a bug
                    finished.setdefault(save_wave, []).append(job)
            waiting = sum(len(jobs) for jobs in finished.values())
            # Stored in waves (one transaction each), not one by one.
            if waiting and (
                waiting >= 2 * self.concurrency
                or len(in_flight) < self.concurrency
                or time.monotonic() - last_save >= 1.0
            ):
                for save_wave, jobs in finished.items():
                    made += save_wave(jobs)
                    self._busy.difference_update(job.busy_key for job in jobs)
                finished, last_save = {}, time.monotonic()
            self._duties()
        self._duties()
        if maintenance:
            self._last_maintenance = started
            notify.warn_expiring()
            prune(now=timezone.now())
        if not self.background_delivery:
            notify.deliver_due()
        if made or maintenance:
            heartbeat.beat(
                self.name,
                now=timezone.now(),
                pass_probes=made,
                pass_ms=int((time.monotonic() - started) * 1000),
            )
            self._last_beat = time.monotonic()
        if made:
            self.log(f"pass: {made} probes in {time.monotonic() - started:.1f} s")
        return made

    def _duties(self) -> None:
        """Send due notifications; say this process is alive every few seconds."""
        if self.background_delivery and (self._sending is None or self._sending.done()):
            if self._sending is not None and self._sending.exception() is not None:
                logger.error(
                    "monitor: sending notifications failed", exc_info=self._sending.exception()
                )
            self._sending = self.sender.submit(_in_thread, notify.deliver_due)
        if time.monotonic() - self._last_beat >= BEAT_SECONDS:
            heartbeat.beat(self.name, now=timezone.now())
            self._last_beat = time.monotonic()

    # --- deployments --------------------------------------------------------------------
    def _claim_deployments(self, limit: int) -> list[DeploymentJob]:
        now = timezone.now()
        expires = now + claim_ttl()
        # Due when the pass started, or asked for since (Check now): a pass ends.
        due = DeploymentHealth.objects.filter(
            Q(next_probe_at__lte=self._pass_start)
            | Q(requested_at__isnull=False, next_probe_at__lte=now),
            deployment__status=Status.RUNNING,
        )
        busy = [pk for kind, pk in self._busy if kind == "deployment"]
        ids = claim(
            due.exclude(pk__in=busy),
            owner=self.name,
            now=now,
            expires=expires,
            limit=limit,
            order=("next_probe_at",),
        )
        if not ids:
            return []
        rows = list(
            DeploymentHealth.objects.filter(pk__in=ids, claimed_by=self.name).select_related(
                "deployment__workspace"
            )
        )
        missing = {h.workspace_id for h in rows} - set(self._coverage)
        if missing:
            self._coverage |= coverage.load(missing)
        covered = self._coverage
        jobs = []
        for health in rows:
            deployment = health.deployment
            cover = covered[health.workspace_id]
            job = DeploymentJob(health=health, claimed_at=now, expires=expires)
            missing = []
            for version in deployment.versions:
                access, credential = cover.pick(deployment.pk, version)
                if access is None and credential is None:
                    missing.append(version)
                else:
                    job.targets.append((version, access, credential))
            job.missing = coverage.not_monitored_reason(missing, deployment.versions)
            jobs.append(job)
        return jobs

    def _probe_deployment(self, job: DeploymentJob) -> None:
        job.answers = [
            probe(
                job.health.deployment, version, access=access, credential=cred, policy=self.policy
            )
            for version, access, cred in job.targets
        ]

    def _save_deployments(self, jobs: list[DeploymentJob]) -> int:
        return save_deployments(jobs, owner=self.name, now=timezone.now())

    # --- key checks ---------------------------------------------------------------------
    def _claim_items(self, limit: int) -> list[ItemJob]:
        # Key checks are rare: looked for once a tick, not at every refill of the pool.
        if time.monotonic() - self._items_looked_at < settings.PORTAL_MONITOR_TICK:
            return []
        self._items_looked_at = time.monotonic()
        now = timezone.now()
        expires = now + claim_ttl()
        busy = [pk for kind, pk in self._busy if kind == "item"]
        due = KeyCheckItem.objects.filter(done_at__isnull=True).exclude(pk__in=busy)
        ids = claim(due, owner=self.name, now=now, expires=expires, limit=limit, order=("id",))
        items = KeyCheckItem.objects.filter(pk__in=ids, claimed_by=self.name).select_related(
            "check_run__access",
            "check_run__workspace",
            "check_run__requested_by",
            "deployment__workspace",
        )
        return [ItemJob(item=item, expires=expires) for item in items]

    def _probe_item(self, job: ItemJob) -> None:
        item = job.item
        access = item.check_run.access
        if not access.is_usable:
            job.answer = Answer(
                version=item.version,
                auth_label=access.name,
                ok=False,
                error_code="portal.access_unusable",
                error_message=f"The access is {access.status}.",
            )
            return
        job.answer = probe(
            item.deployment,
            item.version,
            access=access,
            policy=self.policy,
            key_check_by=item.check_run.requested_by,
        )

    def _save_items(self, jobs: list[ItemJob]) -> int:
        save_items(jobs, owner=self.name, now=timezone.now())
        return len(jobs)
