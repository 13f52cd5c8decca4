"""The catalog's URLs (namespace ``accessportal``). Objects by UUID code, never by pk;
one URL per action."""

from __future__ import annotations

from django.urls import path

from accessportal.views import (
    accesses,
    audit,
    credentials,
    deployment_entry,
    deployments,
    imports,
    members,
    snippets,
    workspaces,
)

app_name = "accessportal"

W = "w/<uuid:ws>/"


def import_routes(base: str, *, kind: str, name: str) -> list:
    """Import in bulk, the same five steps for each kind of object: upload, the two
    templates, preview, apply."""
    return [
        path(base, imports.import_upload, {"kind": kind}, name=name),
        *(
            path(
                f"{base}template.{fmt}",
                imports.import_template,
                {"kind": kind, "fmt": fmt},
                name=f"{name}_template_{fmt}",
            )
            for fmt in ("csv", "json")
        ),
        path(
            base + "<uuid:upload>/", imports.import_preview, {"kind": kind}, name=f"{name}_preview"
        ),
        path(
            base + "<uuid:upload>/apply/",
            imports.import_apply,
            {"kind": kind},
            name=f"{name}_apply",
        ),
    ]


urlpatterns = [
    path("", workspaces.workspace_list, name="workspace_list"),
    path("workspaces/new/", workspaces.workspace_create, name="workspace_create"),
    path(W, workspaces.workspace_home, name="workspace_home"),
    path(W + "settings/", workspaces.workspace_edit, name="workspace_edit"),
    # Model deployment
    path(W + "deployments/", deployments.deployment_list, name="deployment_list"),
    path(W + "deployments/new/", deployments.deployment_create, name="deployment_create"),
    # Filling the form from a pasted call path, and its live preview (new and edit)
    path(
        W + "deployments/new/preview/",
        deployment_entry.deployment_preview,
        name="deployment_preview",
    ),
    path(W + "deployments/new/fill/", deployment_entry.deployment_fill, name="deployment_fill"),
    path(
        W + "deployments/<uuid:dep>/edit/preview/",
        deployment_entry.deployment_preview,
        name="deployment_edit_preview",
    ),
    path(
        W + "deployments/<uuid:dep>/edit/fill/",
        deployment_entry.deployment_fill,
        name="deployment_edit_fill",
    ),
    *import_routes(W + "deployments/import/", kind="deployments", name="deployment_import"),
    path(W + "deployments/<uuid:dep>/", deployments.deployment_detail, name="deployment_detail"),
    path(W + "deployments/<uuid:dep>/edit/", deployments.deployment_edit, name="deployment_edit"),
    path(
        W + "deployments/<uuid:dep>/delete/",
        deployments.deployment_delete,
        name="deployment_delete",
    ),
    # Snippets and Postman downloads
    path(
        W + "deployments/<uuid:dep>/postman/",
        snippets.deployment_postman,
        name="deployment_postman",
    ),
    path(W + "postman/collection/", snippets.workspace_postman, name="workspace_postman"),
    path(
        W + "postman/environment/",
        snippets.workspace_postman_environment,
        name="workspace_postman_environment",
    ),
    # Application access
    path(W + "access/", accesses.access_list, name="access_list"),
    path(W + "access/new/", accesses.access_create, name="access_create"),
    *import_routes(W + "access/import/", kind="accesses", name="access_import"),
    path(W + "access/<uuid:access>/", accesses.access_detail, name="access_detail"),
    path(W + "access/<uuid:access>/edit/", accesses.access_edit, name="access_edit"),
    path(W + "access/<uuid:access>/disable/", accesses.access_disable, name="access_disable"),
    path(W + "access/<uuid:access>/enable/", accesses.access_enable, name="access_enable"),
    path(W + "access/<uuid:access>/delete/", accesses.access_delete, name="access_delete"),
    path(W + "access/<uuid:access>/rotate/", accesses.access_rotate, name="access_rotate"),
    path(W + "access/<uuid:access>/reveal/", accesses.access_reveal, name="access_reveal"),
    # IAM credentials for token authentication
    path(W + "credentials/", credentials.credential_list, name="credential_list"),
    path(W + "credentials/new/", credentials.credential_create, name="credential_create"),
    path(W + "credentials/<uuid:cred>/edit/", credentials.credential_edit, name="credential_edit"),
    path(
        W + "credentials/<uuid:cred>/delete/",
        credentials.credential_delete,
        name="credential_delete",
    ),
    # Members and audit
    path(W + "members/", members.member_list, name="member_list"),
    path(W + "members/add/", members.member_add, name="member_add"),
    path(W + "members/<uuid:member>/role/", members.member_role, name="member_role"),
    path(W + "members/<uuid:member>/remove/", members.member_remove, name="member_remove"),
    path(W + "audit/", audit.audit_list, name="audit_list"),
]
