"""The access trio for every URL pattern, generated from the URL conf.

Every view of a workspace carries an ``access_rule`` (from ``workspace_view``); a new
view without one fails ``test_every_view_is_classified`` until it is given one or is
listed below as global. Then, for each rule: an outsider gets 404, a role below the
minimum 403, an admin using a method the view does not take 405, and an object of
another workspace named under this one 404.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accessportal.models import Role
from sso.models import GroupMapping
from tests import factories
from tests.api.conftest import issue

# Views outside any workspace, and what guards them.
GLOBAL_VIEWS = {
    "healthz": "public",
    "readyz": "public",
    "favicon": "public",
    "login": "public",
    "logout": "login",
    "password_change": "login",
    "password_change_done": "login",
    "accessportal:workspace_list": "login",
    "accessportal:workspace_create": "staff",
    "profile": "login",  # the user's own settings only
    "set_language": "public",  # the sign-in page has the language switch too
    "javascript_catalog": "public",  # translations of the scripts, nothing private
    "oidc_authentication_init": "public",  # sign-in with the identity provider
    "oidc_authentication_callback": "public",
    "sso:break_glass": "public",  # a one-time link from manage.py sso_break_glass
    "api_tokens:token_list": "login",  # the user's own tokens only
    "api_tokens:token_revoke": "login",
}
NEXT_LOWER_ROLE = {Role.ADMIN: "member", Role.MEMBER: "viewer", Role.VIEWER: None}


def walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in ("admin", "api"):
                continue  # the REST API has its own rules: tests/api/test_api_access_rules.py
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield namespace + (p.name or ""), prefix + str(p.pattern), p.callback


ROUTES = list(walk(get_resolver().url_patterns))
RULED = [(name, route, cb.access_rule) for name, route, cb in ROUTES if hasattr(cb, "access_rule")]


def test_every_view_is_classified():
    unclassified = [
        name
        for name, _, cb in ROUTES
        if not hasattr(cb, "access_rule") and name not in GLOBAL_VIEWS
    ]
    assert unclassified == []
    assert len(RULED) >= 20


@pytest.fixture
def objects(world):
    """One object of each kind in Alpha (the workspace under test) and in Beta."""

    def kinds(ws, member_user, admin_user):
        dep = factories.make_deployment(ws)
        return {
            "upload": factories.make_pending_import(ws, admin_user).code,
            "ws": ws.code,
            "dep": dep.code,
            "access": factories.make_access(ws).code,
            "cred": factories.make_credential(ws).code,
            "member": ws.memberships.get(user=member_user).code,
            "mapping": GroupMapping.objects.create(workspace=ws, group="g", role="viewer").code,
            "token": issue(member_user)[0].code,
            "channel": factories.make_channel(ws).code,
            "call": factories.make_test_call(ws).code,
            "prompt": factories.make_prompt(ws).code,
        }

    return {
        "alpha": kinds(world.alpha, world.viewer, world.admin),
        "beta": kinds(world.beta, world.outsider, world.outsider),
    }


def url_for(route: str, values: dict) -> str:
    url = "/" + route
    for key, value in values.items():
        url = url.replace(f"<uuid:{key}>", str(value))
    assert "<" not in url, url
    return url


def send(client, method: str, url: str):
    return getattr(client, method.lower())(url)


@pytest.mark.parametrize(("name", "route", "rule"), RULED, ids=[r[0] for r in RULED])
def test_access_trio(world, objects, name, route, rule):
    url = url_for(route, objects["alpha"])
    methods = [m for m in rule.methods if m != "HEAD"]

    outsider = world.client_for(world.outsider)
    for method in methods:
        assert send(outsider, method, url).status_code == 404, (method, "outsider")

    lower = NEXT_LOWER_ROLE[rule.min_role]
    if lower:
        low_client = world.client_for(getattr(world, lower))
        for method in methods:
            assert send(low_client, method, url).status_code == 403, (method, lower)

    admin = world.client_for(world.admin)
    for method in {"GET", "POST", "PUT", "DELETE"} - set(rule.methods):
        assert send(admin, method, url).status_code == 405, method

    foreign = {k: v for k, v in objects["beta"].items() if k != "ws" and f"<uuid:{k}>" in route}
    if foreign:
        cross = url_for(route, {**objects["alpha"], **foreign})
        for method in methods:
            assert send(admin, method, cross).status_code == 404, (method, "other workspace")


@pytest.mark.parametrize(("name", "route", "rule"), RULED[:5], ids=[r[0] for r in RULED[:5]])
def test_anonymous_is_sent_to_login(world, objects, name, route, rule):
    response = world.client_for(None).get(url_for(route, objects["alpha"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_only_staff_create_workspaces(world):
    assert world.client_for(world.admin).get("/workspaces/new/").status_code == 403
    world.admin.is_staff = True
    world.admin.save()
    assert world.client_for(world.admin).get("/workspaces/new/").status_code == 200
