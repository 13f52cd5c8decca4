"""The call-path rules of the platform, one row per case."""

from __future__ import annotations

import pytest

from accessportal import callpaths
from accessportal.callpaths import CLOUD, EDGE_LB, EDGE_NODE, V1, V2, CallTarget

P = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
D = "5b0e7c1a"
V1_PATH = f"/v1/{P}/deployments/{D}/chat/completions"
V2_PATH = "/api/v2/chat/completions"
BOTH = (V1, V2)


def target(**fields) -> CallTarget:
    return CallTarget(**({"project_id": P, "deployment_id": D, "versions": BOTH} | fields))


CASES = [
    (
        "cloud",
        target(mode=CLOUD, inference_endpoint="https://pangu.cn-southwest-2.example.test"),
        {
            V1: "https://pangu.cn-southwest-2.example.test" + V1_PATH,
            V2: "https://pangu.cn-southwest-2.example.test" + V2_PATH,
        },
    ),
    (
        "cloud endpoint with trailing slashes",
        target(mode=CLOUD, inference_endpoint="https://pangu.example.test//"),
        {V1: "https://pangu.example.test" + V1_PATH, V2: "https://pangu.example.test" + V2_PATH},
    ),
    (
        "cloud endpoint with a base path",
        target(mode=CLOUD, inference_endpoint="http://127.0.0.1:8001/gw/"),
        {V1: "http://127.0.0.1:8001/gw" + V1_PATH, V2: "http://127.0.0.1:8001/gw" + V2_PATH},
    ),
    (
        "edge load balancing",
        target(mode=EDGE_LB, elb_ip="203.0.113.7", elb_port=8443, api_url="edge/lb-demo"),
        {
            V1: "http://203.0.113.7:8443/edge/lb-demo" + V1_PATH,
            V2: "http://203.0.113.7:8443/edge/lb-demo" + V2_PATH,
        },
    ),
    (
        "edge load balancing, prefix with slashes around and inside",
        target(mode=EDGE_LB, elb_ip="203.0.113.7", elb_port=80, api_url="/a/b/c/"),
        {V1: "http://203.0.113.7:80/a/b/c" + V1_PATH, V2: "http://203.0.113.7:80/a/b/c" + V2_PATH},
    ),
    (
        "edge load balancing, no prefix",
        target(mode=EDGE_LB, elb_ip="203.0.113.7", elb_port=80, api_url=""),
        {V1: "http://203.0.113.7:80" + V1_PATH, V2: "http://203.0.113.7:80" + V2_PATH},
    ),
    (
        "edge load balancing on IPv6",
        target(mode=EDGE_LB, elb_ip="2001:db8::7", elb_port=8080, api_url="svc"),
        {
            V1: "http://[2001:db8::7]:8080/svc" + V1_PATH,
            V2: "http://[2001:db8::7]:8080/svc" + V2_PATH,
        },
    ),
    (
        "paths ending in a capital X keep it (only slashes are trimmed)",
        target(mode=EDGE_LB, elb_ip="203.0.113.7", elb_port=80, api_url="/edge/X/"),
        {
            V1: "http://203.0.113.7:80/edge/X" + V1_PATH,
            V2: "http://203.0.113.7:80/edge/X" + V2_PATH,
        },
    ),
    (
        "cloud endpoint ending in a capital X",
        target(mode=CLOUD, inference_endpoint="https://pangu.example.test/gwX/"),
        {
            V1: "https://pangu.example.test/gwX" + V1_PATH,
            V2: "https://pangu.example.test/gwX" + V2_PATH,
        },
    ),
    (
        "edge node on IPv6 already in brackets",
        target(mode=EDGE_NODE, node_ip=" [2001:db8::9] ", host_port=8001),
        {V1: "http://[2001:db8::9]:8001" + V1_PATH, V2: "http://[2001:db8::9]:8001" + V2_PATH},
    ),
    (
        "edge node",
        target(mode=EDGE_NODE, node_ip="192.0.2.10", host_port=31000),
        {V1: "http://192.0.2.10:31000" + V1_PATH, V2: "http://192.0.2.10:31000" + V2_PATH},
    ),
    (
        "edge node on IPv6",
        target(mode=EDGE_NODE, node_ip="::1", host_port=8001),
        {V1: "http://[::1]:8001" + V1_PATH, V2: "http://[::1]:8001" + V2_PATH},
    ),
    (
        "V1 only",
        target(mode=CLOUD, inference_endpoint="https://pangu.example.test", versions=(V1,)),
        {V1: "https://pangu.example.test" + V1_PATH},
    ),
    (
        "V2 only",
        target(mode=EDGE_NODE, node_ip="192.0.2.10", host_port=31000, versions=(V2,)),
        {V2: "http://192.0.2.10:31000" + V2_PATH},
    ),
    (
        "console override with a gateway prefix wins for V1 only",
        target(
            mode=CLOUD,
            inference_endpoint="https://pangu.example.test",
            overrides={V1: f"https://pangu.example.test/v1/infers/abc-123{V1_PATH}", V2: ""},
        ),
        {
            V1: f"https://pangu.example.test/v1/infers/abc-123{V1_PATH}",
            V2: "https://pangu.example.test" + V2_PATH,
        },
    ),
    (
        "override on an edge deployment",
        target(
            mode=EDGE_NODE,
            node_ip="192.0.2.10",
            host_port=1,
            overrides={V2: "http://192.0.2.10:1/custom/v2"},
        ),
        {V1: "http://192.0.2.10:1" + V1_PATH, V2: "http://192.0.2.10:1/custom/v2"},
    ),
]


@pytest.mark.parametrize(("case", "call_target", "expected"), CASES, ids=[c[0] for c in CASES])
def test_call_paths(case, call_target, expected):
    assert callpaths.call_paths(call_target) == expected


def test_versions_come_out_v1_first():
    paths = callpaths.call_paths(
        target(mode=CLOUD, inference_endpoint="https://x.test", versions=(V2, V1))
    )
    assert list(paths) == [V1, V2]


def test_unknown_mode_and_version_are_errors():
    with pytest.raises(ValueError, match=r"^Unknown deployment mode 'satellite'$"):
        callpaths.base_url(target(mode="satellite"))
    with pytest.raises(ValueError, match=r"^Unknown API version 'v3'$"):
        callpaths.inference_api_path("v3", project_id=P, deployment_id=D)
