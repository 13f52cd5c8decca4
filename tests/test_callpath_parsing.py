"""Pasted call paths → deployment fields: one row per mode, version and address form, and
the round trip parse(derive(x)) == x through the very functions the pages use."""

from __future__ import annotations

import pytest

from accessportal.callpath_parsing import CallPathError, parse_call_path, parse_many
from accessportal.callpaths import CLOUD, EDGE_LB, EDGE_NODE, V1, V2, CallTarget, call_url

P = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
D = "5b0e7c1a"
E = "https://pangu.cn-southwest-2.example.test"
V1_PATH = f"/v1/{P}/deployments/{D}/chat/completions"
V2_PATH = "/api/v2/chat/completions"


def parse(text: str, **kwargs):
    return parse_call_path(text, **({"inference_endpoint": E, "project_id": P} | kwargs))


# (case, pasted path, parse options, the deployment fields expected)
CASES = [
    ("cloud V1", E + V1_PATH, {}, {"mode": CLOUD, "deployment_id": D, "v1_path_override": ""}),
    ("cloud V2", E + V2_PATH, {}, {"mode": CLOUD, "v2_path_override": ""}),
    (
        "cloud, host in capitals",
        "HTTPS://PANGU.cn-southwest-2.EXAMPLE.test" + V2_PATH,
        {},
        {"mode": CLOUD, "v2_path_override": ""},
    ),
    (
        "cloud on a loopback endpoint with a base path",
        "http://127.0.0.1:8001/gw" + V1_PATH,
        {"inference_endpoint": "http://127.0.0.1:8001/gw/"},
        {"mode": CLOUD, "deployment_id": D, "v1_path_override": ""},
    ),
    (
        "edge load balancing V1, IPv4",
        "http://203.0.113.7:8443/edge/lb-demo" + V1_PATH,
        {},
        {
            "mode": EDGE_LB,
            "deployment_id": D,
            "elb_ip": "203.0.113.7",
            "elb_port": 8443,
            "api_url": "edge/lb-demo",
            "v1_path_override": "",
        },
    ),
    (
        "edge load balancing V2, IPv6",
        "http://[2001:db8::7]:8080/svc" + V2_PATH,
        {},
        {
            "mode": EDGE_LB,
            "elb_ip": "2001:db8::7",
            "elb_port": 8080,
            "api_url": "svc",
            "v2_path_override": "",
        },
    ),
    (
        "edge load balancing without an API URL, when the form says load balancing",
        "http://203.0.113.7:80" + V2_PATH,
        {"mode_hint": EDGE_LB},
        {
            "mode": EDGE_LB,
            "elb_ip": "203.0.113.7",
            "elb_port": 80,
            "api_url": "",
            "v2_path_override": "",
        },
    ),
    (
        "edge node V1, IPv4",
        "http://192.0.2.10:31000" + V1_PATH,
        {},
        {
            "mode": EDGE_NODE,
            "deployment_id": D,
            "node_ip": "192.0.2.10",
            "host_port": 31000,
            "v1_path_override": "",
        },
    ),
    (
        "edge node V2, IPv6 written long and in capitals",
        "http://[2001:DB8:0:0:0:0:0:5]:31000" + V2_PATH,
        {},
        {"mode": EDGE_NODE, "node_ip": "2001:db8::5", "host_port": 31000, "v2_path_override": ""},
    ),
    (
        "edge node on IPv6 loopback",
        "http://[::1]:8001" + V1_PATH,
        {},
        {
            "mode": EDGE_NODE,
            "deployment_id": D,
            "node_ip": "::1",
            "host_port": 8001,
            "v1_path_override": "",
        },
    ),
    (
        "edge node without a port: http's 80",
        "http://192.0.2.10" + V2_PATH,
        {},
        {"mode": EDGE_NODE, "node_ip": "192.0.2.10", "host_port": 80, "v2_path_override": ""},
    ),
]


@pytest.mark.parametrize(("case", "text", "options", "fields"), CASES, ids=[c[0] for c in CASES])
def test_parse_gives_the_fields(case, text, options, fields):
    parsed = parse(text, **options)
    assert parsed.fields() == fields
    assert parsed.problems == ()


GATEWAY = f"{E}/v1/infers/4f0e-77aa{V1_PATH}"
OVERRIDES = [
    (
        "cloud V1 behind a gateway prefix",
        GATEWAY,
        {},
        {"mode": CLOUD, "deployment_id": D, "v1_path_override": GATEWAY},
        ["gateway prefix /v1/infers/4f0e-77aa"],
    ),
    (
        "cloud V2 behind a gateway prefix",
        f"{E}/gw/x{V2_PATH}",
        {},
        {"mode": CLOUD, "v2_path_override": f"{E}/gw/x{V2_PATH}"},
        ["gateway prefix /gw/x"],
    ),
    (
        "another project",
        f"{E}/v1/ffff0000/deployments/{D}/chat/completions",
        {},
        {
            "mode": CLOUD,
            "deployment_id": D,
            "v1_path_override": f"{E}/v1/ffff0000/deployments/{D}/chat/completions",
        },
        [f"project ID in the call path (ffff0000) differs from the workspace's ({P})"],
    ),
    (
        "another endpoint",
        "https://pangu.other-region.example.test" + V2_PATH,
        {},
        {"mode": CLOUD, "v2_path_override": "https://pangu.other-region.example.test" + V2_PATH},
        ["endpoint of the call path (https://pangu.other-region.example.test) differs"],
    ),
    (
        "https to an IP that is not the workspace's endpoint",
        "https://203.0.113.7:8443" + V2_PATH,
        {},
        {"mode": CLOUD, "v2_path_override": "https://203.0.113.7:8443" + V2_PATH},
        ["differs from the workspace's"],
    ),
    (
        "an ELB prefix the form would refuse",
        "http://203.0.113.7:8080/a%20b" + V2_PATH,
        {},
        {
            "mode": EDGE_LB,
            "elb_ip": "203.0.113.7",
            "elb_port": 8080,
            "api_url": "",
            "v2_path_override": "http://203.0.113.7:8080/a%20b" + V2_PATH,
        },
        ["gateway prefix /a%20b"],
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "options", "fields", "problems"), OVERRIDES, ids=[c[0] for c in OVERRIDES]
)
def test_what_the_rules_cannot_explain_is_kept_as_the_override(
    case, text, options, fields, problems
):
    parsed = parse(text, **options)
    assert parsed.fields() == fields
    for problem in problems:
        assert any(problem in p for p in parsed.problems), parsed.problems


ERRORS = [
    ("", "Paste a call path"),
    ("pangu.example.test/api/v2/chat/completions", "starts with http"),
    ("ftp://203.0.113.7/api/v2/chat/completions", "starts with http"),
    (f"{E}/v1/{P}/deployments/{D}/chat", "not a chat call path"),
    (f"{E}{V2_PATH}/", "not a chat call path"),
    (f"{E}{V2_PATH}?stream=true", "no query"),
    (f"{E}{V2_PATH}#x", "no query"),
    ("http://bob:hunter2@203.0.113.7:80" + V2_PATH, "no user name or password"),
    ("http://203.0.113.7:99999" + V2_PATH, "from 1 to 65535"),
    ("http://203.0.113.7:0" + V2_PATH, "from 1 to 65535"),
    (f"{E} {V2_PATH}", "no spaces"),
    ("http://[::1" + V2_PATH, "IPv6 address goes in brackets"),
    ("http://[zz]:80" + V2_PATH, "IPv6 address goes in brackets"),
    ("http://[fe80::1%25eth0]:80" + V2_PATH, "IPv6 zone"),
    ("http://%41:80" + V2_PATH, "escaped host"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[e[1] + ":" + e[0] for e in ERRORS])
def test_what_is_not_a_call_path_says_why_without_repeating_it(text, message):
    with pytest.raises(CallPathError) as error:
        parse(text)
    assert message in str(error.value)
    assert "hunter2" not in str(error.value)


# --- parse(derive(x)) == x, for every mode and version --------------------------------------

TARGETS = [
    CallTarget(mode=CLOUD, versions=(V1, V2), inference_endpoint=E, deployment_id=D),
    CallTarget(
        mode=CLOUD, versions=(V1, V2), inference_endpoint="http://127.0.0.1:8001", deployment_id=D
    ),
    CallTarget(
        mode=EDGE_LB,
        versions=(V1, V2),
        deployment_id=D,
        elb_ip="203.0.113.7",
        elb_port=8443,
        api_url="edge/lb-demo",
    ),
    CallTarget(mode=EDGE_LB, versions=(V1, V2), deployment_id=D, elb_ip="2001:db8::7", elb_port=1),
    CallTarget(
        mode=EDGE_LB,
        versions=(V1, V2),
        deployment_id="x.y_z-1:2",
        elb_ip="198.51.100.1",
        elb_port=65535,
        api_url="a/b/c",
    ),
    CallTarget(
        mode=EDGE_NODE, versions=(V1, V2), deployment_id=D, node_ip="192.0.2.10", host_port=31000
    ),
    CallTarget(mode=EDGE_NODE, versions=(V1, V2), deployment_id=D, node_ip="::1", host_port=8001),
]


def mode_fields(target: CallTarget, version: str) -> dict:
    fields = {"mode": target.mode, f"{version}_path_override": ""}
    if version == V1:
        fields["deployment_id"] = target.deployment_id
    if target.mode == EDGE_LB:
        fields |= {"elb_ip": target.elb_ip, "elb_port": target.elb_port, "api_url": target.api_url}
    if target.mode == EDGE_NODE:
        fields |= {"node_ip": target.node_ip, "host_port": target.host_port}
    return fields


@pytest.mark.parametrize("version", [V1, V2])
@pytest.mark.parametrize(
    "target", TARGETS, ids=[f"{t.mode}-{t.elb_ip or t.node_ip or 'endpoint'}" for t in TARGETS]
)
def test_round_trip(target, version):
    target = CallTarget(**(target.__dict__ | {"project_id": P}))
    url = call_url(target, version)
    parsed = parse_call_path(
        url, inference_endpoint=target.inference_endpoint or E, project_id=P, mode_hint=target.mode
    )
    assert parsed.version == version
    assert parsed.fields() == mode_fields(target, version)
    assert parsed.problems == ()
    # And the fields derive the same path again.
    again = CallTarget(
        **(target.__dict__ | {k: v for k, v in parsed.fields().items() if "override" not in k})
    )
    assert call_url(again, version) == url


def test_both_versions_at_once():
    v1, v2 = parse_many(f"{E}{V1_PATH}\n  {E}{V2_PATH}", inference_endpoint=E, project_id=P)
    assert (v1.version, v2.version) == (V1, V2)


def test_two_paths_of_one_version_or_of_two_addresses_are_refused():
    with pytest.raises(CallPathError, match="at most one V1 and one V2"):
        parse_many(f"{E}{V2_PATH} {E}{V2_PATH}", inference_endpoint=E, project_id=P)
    with pytest.raises(CallPathError, match="different addresses"):
        parse_many(
            f"http://192.0.2.10:1{V1_PATH} http://192.0.2.11:1{V2_PATH}",
            inference_endpoint=E,
            project_id=P,
        )


def test_a_v2_path_after_an_elb_v1_path_stays_load_balancing():
    v1, v2 = parse_many(
        f"http://203.0.113.7:80/lb{V1_PATH} http://203.0.113.7:80/lb{V2_PATH}",
        inference_endpoint=E,
        project_id=P,
    )
    assert v1.mode == v2.mode == EDGE_LB
