"""The API's access rules for every operation, generated from its OpenAPI schema.

Every operation publishes its rule (role and token scope) as ``x-portal-access``; an
operation without one fails ``test_every_operation_declares_its_rule``. Then, for each:
no token, an expired, a revoked or a malformed token get 401; an outsider 404; a role
below the minimum 403; a token without the scope 403; a token restricted to another
workspace 404; another workspace's object named under this one 404.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accessportal.models import Role
from api.main import api
from tests import factories
from tests.api.conftest import ApiClient, issue

SCHEMA = api.get_openapi_schema(path_prefix="/api/v1")
OPERATIONS = [
    (method.upper(), path, op)
    for path, methods in SCHEMA["paths"].items()
    for method, op in methods.items()
]
NEXT_LOWER_ROLE = {Role.ADMIN: "member", Role.MEMBER: "viewer", Role.VIEWER: None}
SCOPES = {"read": {}, "write": {"write": True}, "secrets": {"secrets": True}}
# The smallest valid body of each writing operation (validation comes before the rule).
BODIES = {
    "deployment_create": {"name": "new", "deployment_id": "d-new"},
    "deployment_update": {"name": "renamed"},
    "access_create": {"name": "new", "api_key": "k" * 24},
    "access_update": {"description": "x"},
    "access_rotate": {"api_key": "r" * 24},
    "deployment_test": {"version": "v1", "access": None, "body": {"messages": [{"content": "hi"}]}},
}


def test_every_operation_declares_its_rule():
    assert len(OPERATIONS) >= 15
    missing = [f"{m} {p}" for m, p, op in OPERATIONS if "x-portal-access" not in op]
    assert missing == []


@pytest.fixture
def objects(world):
    def kinds(ws):
        return {
            "ws": ws.code,
            "dep": factories.make_deployment(ws).code,
            "access": factories.make_access(ws).code,
        }

    return {"alpha": kinds(world.alpha), "beta": kinds(world.beta)}


def url_for(path: str, values: dict) -> str:
    url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
    return url


def body_for(op: dict, values: dict):
    body = BODIES.get(op["operationId"])
    if body and "access" in body:
        body = body | {"access": str(values["access"])}
    return body


def call(client: ApiClient, method: str, path: str, op: dict, values: dict):
    return client.request(
        method, url_for(path, values), body_for(op, values) if method != "GET" else None
    )


def broken(text: str) -> str:
    """The token with its last character changed (whatever that character was)."""
    return text[:-1] + ("1" if text.endswith("0") else "0")


def ids(ops):
    return [f"{m} {p}" for m, p, _ in ops]


@pytest.mark.parametrize(("method", "path", "op"), OPERATIONS, ids=ids(OPERATIONS))
def test_access_rules(world, objects, method, path, op):
    rule = op["x-portal-access"]
    role, scope = rule["role"], rule["scope"]
    alpha = objects["alpha"]
    grant = SCOPES[scope] | ({"write": True} if scope != "read" else {})

    # Without a usable token: 401, whoever the token was for.
    for text in (
        None,
        "apat_" + "x" * 42,  # malformed checksum
        broken(issue(world.admin, **grant)[1]),  # a real token with one character changed
        issue(world.admin, expires_at=timezone.now() - timedelta(seconds=1), **grant)[1],
        issue(world.admin, revoked_at=timezone.now(), **grant)[1],
    ):
        assert call(ApiClient(text), method, path, op, alpha).status_code == 401, text

    if role is None:
        return
    # Not a member, or the token may not reach this workspace: 404.
    outsider = ApiClient(issue(world.outsider, **grant)[1])
    assert call(outsider, method, path, op, alpha).status_code == 404
    elsewhere = ApiClient(issue(world.admin, workspaces=[world.beta], **grant)[1])
    assert call(elsewhere, method, path, op, alpha).status_code == 404
    # A role below the rule's: 403.
    if lower := NEXT_LOWER_ROLE[role]:
        low = ApiClient(issue(getattr(world, lower), **grant)[1])
        assert call(low, method, path, op, alpha).status_code == 403
    # The right role without the scope: 403.
    if scope != "read":
        weaker = {"read": {}, "write": {}, "secrets": {"write": True}}[scope]
        admin_weak = ApiClient(issue(world.admin, **weaker)[1])
        response = call(admin_weak, method, path, op, alpha)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "scope"
    # Another workspace's object under this one: 404.
    foreign = {k: v for k, v in objects["beta"].items() if k != "ws" and "{" + k + "}" in path}
    if foreign:
        admin = ApiClient(issue(world.admin, **grant)[1])
        assert call(admin, method, path, op, alpha | foreign).status_code == 404


def test_a_demoted_user_loses_the_rights_at_once(world, objects):
    client = ApiClient(issue(world.member, write=True)[1])
    url = url_for("/api/v1/workspaces/{ws}/deployments/{dep}", objects["alpha"])
    assert client.get(url).status_code == 200
    world.alpha.memberships.filter(user=world.member).update(role=Role.VIEWER)
    body = {"version": "v1", "access": str(objects["alpha"]["access"]), "body": {}}
    assert client.post(url + "/test", body).status_code == 403
    world.alpha.memberships.filter(user=world.member).delete()
    assert client.get(url).status_code == 404


def test_a_deactivated_user_token_stops_working(world):
    client = ApiClient(issue(world.admin)[1])
    assert client.get("/api/v1/workspaces").status_code == 200
    world.admin.is_active = False
    world.admin.save()
    assert client.get("/api/v1/workspaces").status_code == 401
