"""The catalog over the API: what scripts read and write, and what they never see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accessportal.models import ApplicationAccess, AuditAction, AuditEvent, Deployment
from tests import factories
from tests.api.conftest import ws_url

CANARY = "canary-KEY-7f3a9c1e5b2d8f4a6c0e"


def test_deployments_carry_call_paths_and_header_tables(world, api_for):
    dep = factories.make_deployment(world.alpha, deployment_id="dep42")
    api = api_for(world.viewer)
    row = api.get(ws_url(world.alpha, f"/deployments/{dep.code}")).json()
    assert row["call_paths"] == dep.call_paths()
    assert row["call_paths"]["v1"].endswith(
        f"/v1/{world.alpha.project_id}/deployments/dep42/chat/completions"
    )
    modes = {(h["version"], h["auth_mode"]): h["headers"] for h in row["auth_headers"]}
    assert modes[("v1", "token")]["X-Auth-Token"] == "<IAM token>"
    assert modes[("v1", "api_key")]["X-Apig-AppCode"] == "<API key>"
    assert modes[("v2", "api_key")]["Authorization"] == "Bearer <API key>"
    assert all(h["Content-Type"] == "application/json" for h in modes.values())


def test_lists_page_with_a_stable_order_and_filters(world, api_for):
    for n in range(7):
        factories.make_deployment(
            world.alpha, name="same name", status="stopped" if n % 2 else "running"
        )
    api = api_for(world.viewer)
    seen, url = [], ws_url(world.alpha, "/deployments?limit=3")
    while url:
        answer = api.get(url).json()
        assert answer["count"] == 7
        seen += [d["code"] for d in answer["results"]]
        url = answer["next"]
    assert len(seen) == len(set(seen)) == 7
    stopped = api.get(ws_url(world.alpha, "/deployments?status=stopped")).json()
    assert stopped["count"] == 3
    assert {d["status"] for d in stopped["results"]} == {"stopped"}
    bad = api.get(ws_url(world.alpha, "/deployments?status=sleeping&limit=100000"))
    assert bad.status_code == 422
    assert set(bad.json()["error"]["details"]) == {"status", "limit"}


def test_list_queries_do_not_grow_with_the_rows(world, api_for):
    api = api_for(world.viewer)
    api.get("/api/v1/workspaces")  # the token's first use notes it; later calls do not

    def queries_for(n: int) -> int:
        Deployment.objects.all().delete()
        for _ in range(n):
            factories.make_deployment(world.alpha)
        for _ in range(n):
            factories.make_access(world.alpha, deployments=list(Deployment.objects.all()[:2]))
        with CaptureQueriesContext(connection) as captured:
            assert api.get(ws_url(world.alpha, "/deployments")).status_code == 200
            assert api.get(ws_url(world.alpha, "/accesses")).status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(30)


def test_admin_creates_updates_and_deletes_a_deployment_audited_with_the_token(world, api_for):
    api = api_for(world.admin, write=True)
    created = api.post(
        ws_url(world.alpha, "/deployments"),
        {
            "name": "edge one",
            "mode": "edge_node",
            "node_ip": "10.0.0.5",
            "host_port": 8080,
            "deployment_id": "e1",
        },
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert created.json()["call_paths"]["v1"].startswith("http://10.0.0.5:8080/v1/")
    patched = api.patch(ws_url(world.alpha, f"/deployments/{code}"), {"status": "stopped"})
    assert patched.status_code == 200
    assert patched.json()["status"] == "stopped"
    assert patched.json()["node_ip"] == "10.0.0.5"  # what was not sent stays
    assert api.delete(ws_url(world.alpha, f"/deployments/{code}")).status_code == 204
    assert not Deployment.objects.filter(code=code).exists()
    events = list(AuditEvent.objects.filter(workspace=world.alpha).order_by("id"))
    assert [e.action for e in events] == [
        AuditAction.DEPLOYMENT_CREATE,
        AuditAction.DEPLOYMENT_UPDATE,
        AuditAction.DEPLOYMENT_DELETE,
    ]
    assert all("API token apat_" in e.summary and e.actor == world.admin for e in events)


def test_the_forms_rules_apply_and_say_which_field(world, api_for):
    api = api_for(world.admin, write=True)
    answer = api.post(ws_url(world.alpha, "/deployments"), {"name": "x", "mode": "edge_lb"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid"
    assert {"elb_ip", "elb_port"} <= set(error["details"])
    assert not Deployment.objects.filter(name="x").exists()


def test_accesses_show_masks_and_never_the_key(world, api_for):
    dep = factories.make_deployment(world.alpha)
    access = factories.make_access(world.alpha, key=CANARY, deployments=[dep])
    api = api_for(world.admin, write=True)
    listed = api.get(ws_url(world.alpha, "/accesses"))
    detail = api.get(ws_url(world.alpha, f"/accesses/{access.code}"))
    for answer in (listed, detail):
        assert answer.status_code == 200
        assert CANARY not in answer.content.decode()
    assert detail.json()["key_hint"] == access.key_hint
    assert detail.json()["deployments"] == [str(dep.code)]
    assert detail.json()["status"] == "enabled"


def test_admin_manages_an_access_and_the_key_is_write_only(world, api_for):
    dep = factories.make_deployment(world.alpha)
    api = api_for(world.admin, write=True)
    created = api.post(
        ws_url(world.alpha, "/accesses"),
        {"name": "ci", "api_key": CANARY, "all_services": False, "deployments": [str(dep.code)]},
    )
    assert created.status_code == 201, created.content
    assert CANARY not in created.content.decode()
    code = created.json()["code"]
    access = ApplicationAccess.objects.get(code=code)
    assert access.api_key() == CANARY
    assert created.json()["deployments"] == [str(dep.code)]

    assert (
        api.patch(ws_url(world.alpha, f"/accesses/{code}"), {"disabled": True}).json()["status"]
        == "disabled"
    )
    rotated = api.post(ws_url(world.alpha, f"/accesses/{code}/rotate"), {"api_key": CANARY[::-1]})
    assert rotated.status_code == 200
    access.refresh_from_db()
    assert access.api_key() == CANARY[::-1]
    unknown = api.patch(
        ws_url(world.alpha, f"/accesses/{code}"),
        {"deployments": ["00000000-0000-0000-0000-000000000000"]},
    )
    assert unknown.status_code == 422
    assert "deployments" in unknown.json()["error"]["details"]
    assert api.delete(ws_url(world.alpha, f"/accesses/{code}")).status_code == 204
    actions = list(
        AuditEvent.objects.filter(workspace=world.alpha)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.ACCESS_CREATE,
        AuditAction.ACCESS_DISABLE,
        AuditAction.ACCESS_ROTATE,
        AuditAction.ACCESS_DELETE,
    ]
    assert not AuditEvent.objects.filter(summary__contains=CANARY).exists()


def test_the_secret_fetch_is_plain_text_audited_and_uncached(world, api_for):
    access = factories.make_access(world.alpha, key=CANARY)
    api = api_for(world.admin, secrets=True)
    answer = api.get(
        ws_url(world.alpha, f"/accesses/{access.code}/secret"), REMOTE_ADDR="127.0.0.9"
    )
    assert answer.status_code == 200
    assert answer.content.decode() == CANARY
    assert answer["Content-Type"].startswith("text/plain")
    assert answer["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_REVEAL)
    assert event.actor == world.admin
    assert event.ip == "127.0.0.9"
    assert "API token apat_" in event.summary
    assert CANARY not in event.summary


def test_a_token_restricted_to_named_accesses_fetches_only_those(world, api_for):
    mine, other = factories.make_access(world.alpha), factories.make_access(world.alpha)
    api = api_for(world.admin, secrets=True, accesses=[mine])
    assert api.get(ws_url(world.alpha, f"/accesses/{mine.code}/secret")).status_code == 200
    refused = api.get(ws_url(world.alpha, f"/accesses/{other.code}/secret"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "access_restricted"


def test_secret_fetches_are_rate_limited_per_token(world, api_for, settings):
    settings.PORTAL_API_SECRET_FETCH_LIMIT = 2
    access = factories.make_access(world.alpha)
    api = api_for(world.admin, secrets=True)
    url = ws_url(world.alpha, f"/accesses/{access.code}/secret")
    assert [api.get(url).status_code for _ in range(3)] == [200, 200, 429]
    limited = api.get(url)
    assert int(limited["Retry-After"]) >= 1
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REVEAL).count() == 2
    assert api_for(world.admin, secrets=True).get(url).status_code == 200  # another token


def test_members_and_audit_are_for_admins_and_history_for_all(world, api_for):
    factories.make_credential(world.alpha, password="iam-CANARY-pass")
    admin, viewer = api_for(world.admin), api_for(world.viewer)
    members = admin.get(ws_url(world.alpha, "/members")).json()
    assert {m["username"]: m["role"] for m in members["results"]} == {
        "admin": "admin",
        "member": "member",
        "viewer": "viewer",
    }
    credentials = viewer.get(ws_url(world.alpha, "/credentials"))
    assert credentials.status_code == 200
    assert "iam-CANARY-pass" not in credentials.content.decode()
    assert viewer.get(ws_url(world.alpha, "/test-calls")).json()["count"] == 0
    assert admin.get(ws_url(world.alpha, "/audit?action=access.reveal")).json()["count"] == 0


def test_workspaces_lists_only_the_users_and_the_tokens(world, api_for):
    beta_too = world.beta
    factories.add_member(beta_too, world.admin, "viewer")
    everything = api_for(world.admin).get("/api/v1/workspaces").json()
    assert {w["name"] for w in everything["results"]} == {"Alpha", "Beta"}
    only_beta = api_for(world.admin, workspaces=[world.beta]).get("/api/v1/workspaces").json()
    assert [w["name"] for w in only_beta["results"]] == ["Beta"]


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_schema_and_docs_are_served_by_the_portal(client, path, db):
    answer = client.get(path)
    assert answer.status_code == 200
    if path.endswith("docs"):
        page = answer.content.decode()
        assert "cdn" not in page.lower()
        assert "<script>" not in page  # no inline script: the CSP stays strict


def test_health_shows_what_the_monitor_last_saw(world, api_for):
    from monitor.models import DeploymentHealth, Drift

    dep = factories.make_deployment(world.alpha, name="watched")
    access = factories.make_access(world.alpha)
    DeploymentHealth.objects.create(
        deployment=dep,
        workspace=world.alpha,
        state="down",
        cause="2 failed passes",
        last_status=502,
        last_error_code="APIG.0201",
    )
    Drift.objects.create(
        workspace=world.alpha,
        deployment=dep,
        access=access,
        kind="key_refused",
        version="v1",
        key=f"key_refused:{dep.pk}:{access.pk}:v1",
        error_code="APIG.0303",
    )
    answer = api_for(world.viewer).get(ws_url(world.alpha, "/health?state=down")).json()
    assert answer["count"] == 1
    row = answer["results"][0]
    assert (row["deployment_name"], row["state"], row["last_error_code"]) == (
        "watched",
        "down",
        "APIG.0201",
    )
    assert [(d["kind"], d["access"]) for d in row["drift"]] == [("key_refused", str(access.code))]
    assert api_for(world.viewer).get(ws_url(world.alpha, "/health?state=up")).json()["count"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/deployments?q=a%00b",
        "/accesses?q=a%00b",
        "/test-calls?user=a%00b",
        "/audit?action=a%00b",
    ],
)
def test_a_null_character_in_a_filter_is_refused_not_a_server_error(world, api_for, path):
    """PostgreSQL's text cannot hold NUL (the fuzzing test found the audit filter's 500)."""
    api = api_for(world.admin)
    answer = api.get(ws_url(world.alpha, path))
    assert answer.status_code == 422, answer.content[:500]
    assert "Null characters are not allowed." in answer.content.decode()
    assert api.get(ws_url(world.alpha, path.replace("%00", ""))).status_code == 200


def test_an_expiry_with_any_iso_offset_is_stored_as_its_instant(world, api_for):
    """PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows (the fuzzing test's 500)."""
    from datetime import UTC, datetime

    access = factories.make_access(world.alpha)
    api = api_for(world.admin, write=True)
    answer = api.patch(
        ws_url(world.alpha, f"/accesses/{access.code}"),
        {"expires_at": "2999-03-08T10:59:11+16:58"},
    )
    assert answer.status_code == 200, answer.content[:500]
    access.refresh_from_db()
    assert access.expires_at == datetime(2999, 3, 7, 18, 1, 11, tzinfo=UTC)
