"""The monitor against the simulator over real sockets: up, down, recovery, flapping, each
drift kind, credentials, pruning, Check now."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from accessportal.models import Deployment
from monitor.models import DeploymentHealth, Drift, HealthEvent, MonitorSettings, Probe
from tests import factories
from tests.monitor.helpers import health_of, only_due, raised_events, run_pass


def admin_client(username="demo") -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_a_healthy_deployment_is_up_with_every_version_probed(demo):
    chat = demo.deployments.get(name="Pangu NLP chat")
    only_due(chat)
    assert run_pass() == 2
    health = health_of(chat)
    assert health.state == "up" and health.failures == 0
    probes = list(Probe.objects.filter(deployment=chat).order_by("version"))
    assert [p.version for p in probes] == ["v1", "v2"]
    for p in probes:
        assert p.outcome == "ok" and p.status_code == 200 and p.error_code == ""
        assert p.latency_ms is not None and p.ttft_ms is not None
        # The credential is named by access and mask, never by the key.
        assert p.auth_label.startswith("only-chat (") and "*" in p.auth_label
        assert chat.accesses.get().api_key() not in p.auth_label
    assert health.next_probe_at > timezone.now() + timedelta(seconds=250)
    # Not due again within the interval: a second pass probes nothing.
    assert run_pass() == 0


def test_down_after_two_failed_passes_then_recovery_with_events_and_alerts(
    demo, flapping_clock, monkeypatch
):
    flapping = demo.deployments.get(name="Fault: flapping")
    with raised_events(monkeypatch) as events:
        flapping_clock.up()
        only_due(flapping)
        run_pass()
        assert health_of(flapping).state == "up"

        flapping_clock.down()
        only_due(flapping)
        run_pass()
        health = health_of(flapping)
        assert (health.state, health.failures) == ("degraded", 1)
        assert "down after 2" in health.cause
        assert events == []

        only_due(flapping)
        run_pass()
        health = health_of(flapping)
        assert (health.state, health.failures) == ("down", 2)
        assert "APIG.0201 (HTTP 502)" in health.cause
        assert health.last_error_code == "APIG.0201" and health.last_status == 502
        assert [e["kind"] for e in events] == ["deployment_down"]
        assert events[0]["in_transaction"] and events[0]["workspace"] == demo
        assert events[0]["facts"]["Deployment"] == "Fault: flapping"

        flapping_clock.up()
        only_due(flapping)
        run_pass()
        assert health_of(flapping).state == "up"
        assert [e["kind"] for e in events] == ["deployment_down", "deployment_recovered"]
    changes = list(
        HealthEvent.objects.filter(deployment=flapping)
        .order_by("created_at", "id")
        .values_list("old_state", "new_state")
    )
    assert changes == [("unknown", "up"), ("up", "degraded"), ("degraded", "down"), ("down", "up")]
    strip = [entry["o"] for entry in health_of(flapping).recent]
    assert strip == ["ok", "ok", "error", "error", "error", "error", "ok", "ok"]


def test_a_deployment_the_catalog_calls_running_but_the_platform_stopped(demo, monkeypatch):
    legacy = demo.deployments.get(name="Legacy chat")  # stopped on the platform
    legacy.status = "running"
    legacy.save()
    with raised_events(monkeypatch) as events:
        only_due(legacy)
        run_pass()
    flag = Drift.objects.get(deployment=legacy, resolved_at__isnull=True)
    assert (flag.kind, flag.error_code, flag.status_code) == ("not_running", "PANGU.3259", 400)
    assert [e["kind"] for e in events] == ["drift_found"] and events[0]["in_transaction"]
    legacy.refresh_from_db()
    assert legacy.status == "running"  # the catalog is never changed by the monitor

    board = admin_client().get(f"/w/{demo.code}/health/").content.decode()
    assert "Not running on the platform" in board and "Mark as stopped" in board
    assert f"/w/{demo.code}/deployments/{legacy.code}/edit/" in board
    # A second pass sees it again: still one flag, one alert.
    only_due(legacy)
    run_pass()
    assert Drift.objects.filter(deployment=legacy).count() == 1

    # The admin marks it stopped: the flag is resolved, the row no longer monitored.
    legacy.status = "stopped"
    legacy.save()
    run_pass()
    assert not Drift.objects.filter(deployment=legacy, resolved_at__isnull=True).exists()
    assert health_of(legacy).state == "unknown"


def test_a_key_the_platform_refuses_is_drift_on_the_access_not_an_outage(demo):
    chat = demo.deployments.get(name="Pangu NLP chat")
    revoked = factories.make_access(demo, key="RevokedInTheConsole0123456789ab", name="revoked")
    MonitorSettings.objects.create(workspace=demo, access=revoked)
    only_due(chat)
    run_pass()
    only_due(chat)
    run_pass()
    health = health_of(chat)
    assert health.state == "unknown" and "refused the monitoring credential" in health.cause
    flag = Drift.objects.get(kind="key_refused", resolved_at__isnull=True)
    assert flag.access == revoked and flag.error_code == "APIG.0303"
    page = admin_client().get(f"/w/{demo.code}/access/{revoked.code}/").content.decode()
    assert "Key refused by the platform" in page and "Rotate key" in page

    # Rotating the key in the portal resolves the flag (a new key is asked again).
    revoked.key_rotated_at = timezone.now() + timedelta(seconds=1)
    revoked.save()
    run_pass()
    assert not Drift.objects.filter(kind="key_refused", resolved_at__isnull=True).exists()


def test_an_access_that_claims_a_deployment_the_platform_does_not_bind(demo):
    preset = demo.deployments.get(name="Pangu N1 base (preset)")
    only_chat = demo.accesses.get(name="only-chat")
    only_chat.deployments.add(preset)  # the catalog says so; the platform does not
    MonitorSettings.objects.create(workspace=demo, access=only_chat)
    only_due(preset)
    run_pass()
    flags = Drift.objects.filter(resolved_at__isnull=True, deployment=preset)
    assert {(f.kind, f.access_id, f.error_code) for f in flags} == {
        ("not_bound", only_chat.pk, "APIG.0304")
    }
    board = admin_client().get(f"/w/{demo.code}/health/").content.decode()
    assert "Key not bound to this deployment" in board and "Edit access" in board
    assert f"/w/{demo.code}/access/{only_chat.code}/edit/" in board
    # Unbinding it in the catalog resolves the flag.
    only_chat.deployments.remove(preset)
    run_pass()
    assert not Drift.objects.filter(resolved_at__isnull=True, deployment=preset).exists()


def test_a_version_the_catalog_says_is_served_but_is_not(demo):
    node = demo.deployments.get(name="Edge on node")  # V1 only on the platform
    node.serves_v2 = True
    node.save()
    only_due(node)
    run_pass()
    health = health_of(node)
    assert health.state == "degraded" and "V2" in health.cause
    flag = Drift.objects.get(deployment=node, resolved_at__isnull=True)
    assert (flag.kind, flag.version, flag.status_code) == ("version_missing", "v2", 404)
    node.serves_v2 = False
    node.save()
    run_pass()
    assert not Drift.objects.filter(deployment=node, resolved_at__isnull=True).exists()


def test_not_monitored_without_a_usable_key_and_iam_for_v1(demo):
    ws = factories.make_workspace("Lonely", inference_endpoint=demo.inference_endpoint)
    lonely = factories.make_deployment(ws, serves_v2=False, deployment_id="none")
    only_due(lonely)
    run_pass()
    health = health_of(lonely)
    assert health.state == "unknown" and "Not monitored" in health.not_monitored
    assert not Probe.objects.filter(deployment=lonely).exists()

    # An IAM credential signs V1: the demo's edge node is probed with a token.
    node = demo.deployments.get(name="Edge on node")
    credential = demo.iam_credentials.get()
    MonitorSettings.objects.create(workspace=demo, credential=credential)
    only_due(node)
    run_pass()
    probe = Probe.objects.get(deployment=node)
    assert probe.outcome == "ok" and probe.auth_label.startswith("IAM ")


def test_old_probes_are_pruned_by_the_monitor(demo, settings):
    chat = demo.deployments.get(name="Pangu NLP chat")
    only_due(chat)
    run_pass()
    old = timezone.now() - timedelta(days=settings.PORTAL_MONITOR_RETENTION_DAYS, hours=1)
    Probe.objects.filter(deployment=chat, version="v1").update(created_at=old)
    only_due()
    run_pass()  # a fresh monitor's first pass does its maintenance
    assert list(Probe.objects.filter(deployment=chat).values_list("version", flat=True)) == ["v2"]


def test_check_now_marks_rows_due_and_the_monitor_picks_them_up(demo):
    chat = demo.deployments.get(name="Pangu NLP chat")
    only_due(chat)
    run_pass()
    client = admin_client("demo-member")
    response = client.post(f"/w/{demo.code}/health/{chat.code}/check/")
    assert response.status_code == 302
    # Probed seconds ago: not probed again on request.
    assert health_of(chat).requested_at is None
    DeploymentHealth.objects.filter(deployment=chat).update(
        last_probe_at=timezone.now() - timedelta(minutes=1)
    )
    client.post(f"/w/{demo.code}/health/{chat.code}/check/")
    health = health_of(chat)
    assert health.requested_at is not None and health.next_probe_at <= timezone.now()
    status = client.get(f"/w/{demo.code}/health/status/").json()
    assert status["pending"] == 1 and "Checking" in status["rows"][str(chat.code)]
    assert run_pass() == 2
    assert health_of(chat).requested_at is None
    assert client.get(f"/w/{demo.code}/health/status/").json()["pending"] == 0


def test_check_all_marks_every_running_deployment(demo):
    client = admin_client("demo-member")
    client.post(f"/w/{demo.code}/health/check/")
    running = Deployment.objects.filter(workspace=demo, status="running").count()
    assert DeploymentHealth.objects.filter(requested_at__isnull=False).count() == running
    assert admin_client("demo-viewer").post(f"/w/{demo.code}/health/check/").status_code == 403
