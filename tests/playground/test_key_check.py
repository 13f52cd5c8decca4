from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from accessportal.models import AuditEvent


def test_check_key_builds_a_matrix_kept_with_the_access(demo, settings):
    settings.PORTAL_UPSTREAM_READ_TIMEOUT = 1  # the "slow" fault deployment must not hold us
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    access = demo.accesses.get(name="fault-lab")
    response = client.post(f"/w/{demo.code}/access/{access.code}/check/", follow=True)
    assert response.status_code == 200
    access.refresh_from_db()
    matrix = {row["name"]: row for row in access.last_check.values()}
    running_covered = set(
        access.deployments.filter(status="running").values_list("name", flat=True)
    )
    assert set(matrix) == running_covered
    assert matrix["Fault: throttle"]["error_code"] == "APIG.0308"
    assert matrix["Fault: error_502"]["status"] == 502
    page = response.content.decode()
    assert "APIG.0308" in page and "Key check" in page
    assert AuditEvent.objects.filter(action="access.check", target="fault-lab").exists()
    throttled = demo.deployments.get(name="Fault: throttle")
    deployment_page = client.get(f"/w/{demo.code}/deployments/{throttled.code}/").content.decode()
    assert "last check" in deployment_page and "APIG.0308" in deployment_page


def test_check_key_reachable_for_a_good_key(demo):
    client = Client()
    client.force_login(User.objects.get(username="demo"))
    access = demo.accesses.get(name="edge-team")
    client.post(f"/w/{demo.code}/access/{access.code}/check/")
    access.refresh_from_db()
    assert access.last_check and all(row["ok"] for row in access.last_check.values())
    assert "reachable" in client.get(f"/w/{demo.code}/access/{access.code}/").content.decode()


def test_check_key_counts_against_the_rate_limit(demo, settings):
    from tests.playground_helpers import start_of_a_rate_window

    settings.PORTAL_PLAYGROUND_RATE_LIMIT = 2  # edge-team covers three running deployments
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    access = demo.accesses.get(name="edge-team")
    start_of_a_rate_window()
    page = client.post(f"/w/{demo.code}/access/{access.code}/check/", follow=True)
    assert "over your limit of 2 test calls" in page.content.decode()
    access.refresh_from_db()
    assert access.last_check == {}
