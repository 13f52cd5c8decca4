"""Admins register deployments; everyone in the workspace reads their call paths."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accessportal.models import AuditEvent, Deployment, Source, Status
from tests import factories

P = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def form_data(**fields) -> dict:
    base = {
        "name": "Chat",
        "source": "my_service",
        "status": "running",
        "mode": "cloud",
        "deployment_id": "5b0e7c1a",
        "serves_v1": "on",
        "serves_v2": "on",
        "model_name": "pangu-chat",
    }
    return {k: v for k, v in (base | fields).items() if v is not None}


def dep_url(world, suffix: str = "") -> str:
    return f"/w/{world.alpha.code}/deployments/{suffix}"


@pytest.mark.parametrize(
    ("fields", "paths"),
    [
        (
            {},
            [
                f"https://pangu.example.test/v1/{P}/deployments/5b0e7c1a/chat/completions",
                "https://pangu.example.test/api/v2/chat/completions",
            ],
        ),
        (
            {
                "mode": "edge_lb",
                "elb_ip": "203.0.113.9",
                "elb_port": "8080",
                "api_url": "/edge/lb/",
            },
            [
                f"http://203.0.113.9:8080/edge/lb/v1/{P}/deployments/5b0e7c1a/chat/completions",
                "http://203.0.113.9:8080/edge/lb/api/v2/chat/completions",
            ],
        ),
        (
            {
                "mode": "edge_node",
                "node_ip": "2001:db8::5",
                "host_port": "31000",
                "serves_v2": None,
            },
            [f"http://[2001:db8::5]:31000/v1/{P}/deployments/5b0e7c1a/chat/completions"],
        ),
    ],
    ids=["cloud", "edge_lb", "edge_node"],
)
def test_admin_creates_each_mode_and_sees_its_call_paths(world, admin_client, fields, paths):
    response = admin_client.post(dep_url(world, "new/"), form_data(**fields))
    assert response.status_code == 302, response.content.decode()[:2000]
    deployment = Deployment.objects.get(workspace=world.alpha)
    page = admin_client.get(response["Location"]).content.decode()
    for path in paths:
        assert path in page
    assert "X-Apig-AppCode" in page and "X-Auth-Token" in page
    assert ("Bearer" in page) == deployment.serves_v2
    assert "Introduce the Yangtze River" in page
    assert AuditEvent.objects.filter(action="deployment.create", target="Chat").exists()


def test_mode_switch_drops_the_other_modes_fields(world, admin_client):
    admin_client.post(
        dep_url(world, "new/"),
        form_data(
            mode="edge_node", node_ip="192.0.2.1", host_port="80", elb_ip="192.0.2.2", elb_port="81"
        ),
    )
    deployment = Deployment.objects.get()
    assert (deployment.node_ip, deployment.elb_ip, deployment.elb_port) == ("192.0.2.1", None, None)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"mode": "edge_lb", "elb_ip": "300.1.1.1", "elb_port": "80"},
            "elb_ip",
            "valid IPv4 or IPv6",
        ),
        (
            {"mode": "edge_lb", "elb_ip": "192.0.2.1", "elb_port": "0"},
            "elb_port",
            "greater than or equal to 1",
        ),
        (
            {"mode": "edge_node", "node_ip": "192.0.2.1", "host_port": "65536"},
            "host_port",
            "less than or equal to 65535",
        ),
        (
            {"mode": "edge_node", "node_ip": "192.0.2.1", "host_port": "http"},
            "host_port",
            "whole number",
        ),
        (
            {"mode": "edge_lb", "elb_ip": "192.0.2.1", "elb_port": "80", "api_url": "my prefix"},
            "api_url",
            "no spaces",
        ),
        (
            {"mode": "edge_lb", "elb_ip": "192.0.2.1", "elb_port": "80", "api_url": "a/../b"},
            "api_url",
            "'..'",
        ),
        ({"mode": "edge_lb"}, "elb_ip", "Required for this mode"),
        ({"serves_v1": None, "serves_v2": None}, "__all__", "at least one API version"),
        ({"model_name": ""}, "model_name", "V2 API needs the model name"),
        ({"deployment_id": ""}, "deployment_id", "needs the deployment ID"),
        ({"model_name": "has space"}, "model_name", "letters, digits"),
        ({"v1_path_override": "not a url"}, "v1_path_override", "valid URL"),
        ({"mode": "moon"}, "mode", "valid choice"),
    ],
)
def test_bad_input_gets_a_form_error_and_saves_nothing(world, admin_client, fields, field, message):
    response = admin_client.post(dep_url(world, "new/"), form_data(**fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert not Deployment.objects.exists()


def test_model_name_clash_in_the_workspace_is_refused(world, admin_client):
    factories.make_deployment(world.alpha, model_name="pangu-chat")
    factories.make_deployment(world.beta, model_name="other")
    response = admin_client.post(dep_url(world, "new/"), form_data())
    assert "already uses this model name" in str(response.context["form"].errors)
    # The same name in another workspace is fine.
    admin_client.post(dep_url(world, "new/"), form_data(model_name="other"))
    assert Deployment.objects.filter(workspace=world.alpha, model_name="other").exists()


def test_edit_and_delete(world, admin_client):
    deployment = factories.make_deployment(world.alpha, name="Old")
    response = admin_client.post(
        dep_url(world, f"{deployment.code}/edit/"),
        form_data(name="New", model_name=deployment.model_name),
    )
    assert response.status_code == 302
    deployment.refresh_from_db()
    assert deployment.name == "New"
    assert admin_client.post(dep_url(world, f"{deployment.code}/delete/")).status_code == 302
    assert not Deployment.objects.filter(pk=deployment.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"deployment.update", "deployment.delete"} <= actions


def test_tabs_split_my_and_preset_services(world, viewer_client):
    factories.make_deployment(world.alpha, name="Mine", source=Source.MY_SERVICE)
    factories.make_deployment(world.alpha, name="Preset one", source=Source.PRESET_SERVICE)
    mine = viewer_client.get(dep_url(world)).content.decode()
    preset = viewer_client.get(dep_url(world) + "?tab=preset").content.decode()
    assert "Mine" in mine and "Preset one" not in mine
    assert "Preset one" in preset and ">Mine<" not in preset


def test_filters(world, viewer_client):
    factories.make_deployment(world.alpha, name="Alpha chat", status=Status.RUNNING)
    factories.make_deployment(
        world.alpha,
        name="Beta chat",
        status=Status.STOPPED,
        mode="edge_node",
        node_ip="192.0.2.1",
        host_port=1,
    )
    page = viewer_client.get(dep_url(world) + "?status=stopped").content.decode()
    assert "Beta chat" in page and "Alpha chat" not in page
    page = viewer_client.get(dep_url(world) + "?q=alpha").content.decode()
    assert "Alpha chat" in page and "Beta chat" not in page
    page = viewer_client.get(dep_url(world) + "?mode=edge_node").content.decode()
    assert "Beta chat" in page and "Alpha chat" not in page


@pytest.mark.parametrize("status", [Status.STOPPED, Status.DEPLOYING, Status.FAILED])
def test_a_deployment_that_is_not_running_says_why(world, viewer_client, status):
    deployment = factories.make_deployment(world.alpha, status=status)
    page = viewer_client.get(dep_url(world, f"{deployment.code}/")).content.decode()
    assert "cannot be called now" in page
    assert deployment.not_callable_reason in page


def test_viewer_sees_no_admin_buttons(world, viewer_client):
    deployment = factories.make_deployment(world.alpha)
    page = viewer_client.get(dep_url(world, f"{deployment.code}/")).content.decode()
    assert "/edit/" not in page and "/delete/" not in page


def test_header_table_shows_masked_key_of_a_covering_access(world, member_client):
    deployment = factories.make_deployment(world.alpha)
    factories.make_access(world.alpha, key="d59abcdefghijklmnop9C3", name="team-all")
    page = member_client.get(dep_url(world, f"{deployment.code}/")).content.decode()
    assert "d59******9C3" in page and "team-all" in page
    assert "abcdefghijklmnop" not in page


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(world, viewer_client):
    for _ in range(3):
        factories.make_deployment(world.alpha)
    few = count_queries(viewer_client, dep_url(world))
    Deployment.objects.bulk_create(
        Deployment(
            workspace=world.alpha, name=f"Bulk {i}", model_name=f"bulk-{i}", deployment_id=f"b{i}"
        )
        for i in range(297)
    )
    assert count_queries(viewer_client, dep_url(world)) == few


def test_a_name_taken_meanwhile_is_a_form_error_not_a_500(world, admin_client, monkeypatch):
    """The form's own check passed, then a concurrent save took the model name: the
    database constraint refuses it and the page says so."""
    from accessportal.forms import DeploymentForm

    monkeypatch.setattr(
        DeploymentForm, "clean_model_name", lambda form: form.cleaned_data["model_name"]
    )
    factories.make_deployment(world.alpha, model_name="pangu-chat")
    response = admin_client.post(dep_url(world, "new/"), form_data())
    assert response.status_code == 200
    assert "conflicting change" in response.content.decode()
    assert Deployment.objects.filter(model_name="pangu-chat").count() == 1
    assert not AuditEvent.objects.exists()
