"""Snippets and Postman downloads. Nothing secret is in them, so viewers may download."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from accessportal import postman, snippets
from accessportal.models import Deployment, IamCredential, Role, Workspace
from accessportal.scoping import workspace_view


def snippet_credential(workspace: Workspace) -> IamCredential | None:
    """The IAM credential whose user the token snippets sign in as (the first by name)."""
    return workspace.iam_credentials.order_by("name", "id").first()


def key_fetches(request: HttpRequest, workspace_code, accesses) -> list[dict]:
    """For each access: the lines that fetch its key from the portal's API at run time
    (by URL name: the catalog does not import the API, it only links to it)."""
    rows = []
    for access in accesses:
        path = reverse("api:access_secret", kwargs={"ws": workspace_code, "access": access.code})
        fetch = snippets.key_fetch(request.build_absolute_uri(path))
        rows.append(
            {
                "access": access,
                "lines": [(snippets.LANGUAGES[lang], lang, code) for lang, code in fetch.items()],
            }
        )
    return rows


def code_panel_context(
    deployment: Deployment, request: HttpRequest | None = None, accesses=()
) -> dict:
    """What ``_code_panel.html`` shows for ``deployment`` (and, given the request and the
    usable accesses that cover it, how to fetch their keys from the portal)."""
    workspace = deployment.workspace
    target = snippets.target_for(deployment, snippet_credential(workspace))
    return {
        "key_fetches": key_fetches(request, workspace.code, accesses) if request else [],
        "portal_token_env": snippets.PORTAL_TOKEN_ENV,
        "deployment": deployment,
        "workspace": workspace,
        "tabs": snippets.code_panel(target),
        "has_credential": target.iam.user != snippets.IAM_USER_PLACEHOLDER,
        "env": {
            "api_key": snippets.API_KEY_ENV,
            "auth_token": snippets.AUTH_TOKEN_ENV,
            "iam_password": snippets.IAM_PASSWORD_ENV,
        },
    }


def _attachment(data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _slug(name: str, fallback: str) -> str:
    return slugify(name) or fallback


@workspace_view(Role.VIEWER)
def deployment_postman(request: HttpRequest, dep) -> HttpResponse:
    deployment = get_object_or_404(request.workspace.deployments, code=dep)
    target = snippets.target_for(deployment, snippet_credential(request.workspace))
    data = postman.deployment_collection(target, workspace_name=request.workspace.name)
    return _attachment(data, f"{_slug(deployment.name, 'deployment')}.postman_collection.json")


@workspace_view(Role.VIEWER)
def workspace_postman(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    credential = snippet_credential(workspace)
    targets = [snippets.target_for(d, credential) for d in workspace.deployments.all()]
    data = postman.workspace_collection(
        targets,
        workspace_name=workspace.name,
        workspace_code=str(workspace.code),
        iam=snippets.iam_login_for(workspace, credential),
    )
    return _attachment(data, f"{_slug(workspace.name, 'workspace')}.postman_collection.json")


@workspace_view(Role.VIEWER)
def workspace_postman_environment(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    data = postman.environment(workspace_name=workspace.name, workspace_code=str(workspace.code))
    return _attachment(data, f"{_slug(workspace.name, 'workspace')}.postman_environment.json")
