"""The simulated account: one JSON state file, loaded into frozen dataclasses.

The file describes what a platform account holds (region, project, IAM users,
deployments, application accesses with their keys) plus the faults to inject.
Unknown fields are ignored so the file can carry notes; missing optional fields
get the platform's defaults. Validation errors name the offending field but
never echo a key or password.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_STATE_PATH = Path(__file__).with_name("demo_state.json")

MODES = ("cloud", "edge_lb", "edge_node")
# Every state the platform shows; only "running" can be called.
STATUSES = ("deploying", "running", "stopping", "stopped", "starting", "failed", "deleting")
SOURCES = ("my_service", "preset_service")
VERSIONS = ("v1", "v2")
FAULTS = (
    "slow",
    "error_500",
    "error_502",
    "error_504",
    "malformed_json",
    "reset_mid_stream",
    "throttle",
    "huge_body",
    "redirect",
    "flapping",  # also "flapping:<period seconds>"
)
DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600
# An edge address or port that means "wherever the simulator itself listens": seed_demo
# registers the host or port of its --simulator-url there. Any other value is an address
# of its own and is registered as it is.
SIMULATOR_ADDRESS = "simulator"


def _known_fault(fault: str) -> bool:
    name, colon, period = fault.partition(":")
    if name == "flapping" and colon:
        return period.isdigit() and int(period) >= 2
    return name in FAULTS and not colon


class StateError(ValueError):
    """The state file is not a usable account description."""


@dataclass(frozen=True)
class IamUser:
    domain: str
    name: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Deployment:
    name: str
    deployment_id: str
    model: str
    status: str = "running"
    versions: tuple[str, ...] = VERSIONS
    mode: str = "cloud"
    source: str = "my_service"
    elb_ip: str | None = None  # an IP address, or SIMULATOR_ADDRESS
    elb_port: int | str | None = None  # 1-65535, or SIMULATOR_ADDRESS
    api_url: str | None = None
    node_ip: str | None = None
    host_port: int | str | None = None
    # A reasoning model: answers carry reasoning_content beside content.
    reasoning: bool = False

    @property
    def running(self) -> bool:
        return self.status == "running"


@dataclass(frozen=True)
class AppAccess:
    name: str
    key: str = field(repr=False)
    # "all", or the deployment_ids the key is bound to.
    services: str | tuple[str, ...] = "all"
    description: str = ""

    def covers(self, deployment_id: str) -> bool:
        return self.services == "all" or deployment_id in self.services


@dataclass(frozen=True)
class State:
    region: str
    project_id: str
    iam_users: tuple[IamUser, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    app_accesses: tuple[AppAccess, ...] = ()
    faults: Mapping[str, str] = field(default_factory=dict)
    token_ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS

    def deployment(self, deployment_id: str) -> Deployment | None:
        return next((d for d in self.deployments if d.deployment_id == deployment_id), None)

    def deployment_for_model(self, model: str) -> Deployment | None:
        return next((d for d in self.deployments if d.model == model), None)

    def deployment_for_api_url(self, api_url: str) -> Deployment | None:
        """The load-balanced edge deployment published under this path prefix."""
        wanted = api_url.strip("/")
        return next(
            (d for d in self.deployments if d.mode == "edge_lb" and d.api_url == wanted), None
        )

    def access_for_key(self, key: str) -> AppAccess | None:
        return next((a for a in self.app_accesses if a.key == key), None)

    def iam_user(self, domain: str, name: str) -> IamUser | None:
        return next((u for u in self.iam_users if u.domain == domain and u.name == name), None)

    def fault_for(self, deployment_id: str) -> str | None:
        return self.faults.get(deployment_id)


def load_state(source: str | os.PathLike[str] | Mapping[str, Any] | State) -> State:
    """Load and validate an account from a JSON file path, a parsed dict, or a State."""
    if isinstance(source, State):
        return source
    if isinstance(source, Mapping):
        raw = source
    else:
        try:
            raw = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StateError(f"cannot read state file {source}: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise StateError("state must be a JSON object")
    return _build_state(raw)


def _build_state(raw: Mapping[str, Any]) -> State:
    deployments = tuple(
        _build_deployment(item, f"deployments[{i}]")
        for i, item in enumerate(_list(raw, "deployments"))
    )
    accesses = tuple(
        _build_access(item, f"app_accesses[{i}]")
        for i, item in enumerate(_list(raw, "app_accesses"))
    )
    users = tuple(
        IamUser(
            domain=_text(item, "domain", f"iam_users[{i}]"),
            name=_text(item, "name", f"iam_users[{i}]"),
            password=_text(item, "password", f"iam_users[{i}]"),
        )
        for i, item in enumerate(_list(raw, "iam_users"))
    )
    faults = raw.get("faults") or {}
    if not isinstance(faults, Mapping):
        raise StateError("faults must be an object keyed by deployment_id")
    for deployment_id, fault in faults.items():
        if not isinstance(fault, str) or not _known_fault(fault):
            raise StateError(f"faults[{deployment_id}]: unknown fault {fault!r}")
    ttl = raw.get("token_ttl_seconds", DEFAULT_TOKEN_TTL_SECONDS)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 1:
        raise StateError("token_ttl_seconds must be a positive integer")

    _unique([d.deployment_id for d in deployments], "deployment_id")
    _unique([d.model for d in deployments], "model")
    _unique([d.api_url for d in deployments if d.mode == "edge_lb"], "api_url")
    # Compared without echoing them: a duplicate key would make scopes ambiguous.
    if len({a.key for a in accesses}) != len(accesses):
        raise StateError("app_accesses: every key must be unique")

    return State(
        region=_text(raw, "region", "state"),
        project_id=_text(raw, "project_id", "state"),
        iam_users=users,
        deployments=deployments,
        app_accesses=accesses,
        faults=dict(faults),
        token_ttl_seconds=ttl,
    )


def _build_deployment(item: Any, where: str) -> Deployment:
    if not isinstance(item, Mapping):
        raise StateError(f"{where} must be an object")
    mode = _choice(item, "mode", MODES, where, default="cloud")
    versions = item.get("versions", list(VERSIONS))
    if not isinstance(versions, list) or not versions or not set(versions) <= set(VERSIONS):
        raise StateError(f"{where}.versions must be a non-empty list of {VERSIONS}")
    deployment = Deployment(
        name=_text(item, "name", where),
        deployment_id=_text(item, "deployment_id", where),
        model=_text(item, "model", where),
        status=_choice(item, "status", STATUSES, where, default="running"),
        versions=tuple(versions),
        mode=mode,
        source=_choice(item, "source", SOURCES, where, default="my_service"),
        elb_ip=_edge_ip(item, "elb_ip", where),
        elb_port=_edge_port(item, "elb_port", where),
        api_url=item["api_url"].strip("/") if isinstance(item.get("api_url"), str) else None,
        node_ip=_edge_ip(item, "node_ip", where),
        host_port=_edge_port(item, "host_port", where),
        reasoning=item.get("reasoning") is True,
    )
    required = {"edge_lb": ("elb_ip", "elb_port", "api_url"), "edge_node": ("node_ip", "host_port")}
    for name in required.get(mode, ()):
        if not getattr(deployment, name):
            raise StateError(f"{where}.{name} is required for mode {mode}")
    return deployment


def _build_access(item: Any, where: str) -> AppAccess:
    if not isinstance(item, Mapping):
        raise StateError(f"{where} must be an object")
    services = item.get("services", "all")
    if services != "all":
        if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
            raise StateError(f'{where}.services must be "all" or a list of deployment_ids')
        services = tuple(services)
    return AppAccess(
        name=_text(item, "name", where),
        key=_text(item, "key", where),
        services=services,
        description=str(item.get("description", "")),
    )


def _list(raw: Mapping[str, Any], name: str) -> list[Any]:
    value = raw.get(name, [])
    if not isinstance(value, list):
        raise StateError(f"{name} must be a list")
    return value


def _edge_ip(item: Mapping[str, Any], name: str, where: str) -> str | None:
    value = item.get(name)
    if value is None or value == SIMULATOR_ADDRESS:
        return value
    try:
        if not isinstance(value, str):
            raise ValueError(value)  # ip_address() would take 5 for 0.0.0.5
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise StateError(
            f"{where}.{name} must be an IP address or {SIMULATOR_ADDRESS!r}, got {value!r}"
        ) from None


def _edge_port(item: Mapping[str, Any], name: str, where: str) -> int | str | None:
    value = item.get(name)
    if value is None or value == SIMULATOR_ADDRESS:
        return value
    if type(value) is not int or not 1 <= value <= 65535:
        raise StateError(f"{where}.{name} must be 1-65535 or {SIMULATOR_ADDRESS!r}, got {value!r}")
    return value


def _text(item: Mapping[str, Any], name: str, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise StateError(f"{where}.{name} must be a non-empty string")
    return value


def _choice(
    item: Mapping[str, Any], name: str, allowed: tuple[str, ...], where: str, default: str
) -> str:
    value = item.get(name, default)
    if value not in allowed:
        raise StateError(f"{where}.{name} must be one of {allowed}, got {value!r}")
    return value


def _unique(values: list[Any], name: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise StateError(f"duplicate {name} {value!r}")
        seen.add(value)
