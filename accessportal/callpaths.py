"""Deployment → call URLs, as pure functions.

The platform's rules (see shared/reference/modelarts-api.md):

- cloud V1: ``{inference_endpoint}/v1/{project_id}/deployments/{deployment_id}/chat/completions``
- cloud V2: ``{inference_endpoint}/api/v2/chat/completions``
- edge, load balancing: ``http://{ELB IP}:{ELB port}/{API URL}/{inference API URL}``
- edge, node: ``http://{node IP}:{host port}/{inference API URL}``

A call path pasted from the console wins over all of this: real console paths can carry
gateway prefixes we cannot derive, so an override is used as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

V1 = "v1"
V2 = "v2"
VERSIONS = (V1, V2)

CLOUD = "cloud"
EDGE_LB = "edge_lb"
EDGE_NODE = "edge_node"


@dataclass(frozen=True)
class CallTarget:
    """Everything the call URL depends on, detached from the database."""

    mode: str
    versions: tuple[str, ...]
    inference_endpoint: str = ""
    project_id: str = ""
    deployment_id: str = ""
    elb_ip: str = ""
    elb_port: int | None = None
    api_url: str = ""
    node_ip: str = ""
    host_port: int | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)


def inference_api_path(version: str, *, project_id: str, deployment_id: str) -> str:
    """The path part the platform calls the "inference API URL"."""
    if version == V1:
        return f"/v1/{project_id}/deployments/{deployment_id}/chat/completions"
    if version == V2:
        return "/api/v2/chat/completions"
    raise ValueError(f"Unknown API version {version!r}")


def host_literal(address: str) -> str:
    """An IP as it must appear in a URL: IPv6 literals go in brackets."""
    address = address.strip()
    if ":" in address and not address.startswith("["):
        return f"[{address}]"
    return address


def base_url(target: CallTarget) -> str:
    """Scheme, host, port and any prefix, without a trailing slash."""
    if target.mode == CLOUD:
        return target.inference_endpoint.strip().rstrip("/")
    if target.mode == EDGE_LB:
        prefix = target.api_url.strip().strip("/")
        root = f"http://{host_literal(target.elb_ip)}:{target.elb_port}"
        return f"{root}/{prefix}" if prefix else root
    if target.mode == EDGE_NODE:
        return f"http://{host_literal(target.node_ip)}:{target.host_port}"
    raise ValueError(f"Unknown deployment mode {target.mode!r}")


def call_url(target: CallTarget, version: str) -> str:
    override = target.overrides.get(version, "").strip()
    if override:
        return override
    path = inference_api_path(
        version, project_id=target.project_id, deployment_id=target.deployment_id
    )
    return base_url(target) + path


def call_paths(target: CallTarget) -> dict[str, str]:
    """Version → URL for each version the deployment serves, V1 first."""
    return {v: call_url(target, v) for v in VERSIONS if v in target.versions}
