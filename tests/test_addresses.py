"""Addresses the portal can never call are refused when typed; loopback and private ones
that the settings forbid are saved with a warning. One classification serves the forms
and the outbound client."""

from __future__ import annotations

import pytest

from accessportal import addresses
from accessportal.models import Deployment, Workspace
from chat.upstream import UpstreamError, UpstreamPolicy, post_json
from tests import factories

NEVER = [
    ("169.254.169.254", "metadata"),
    ("[::ffff:169.254.169.254]", "metadata"),
    ("::ffff:a9fe:a9fe", "metadata"),
    ("2852039166", "metadata"),  # 169.254.169.254 as one decimal number
    ("0xa9.0xfe.0xa9.0xfe", "metadata"),
    ("0251.0376.0251.0376", "metadata"),
    ("169.254.43518", "metadata"),
    ("169.254.169.254.", "metadata"),
    ("169.254.1.1", "link_local"),
    ("[fe80::1]", "link_local"),
    ("0.0.0.0", "unspecified"),
    ("0", "unspecified"),
    ("[::]", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("[ff02::1]", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
]
BY_SETTINGS = [
    ("127.0.0.1", "loopback"),
    ("127.1", "loopback"),
    ("0x7f000001", "loopback"),
    ("[::1]", "loopback"),
    ("localhost", "loopback"),
    ("api.localhost", "loopback"),
    ("10.1.2.3", "private"),
    ("[::ffff:192.168.0.1]", "private"),
]
NAMES = ["pangu.cn-southwest-2.myhuaweicloud.com", "deadbeef", "1.2.3.4.example", ""]


@pytest.mark.parametrize(("host", "category"), NEVER + BY_SETTINGS)
def test_typed_hosts_are_classified_without_dns(host, category):
    assert addresses.classify_host(host) == category


@pytest.mark.parametrize("host", NAMES)
def test_names_are_left_to_the_outbound_client(host):
    assert addresses.classify_host(host) is None


@pytest.mark.parametrize(
    ("host", "category"),
    [h for h in NEVER if h[0] not in ("0", "2852039166", "169.254.169.254.", "::ffff:a9fe:a9fe")],
)
def test_the_outbound_client_refuses_the_same_hosts(host, category):
    """What the forms refuse, the client refuses too, even with every setting open.
    (Not a bare number or a trailing dot, which the resolver would look up as names.)"""
    policy = UpstreamPolicy(allow_loopback=True, allow_private=True, connect_timeout=1)
    with pytest.raises(UpstreamError) as refused:
        post_json(f"http://{host}:9/x", headers={}, body=b"{}", policy=policy)
    assert refused.value.kind == "blocked_address"


def deployment_data(**fields) -> dict:
    return {
        "name": "edge",
        "source": "my_service",
        "status": "running",
        "mode": "edge_node",
        "node_ip": "203.0.113.7",
        "host_port": "8080",
        "serves_v1": "on",
        "deployment_id": "d1",
    } | fields


@pytest.mark.parametrize(
    "fields",
    [
        {"node_ip": "169.254.169.254"},
        {"node_ip": "::ffff:169.254.169.254"},
        {"node_ip": "::ffff:a9fe:a9fe"},
        {"node_ip": "0.0.0.0"},
        {"mode": "edge_lb", "elb_ip": "224.0.0.5", "elb_port": "80", "api_url": "x"},
        {"mode": "edge_lb", "elb_ip": "fe80::1", "elb_port": "80", "api_url": "x"},
        {"v1_path_override": "http://[::ffff:169.254.169.254]/v1/p/chat/completions"},
        {"serves_v2": "on", "model_name": "m", "v2_path_override": "http://0.0.0.0/api/v2"},
    ],
)
def test_deployment_form_refuses_addresses_never_called(world, admin_client, fields):
    response = admin_client.post(
        f"/w/{world.alpha.code}/deployments/new/", deployment_data(**fields)
    )
    assert response.status_code == 200
    assert "the portal never calls such an address" in response.content.decode()
    assert not Deployment.objects.filter(name="edge").exists()


@pytest.mark.parametrize("field", ["inference_endpoint", "iam_endpoint"])
@pytest.mark.parametrize(
    "url", ["http://169.254.169.254", "http://[::ffff:169.254.169.254]:80/", "http://0.0.0.0"]
)
def test_workspace_endpoints_refuse_addresses_never_called(world, admin_client, field, url):
    before = Workspace.objects.get(pk=world.alpha.pk)
    data = {"name": "Alpha", "region": "cn-southwest-2", "project_id": "p1", field: url}
    response = admin_client.post(f"/w/{world.alpha.code}/settings/", data)
    assert response.status_code == 200
    assert "the portal never calls such an address" in response.content.decode()
    after = Workspace.objects.get(pk=world.alpha.pk)
    assert getattr(after, field) == getattr(before, field)


def test_private_node_is_saved_with_a_warning_while_the_settings_forbid_it(
    world, admin_client, settings
):
    settings.PORTAL_UPSTREAM_ALLOW_PRIVATE = False
    response = admin_client.post(
        f"/w/{world.alpha.code}/deployments/new/",
        deployment_data(node_ip="10.1.2.3"),
        follow=True,
    )
    page = response.content.decode()
    assert Deployment.objects.filter(name="edge", node_ip="10.1.2.3").exists()
    assert page.count("10.1.2.3 is a private-network address") == 2  # message and notice
    deployment = Deployment.objects.get(name="edge")
    form = admin_client.get(f"/w/{world.alpha.code}/deployments/{deployment.code}/edit/")
    assert "10.1.2.3 is a private-network address" in form.content.decode()
    settings.PORTAL_UPSTREAM_ALLOW_PRIVATE = True
    page = admin_client.get(f"/w/{world.alpha.code}/deployments/{deployment.code}/").content
    assert b"private-network address" not in page


def test_loopback_endpoint_is_saved_with_a_warning(world, admin_client, settings):
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = False
    data = {
        "name": "Alpha",
        "region": "cn-southwest-2",
        "project_id": "p1",
        "inference_endpoint": "http://127.0.0.1:8001",
        "iam_endpoint": "http://localhost:8001",
    }
    response = admin_client.post(f"/w/{world.alpha.code}/settings/", data, follow=True)
    page = response.content.decode()
    assert Workspace.objects.get(pk=world.alpha.pk).inference_endpoint == "http://127.0.0.1:8001"
    assert "127.0.0.1 is a loopback address" in page and "localhost is a loopback" in page
    refused = admin_client.post(
        f"/w/{world.alpha.code}/settings/", data | {"iam_endpoint": "http://169.254.169.254"}
    )
    assert refused.status_code == 200  # the refused value is not described as saved
    assert "169.254.169.254 is a cloud metadata address: the portal never" in (
        refused.content.decode()
    )
    deployment = factories.make_deployment(world.alpha)
    detail = admin_client.get(f"/w/{world.alpha.code}/deployments/{deployment.code}/")
    assert "127.0.0.1 is a loopback address" in detail.content.decode()
