"""The health board page: who sees what, a constant number of queries, the stale banner,
the navigation counts, /readyz's report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.hints import hint_for
from monitor.charts import entry
from monitor.models import DeploymentHealth, Drift, HealthEvent, MonitorProcess
from tests import factories


def populate(workspace, count: int) -> None:
    """Deployments with 90 probes each, an outage event and a drift flag on every third."""
    now = timezone.now()
    recent = [
        entry(
            at=now - timedelta(minutes=5 * i),
            version="v1",
            outcome="error" if i % 7 == 0 else "ok",
            status=502 if i % 7 == 0 else 200,
            code="APIG.0201" if i % 7 == 0 else "",
            latency=100 + i,
            ttft=90 + i,
        )
        for i in range(90)
    ]
    access = factories.make_access(workspace)
    for n in range(count):
        dep = factories.make_deployment(workspace)
        if n % 2:
            access.deployments.add(dep)
        DeploymentHealth.objects.create(
            deployment=dep,
            workspace=workspace,
            state="down" if n % 3 == 0 else "up",
            recent=recent,
            last_error_code="APIG.0201",
            last_status=502,
            last_probe_at=now,
        )
        HealthEvent.objects.create(
            workspace=workspace,
            deployment=dep,
            old_state="up",
            new_state="down",
            cause="x",
            created_at=now - timedelta(hours=2),
        )
        if n % 3 == 0:
            Drift.objects.create(
                workspace=workspace,
                deployment=dep,
                kind="not_running",
                key=f"not_running:{dep.pk}::",
                error_code="PANGU.3259",
            )


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_board_costs_the_same_queries_for_3_or_30_deployments(world, admin_client):
    populate(world.alpha, 3)
    populate(world.beta, 30)
    factories.add_member(world.beta, world.admin, "admin")
    small = queries_for(admin_client, f"/w/{world.alpha.code}/health/")
    large = queries_for(admin_client, f"/w/{world.beta.code}/health/")
    assert small == large
    assert queries_for(admin_client, f"/w/{world.alpha.code}/health/status/") == queries_for(
        admin_client, f"/w/{world.beta.code}/health/status/"
    )


def test_a_row_shows_state_uptime_strip_sparkline_error_hint_and_drift(world, admin_client):
    populate(world.alpha, 1)
    page = admin_client.get(f"/w/{world.alpha.code}/health/").content.decode()
    assert "health-down" in page and "Down" in page
    assert page.count('class="cell') == 90
    assert '<svg class="spark"' in page and "Latency p50" in page
    assert "APIG.0201" in page and str(hint_for("APIG.0201", 502)) in page  # the plain hint
    assert "Not running on the platform" in page and "Mark as stopped" in page
    assert "style=" not in page and "<script>" not in page  # the CSP stays strict
    assert "UTC" in page  # every time says its zone


def test_members_see_no_fix_buttons_they_cannot_use(world, member_client, viewer_client):
    populate(world.alpha, 1)
    page = member_client.get(f"/w/{world.alpha.code}/health/").content.decode()
    assert "Not running on the platform" in page and "Mark as stopped" not in page
    assert "Check now" in page
    page = viewer_client.get(f"/w/{world.alpha.code}/health/").content.decode()
    assert "Check now" not in page and "Check all now" not in page


def test_the_board_says_plainly_when_no_monitor_reports(world, admin_client, settings):
    populate(world.alpha, 1)
    url = f"/w/{world.alpha.code}/health/"
    assert "No monitor has ever run" in admin_client.get(url).content.decode()
    now = timezone.now()
    MonitorProcess.objects.create(name="h:1:a", host="h", pid=1, last_seen_at=now, last_pass_at=now)
    page = admin_client.get(url).content.decode()
    assert "No monitor" not in page and "Monitor last reported" in page
    stale = now - timedelta(seconds=2 * settings.PORTAL_MONITOR_INTERVAL + 5)
    MonitorProcess.objects.update(last_pass_at=stale, last_seen_at=stale)
    page = admin_client.get(url).content.decode()
    assert "No monitor has reported since" in page and "python manage.py monitor" in page


def test_navigation_and_home_count_deployments_down_and_drift(world, viewer_client):
    populate(world.alpha, 4)  # two down (0 and 3), two flags
    page = viewer_client.get(f"/w/{world.alpha.code}/deployments/").content.decode()
    assert "2 down" in page and "2 drift" in page
    assert "2 deployments are down." in page and "Open the health board" in page


def test_readyz_reports_the_age_of_the_last_pass(db):
    assert Client().get("/readyz").json()["monitor"] == {
        "last_pass_age_seconds": None,
        "stale": True,
    }
    MonitorProcess.objects.create(
        name="h:1:a", host="h", pid=1, last_pass_at=timezone.now() - timedelta(seconds=42)
    )
    report = Client().get("/readyz").json()["monitor"]
    assert 42 <= report["last_pass_age_seconds"] < 100 and report["stale"] is False


def test_a_deployments_panel_answers_its_fresh_html(world, viewer_client):
    populate(world.alpha, 1)
    dep = world.alpha.deployments.get()
    url = f"/w/{world.alpha.code}/health/{dep.code}/status/"
    answer = viewer_client.get(url).json()
    assert answer["pending"] == 0
    assert "Down" in answer["html"] and answer["html"].count('class="cell') == 90
    assert "UTC" in answer["html"] and "<script" not in answer["html"]
    DeploymentHealth.objects.filter(deployment=dep).update(requested_at=timezone.now())
    answer = viewer_client.get(url).json()
    assert answer["pending"] == 1 and "Checking…" in answer["html"]
    other = factories.make_deployment(world.beta)  # another workspace's: not found here
    assert (
        viewer_client.get(f"/w/{world.alpha.code}/health/{other.code}/status/").status_code == 404
    )


@pytest.mark.parametrize("path", ["health/", "health/status/"])
def test_outsiders_get_404(world, path):
    client = world.client_for(world.outsider)
    assert client.get(f"/w/{world.alpha.code}/{path}").status_code == 404


def test_outsiders_get_404_for_a_deployments_panel(world):
    populate(world.alpha, 1)
    dep = world.alpha.deployments.get()
    client = world.client_for(world.outsider)
    assert client.get(f"/w/{world.alpha.code}/health/{dep.code}/status/").status_code == 404


def test_only_admins_choose_the_monitoring_credential(world, admin_client, member_client):
    url = f"/w/{world.alpha.code}/health/settings/"
    assert member_client.get(url).status_code == 403
    access = factories.make_access(world.alpha, name="watcher")
    other = factories.make_access(world.beta, name="theirs")
    assert admin_client.post(url, {"access": other.pk}).status_code == 200  # not offered
    response = admin_client.post(url, {"access": access.pk})
    assert response.status_code == 302
    assert world.alpha.monitor_settings.access == access


def test_the_admin_lists_the_monitors_rows_read_only(world):
    populate(world.alpha, 2)
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = world.client_for(world.admin)
    for model in ("deploymenthealth", "probe", "healthevent", "drift", "monitorprocess"):
        assert client.get(f"/admin/monitor/{model}/").status_code == 200
    assert client.get("/admin/monitor/probe/add/").status_code == 403


@pytest.mark.parametrize(
    "language, unmonitored, partly",
    [
        ("en", "Not monitored: no enabled, unexpired application access", "V2 not monitored"),
        ("zh-hans", "没有已启用且未过期的应用接入关联此部署", "V2 未监控"),
    ],
)
def test_why_a_deployment_is_not_monitored_reads_in_the_readers_language(
    world, admin_client, language, unmonitored, partly
):
    """The monitor process words nothing for the page: the reason is written from the
    coverage when the page is read (a Chinese reader never sees the English sentence)."""
    from monitor.models import MonitorSettings

    bare = factories.make_deployment(world.alpha, name="Nobody covers me", serves_v2=True)
    half = factories.make_deployment(world.beta, name="IAM signs V1 only", serves_v2=True)
    MonitorSettings.objects.create(
        workspace=world.beta, credential=factories.make_credential(world.beta)
    )
    factories.add_member(world.beta, world.admin, "admin")
    for dep in (bare, half):  # as a monitor pass left them, worded in its own language
        DeploymentHealth.objects.create(
            deployment=dep, workspace=dep.workspace, not_monitored="Not monitored: (stored)"
        )
    admin_client.cookies["django_language"] = language
    for workspace, reason in ((world.alpha, unmonitored), (world.beta, partly)):
        for path in (
            "health/",
            f"deployments/{(bare if workspace == world.alpha else half).code}/",
        ):
            page = admin_client.get(f"/w/{workspace.code}/{path}").content.decode()
            assert reason in page, path
            assert "(stored)" not in page
