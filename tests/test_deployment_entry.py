"""The deployment form filled from a pasted call path, and its live preview (the endpoint
the form's script asks, and the *Fill from call path* button that works without script)."""

from __future__ import annotations

import pytest

from accessportal.models import AuditEvent, Deployment
from tests import factories
from tests.test_deployments import P, form_data

E = "https://pangu.example.test"  # the workspace's endpoint (factories.make_workspace)
V1 = f"{E}/v1/{P}/deployments/5b0e7c1a/chat/completions"
V2 = f"{E}/api/v2/chat/completions"


def url(world, suffix: str) -> str:
    return f"/w/{world.alpha.code}/deployments/{suffix}"


def preview(client, world, data: dict, suffix: str = "new/preview/") -> dict:
    response = client.post(url(world, suffix), data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_preview_shows_the_paths_the_saved_page_will_show(world, admin_client):
    answer = preview(admin_client, world, form_data())
    assert V1 in answer["html"] and V2 in answer["html"]
    assert "No problems found" in answer["html"]
    assert answer["filled"] == {}
    assert not Deployment.objects.exists()  # a preview writes nothing

    admin_client.post(url(world, "new/"), form_data())
    deployment = Deployment.objects.get()
    page = admin_client.get(url(world, f"{deployment.code}/")).content.decode()
    assert V1 in page and V2 in page


def test_preview_lists_the_form_problems_by_field(world, admin_client):
    answer = preview(
        admin_client, world, form_data(mode="edge_lb", elb_ip="300.1.1.1", deployment_id="")
    )
    html = answer["html"]
    assert "ELB public IP" in html and "Enter a valid IPv4 or IPv6 address" in html
    assert "ELB port" in html and "Required for this mode" in html
    assert "The V1 call path needs the deployment ID" in html
    assert "Not yet: fill in the fields it needs" in html  # no half-made URL


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        (V1, {"mode": "cloud", "deployment_id": "5b0e7c1a", "serves_v1": "on"}),
        (V2, {"mode": "cloud", "serves_v2": "on"}),
        (
            "http://203.0.113.9:8080/edge/lb/api/v2/chat/completions",
            {"mode": "edge_lb", "elb_ip": "203.0.113.9", "elb_port": "8080", "api_url": "edge/lb"},
        ),
        (
            f"http://[2001:db8::5]:31000/v1/{P}/deployments/d42/chat/completions",
            {"mode": "edge_node", "node_ip": "2001:db8::5", "host_port": "31000"},
        ),
    ],
    ids=["cloud-v1", "cloud-v2", "edge-lb", "edge-node-ipv6"],
)
def test_a_pasted_path_fills_the_fields(world, admin_client, pasted, expected):
    answer = preview(admin_client, world, form_data(mode="cloud", call_path=pasted))
    assert expected.items() <= answer["filled"].items()
    assert answer["fill_error"] == ""


def test_a_gateway_prefix_becomes_the_override_and_the_form_says_so(world, admin_client):
    gateway = f"{E}/v1/infers/77aa-01/v1/{P}/deployments/5b0e7c1a/chat/completions"
    answer = preview(admin_client, world, form_data(call_path=gateway))
    assert answer["filled"]["v1_path_override"] == gateway
    html = answer["html"]
    assert "gateway prefix /v1/infers/77aa-01" in html
    assert "kept as its call-path override" in html
    assert gateway in html  # the V1 path the deployment will have


def test_the_project_differing_from_the_workspaces_is_a_problem_while_typing(world, admin_client):
    other = f"{E}/v1/ffff0000/deployments/5b0e7c1a/chat/completions"
    answer = preview(admin_client, world, form_data(call_path=other))
    assert "differs from the workspace" in answer["html"]
    # Typing on after the paste: the override stays and the preview still says why.
    answer = preview(admin_client, world, form_data(v1_path_override=other))
    assert (
        "The project ID in the call path (ffff0000) differs from the workspace&#x27;s"
        in (answer["html"])
    )
    assert "The V1 call path is the override" in answer["html"]


def test_an_unparseable_paste_changes_nothing_and_says_why(world, admin_client):
    answer = preview(admin_client, world, form_data(call_path="not a url"))
    assert answer["filled"] == {}
    assert "starts with http" in answer["fill_error"]


def test_fill_without_script_renders_the_form_filled_and_saves_nothing(world, admin_client):
    pasted = "http://203.0.113.9:8080/edge/lb/api/v2/chat/completions"
    response = admin_client.post(
        url(world, "new/fill/"), form_data(mode="cloud", serves_v1=None, call_path=pasted)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="203.0.113.9"' in page and 'value="8080"' in page and 'value="edge/lb"' in page
    assert 'value="edge_lb" required id="id_mode_1" checked' in page
    assert "http://203.0.113.9:8080/edge/lb/api/v2/chat/completions" in page  # the preview
    assert f'action="/w/{world.alpha.code}/deployments/new/"' in page  # Save still creates
    assert not Deployment.objects.exists()

    # Then Save, as the filled form posts it.
    saved = admin_client.post(
        url(world, "new/"),
        form_data(
            mode="edge_lb",
            elb_ip="203.0.113.9",
            elb_port="8080",
            api_url="edge/lb",
            serves_v1=None,
            deployment_id="",
        ),
    )
    assert saved.status_code == 302
    assert Deployment.objects.get().call_paths() == {"v2": pasted}


def test_fill_with_a_bad_path_shows_the_error_on_the_paste_box(world, admin_client):
    response = admin_client.post(url(world, "new/fill/"), form_data(call_path="http://x/y"))
    assert response.status_code == 200
    assert "This is not a chat call path" in response.content.decode()


def test_editing_previews_and_fills_against_the_deployment(world, admin_client):
    deployment = factories.make_deployment(world.alpha, model_name="pangu-chat")
    # Its own model name is no clash when previewing its edit form.
    answer = preview(
        admin_client,
        world,
        form_data(model_name="pangu-chat", call_path=V2),
        suffix=f"{deployment.code}/edit/preview/",
    )
    assert "already uses this model name" not in answer["html"]
    other = factories.make_deployment(world.alpha)
    answer = preview(
        admin_client,
        world,
        form_data(model_name="pangu-chat"),
        suffix=f"{other.code}/edit/preview/",
    )
    assert "already uses this model name" in answer["html"]
    response = admin_client.post(
        url(world, f"{deployment.code}/edit/fill/"), form_data(call_path=V1)
    )
    assert f'action="/w/{world.alpha.code}/deployments/{deployment.code}/edit/"' in (
        response.content.decode()
    )
    assert not AuditEvent.objects.exists()


def test_the_form_page_carries_the_paste_box_and_the_preview_script(world, admin_client):
    page = admin_client.get(url(world, "new/")).content.decode()
    assert 'name="call_path"' in page
    assert "Fill from call path" in page
    assert f'data-preview-url="/w/{world.alpha.code}/deployments/new/preview/"' in page
    assert "js/deployment_preview.js" in page
    assert "<script>" not in page  # no inline script (CSP)


@pytest.mark.parametrize(
    "odd",
    [
        {"mode": "satellite"},
        {"mode": "edge_lb", "elb_ip": "::1", "elb_port": "9" * 5000},
        {"mode": "edge_node", "node_ip": "\x00", "host_port": "-1"},
        {"call_path": "http://[::1" + "/api/v2/chat/completions"},
        {"call_path": "x" * 10_000},
        {"v1_path_override": "http://[zz]/v1/p/deployments/d/chat/completions"},
        {"v2_path_override": "https://pangu.example.test/v1/p/deployments/d/chat/completions"},
    ],
)
def test_odd_input_gets_an_answer_never_a_500(world, admin_client, odd):
    answer = preview(admin_client, world, form_data(**odd))
    assert "html" in answer
    assert admin_client.post(url(world, "new/fill/"), form_data(**odd)).status_code == 200
