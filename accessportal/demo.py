"""Register a simulated cloud account in the portal, as an admin would from the console.

The account is the simulator's JSON state file (``simulator/demo_state.json`` by default).
Running it again updates rows in place and leaves unchanged ones untouched, so the
demo can be re-seeded at every start.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model

from accessportal.crypto import DecryptionError, write_private
from accessportal.models import (
    ApplicationAccess,
    Deployment,
    IamCredential,
    Membership,
    Role,
    Status,
    Workspace,
)
from simulator.state import SIMULATOR_ADDRESS, State

WORKSPACE_NAME = "Demo workspace"
USERS = (("demo", Role.ADMIN), ("demo-member", Role.MEMBER), ("demo-viewer", Role.VIEWER))
DEFAULT_SIMULATOR_URL = "http://127.0.0.1:8001"
# The platform shows transitional states the catalog folds into its four.
STATUS_MAP = {
    "running": Status.RUNNING,
    "deploying": Status.DEPLOYING,
    "starting": Status.DEPLOYING,
    "stopping": Status.STOPPED,
    "stopped": Status.STOPPED,
    "deleting": Status.STOPPED,
    "failed": Status.FAILED,
}


@dataclass
class SeedResult:
    workspace: Workspace
    password: str
    usernames: tuple[str, ...]


def demo_password_file() -> Path:
    return Path(settings.BASE_DIR) / ".demo-password"


def resolve_password(explicit: str | None) -> str:
    """The demo users' password: given, or generated once and kept in a local file."""
    if explicit:
        return explicit
    path = demo_password_file()
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(12)
    write_private(path, password + "\n")
    return password


def _upsert(model: type[Model], lookup: dict, values: dict, **on_create) -> Model:
    """get_or_create, then save only the fields that differ (keeps rows stable)."""
    instance, created = model.objects.get_or_create(**lookup, defaults=values | on_create)
    if not created:
        changed = [k for k, v in values.items() if getattr(instance, k) != v]
        if changed:
            for name in changed:
                setattr(instance, name, values[name])
            instance.save()
    return instance


def _stored_differs(read, ciphertext: str, wanted: str) -> bool:
    """Re-encrypt only when the value changed (or the old one is unreadable)."""
    if not ciphertext:
        return True
    try:
        return read() != wanted
    except DecryptionError:
        return True


def _edge_address(simulator_url: str) -> tuple[str, int]:
    parts = urlsplit(simulator_url)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


def _as_given(value: object, simulator_value: object) -> object:
    """The state's edge address or port as it is, except the "simulator" token, which
    stands for the simulator's own host or port (``simulator_value``)."""
    return simulator_value if value == SIMULATOR_ADDRESS else value


@transaction.atomic
def seed(state: State, *, simulator_url: str, password: str) -> SeedResult:
    simulator_url = simulator_url.rstrip("/")
    host, port = _edge_address(simulator_url)
    workspace = _upsert(
        Workspace,
        {"name": WORKSPACE_NAME},
        {
            "description": "A simulated ModelArts Studio account (python -m simulator).",
            "region": state.region,
            "project_id": state.project_id,
            "inference_endpoint": simulator_url,
            "iam_endpoint": simulator_url,
        },
    )
    User = get_user_model()
    for username, role in USERS:
        user, _ = User.objects.get_or_create(username=username)
        is_admin = role == Role.ADMIN
        if not user.check_password(password) or user.is_superuser != is_admin:
            user.set_password(password)
            user.is_staff = user.is_superuser = is_admin
            user.save()
        _upsert(Membership, {"workspace": workspace, "user": user}, {"role": role})

    by_id: dict[str, Deployment] = {}
    for item in state.deployments:
        # Addresses are registered as the state gives them; only the "simulator" token
        # follows --simulator-url (the simulator serves every mode on its one address).
        edge_lb, edge_node = item.mode == "edge_lb", item.mode == "edge_node"
        by_id[item.deployment_id] = _upsert(
            Deployment,
            {"workspace": workspace, "deployment_id": item.deployment_id},
            {
                "name": item.name,
                "model_name": item.model,
                "source": item.source,
                "status": STATUS_MAP[item.status],
                "mode": item.mode,
                "serves_v1": "v1" in item.versions,
                "serves_v2": "v2" in item.versions,
                "elb_ip": _as_given(item.elb_ip, host) if edge_lb else None,
                "elb_port": _as_given(item.elb_port, port) if edge_lb else None,
                "api_url": (item.api_url or "") if edge_lb else "",
                "node_ip": _as_given(item.node_ip, host) if edge_node else None,
                "host_port": _as_given(item.host_port, port) if edge_node else None,
            },
        )

    admin = User.objects.get(username=USERS[0][0])
    for item in state.app_accesses:
        access = _upsert(
            ApplicationAccess,
            {"workspace": workspace, "name": item.name},
            {"description": item.description, "all_services": item.services == "all"},
            created_by=admin,
        )
        if _stored_differs(access.api_key, access.api_key_ciphertext, item.key):
            access.set_api_key(item.key)
            access.save()
        wanted = [] if access.all_services else [by_id[d] for d in item.services if d in by_id]
        access.deployments.set(wanted)

    for user in state.iam_users:
        credential = _upsert(
            IamCredential,
            {"workspace": workspace, "name": user.name},
            {"iam_user": user.name, "domain_name": user.domain, "project_name": state.region},
            created_by=admin,
        )
        if _stored_differs(credential.password, credential.password_ciphertext, user.password):
            credential.set_password(user.password)
            credential.save()

    return SeedResult(workspace=workspace, password=password, usernames=tuple(u for u, _ in USERS))
