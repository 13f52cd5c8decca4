"""Pasted call paths → deployment fields: one row per mode, version and address form, and
the round trip parse(derive(x)) == x through the very functions the pages use."""

from __future__ import annotations

import pytest

from accessportal.callpath_parsing import CallPathError, canonical, parse_call_path, parse_many
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
        "edge load balancing, an API URL in capitals",
        "http://203.0.113.7:8443/X-Gw/lbX" + V2_PATH,
        {},
        {
            "mode": EDGE_LB,
            "elb_ip": "203.0.113.7",
            "elb_port": 8443,
            "api_url": "X-Gw/lbX",
            "v2_path_override": "",
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
    assert parsed.prefix == ""


GATEWAY = f"{E}/v1/infers/4f0e-77aa{V1_PATH}"
OVERRIDES = [
    (
        "cloud V1 behind a gateway prefix",
        GATEWAY,
        {},
        {"mode": CLOUD, "deployment_id": D, "v1_path_override": GATEWAY},
        ["The rules cannot explain the gateway prefix /v1/infers/4f0e-77aa."],
    ),
    (
        "cloud V2 behind a gateway prefix",
        f"{E}/gw/x{V2_PATH}",
        {},
        {"mode": CLOUD, "v2_path_override": f"{E}/gw/x{V2_PATH}"},
        ["The rules cannot explain the gateway prefix /gw/x."],
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
        [f"The project ID in the call path (ffff0000) differs from the workspace's ({P})."],
    ),
    (
        "another endpoint",
        "https://pangu.other-region.example.test" + V2_PATH,
        {},
        {"mode": CLOUD, "v2_path_override": "https://pangu.other-region.example.test" + V2_PATH},
        [
            "The endpoint of the call path (https://pangu.other-region.example.test) differs "
            f"from the workspace's ({E})."
        ],
    ),
    (
        "https to an IP that is not the workspace's endpoint",
        "https://203.0.113.7:8443" + V2_PATH,
        {},
        {"mode": CLOUD, "v2_path_override": "https://203.0.113.7:8443" + V2_PATH},
        [
            "The endpoint of the call path (https://203.0.113.7:8443) differs from the "
            f"workspace's ({E})."
        ],
    ),
    (
        "a workspace without an endpoint yet",
        E + V2_PATH,
        {"inference_endpoint": ""},
        {"mode": CLOUD, "v2_path_override": E + V2_PATH},
        [f"The endpoint of the call path ({E}) differs from the workspace's (—)."],
    ),
    (
        "a workspace endpoint typed with a trailing slash, another endpoint pasted",
        "https://pangu.other-region.example.test" + V2_PATH,
        {"inference_endpoint": E + "/"},
        {"mode": CLOUD, "v2_path_override": "https://pangu.other-region.example.test" + V2_PATH},
        [
            "The endpoint of the call path (https://pangu.other-region.example.test) differs "
            f"from the workspace's ({E})."
        ],
    ),
] + [
    (
        f"an ELB prefix the form would refuse: {prefix}",
        f"http://203.0.113.7:8080{prefix}{V2_PATH}",
        {},
        {
            "mode": EDGE_LB,
            "elb_ip": "203.0.113.7",
            "elb_port": 8080,
            "api_url": "",
            "v2_path_override": f"http://203.0.113.7:8080{prefix}{V2_PATH}",
        },
        [f"The rules cannot explain the gateway prefix {prefix}."],
    )
    for prefix in ("/a%20b", "/a//b", "/a/./b", "/a/../b")
]


@pytest.mark.parametrize(
    ("case", "text", "options", "fields", "problems"), OVERRIDES, ids=[c[0] for c in OVERRIDES]
)
def test_what_the_rules_cannot_explain_is_kept_as_the_override(
    case, text, options, fields, problems
):
    parsed = parse(text, **options)
    assert parsed.fields() == fields
    assert parsed.problems == tuple(problems)
    # the unexplained gateway prefix, as the problem names it
    said = "The rules cannot explain the gateway prefix "
    assert parsed.prefix == next((p[len(said) : -1] for p in problems if p.startswith(said)), "")


NOT_CHAT = (
    "This is not a chat call path: it ends in /v1/{project ID}/deployments/{deployment ID}"
    "/chat/completions (V1) or /api/v2/chat/completions (V2)."
)
SCHEME = "A call path starts with http:// or https:// and a host."
NO_QUERY = "A call path has no query (?…) or fragment (#…)."
NO_USER = "A call path carries no user name or password; leave them out."
PORT = "The port of the call path must be a number from 1 to 65535."
BRACKETS = "The host of the call path is not valid; an IPv6 address goes in brackets."
ZONE = "A call path cannot name an IPv6 zone (%…) or escaped host."
ERRORS = [
    ("", "Paste a call path."),
    ("pangu.example.test/api/v2/chat/completions", SCHEME),
    ("ftp://203.0.113.7/api/v2/chat/completions", SCHEME),
    (f"{E}/v1/{P}/deployments/{D}/chat", NOT_CHAT),
    (f"{E}{V2_PATH}/", NOT_CHAT),
    (f"{E}{V2_PATH}?stream=true", NO_QUERY),
    (f"{E}{V2_PATH}#x", NO_QUERY),
    ("http://bob:hunter2@203.0.113.7:80" + V2_PATH, NO_USER),
    ("http://bob@203.0.113.7:80" + V2_PATH, NO_USER),
    ("http://:hunter2@203.0.113.7:80" + V2_PATH, NO_USER),
    ("http://203.0.113.7:99999" + V2_PATH, PORT),
    ("http://203.0.113.7:0" + V2_PATH, PORT),
    (f"{E} {V2_PATH}", "A call path has no spaces or line breaks in it."),
    ("http://[::1" + V2_PATH, BRACKETS),
    ("http://[zz]:80" + V2_PATH, BRACKETS),
    ("http://[fe80::1%25eth0]:80" + V2_PATH, ZONE),
    ("http://%41:80" + V2_PATH, ZONE),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[e[1] + ":" + e[0] for e in ERRORS])
def test_what_is_not_a_call_path_says_why_without_repeating_it(text, message):
    with pytest.raises(CallPathError) as error:
        parse(text)
    assert str(error.value) == message
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
    with pytest.raises(CallPathError, match=r"^Paste at most one V1 and one V2 call path\.$"):
        parse_many(f"{E}{V2_PATH} {E}{V2_PATH}", inference_endpoint=E, project_id=P)
    with pytest.raises(CallPathError) as error:
        parse_many(f"http://192.0.2.10:1{V1_PATH} http://192.0.2.11:1{V2_PATH}")
    assert str(error.value) == (
        "The V1 and V2 call paths point at different addresses: paste them one at a time."
    )


@pytest.mark.parametrize(
    ("v1_prefix", "v2_prefix"),
    [
        ("/lb", "/lb"),
        # a V1 prefix the form refuses (kept as its override) is still load balancing,
        # and the bare V2 path on that address is the same balancer
        ("/a%20b", ""),
    ],
)
def test_a_v2_path_after_an_elb_v1_path_stays_load_balancing(v1_prefix, v2_prefix):
    v1, v2 = parse_many(
        f"http://203.0.113.7:80{v1_prefix}{V1_PATH} http://203.0.113.7:80{v2_prefix}{V2_PATH}",
        inference_endpoint=E,
        project_id=P,
    )
    assert v1.mode == v2.mode == EDGE_LB


def test_empty_text_is_refused_when_pasting_several():
    with pytest.raises(CallPathError) as error:
        parse_many(" \n ", inference_endpoint=E, project_id=P)
    assert str(error.value) == "Paste a call path."


def test_both_versions_are_checked_against_the_workspace():
    v1, v2 = parse_many(f"{E}{V1_PATH} {E}{V2_PATH}", inference_endpoint=E, project_id=P)
    assert (v1.problems, v1.override, v2.problems, v2.override) == ((), "", (), "")
    other = f"{E}/v1/ffff0000/deployments/{D}/chat/completions"
    [v1] = parse_many(other, inference_endpoint=E, project_id=P)
    assert v1.override == other
    assert v1.problems == (
        f"The project ID in the call path (ffff0000) differs from the workspace's ({P}).",
    )


@pytest.mark.parametrize("parser", [parse_call_path, lambda text: parse_many(text)[0]])
def test_without_workspace_values_nothing_is_compared_but_the_endpoint(parser):
    assert parser(f"http://192.0.2.10:31000{V1_PATH}").problems == ()
    assert parser(E + V2_PATH).problems == (
        f"The endpoint of the call path ({E}) differs from the workspace's (—).",
    )
    assert parse_call_path(E + V1_PATH, inference_endpoint=E).problems == ()


def test_the_target_holds_what_the_path_says():
    assert parse(E + V2_PATH).target == CallTarget(
        mode=CLOUD, versions=(V2,), inference_endpoint=E, project_id="", deployment_id=""
    )


@pytest.mark.parametrize(
    ("url", "seen"),
    [
        ("HTTPS://Pangu.Example.TEST/gw/", "https://pangu.example.test:443/gw"),
        ("http://pangu.example.test:8080", "http://pangu.example.test:8080"),
        ("http://[2001:DB8:0::1]/x", "http://[2001:db8::1]:80/x"),
        ("http://203.0.113.7/x//", "http://203.0.113.7:80/x"),
        ("ftp://h.example.test/x", "ftp://h.example.test:0/x"),
        ("http://h.example.test:99999/x", "http://h.example.test:0/x"),
        (" http://h.example.test/x ", "http://h.example.test:80/x"),
        ("http://h.example.test/gwX/", "http://h.example.test:80/gwX"),
    ],
)
def test_urls_are_compared_as_a_client_sees_them(url, seen):
    assert canonical(url) == seen
