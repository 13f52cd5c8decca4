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
    # Import in bulk: upload, template, preview, apply
    path(
        W + "deployments/import/",
        imports.import_upload,
        {"kind": "deployments"},
        name="deployment_import",
    ),
    path(
        W + "deployments/import/template.csv",
        imports.import_template,
        {"kind": "deployments", "fmt": "csv"},
        name="deployment_import_template_csv",
    ),
    path(
        W + "deployments/import/template.json",
        imports.import_template,
        {"kind": "deployments", "fmt": "json"},
        name="deployment_import_template_json",
    ),
    path(
        W + "deployments/import/<uuid:upload>/",
        imports.import_preview,
        {"kind": "deployments"},
        name="deployment_import_preview",
    ),
    path(
        W + "deployments/import/<uuid:upload>/apply/",
        imports.import_apply,
        {"kind": "deployments"},
        name="deployment_import_apply",
    ),
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
    # Import in bulk: upload, template, preview, apply
    path(W + "access/import/", imports.import_upload, {"kind": "accesses"}, name="access_import"),
    path(
        W + "access/import/template.csv",
        imports.import_template,
        {"kind": "accesses", "fmt": "csv"},
        name="access_import_template_csv",
    ),
    path(
        W + "access/import/template.json",
        imports.import_template,
        {"kind": "accesses", "fmt": "json"},
        name="access_import_template_json",
    ),
    path(
        W + "access/import/<uuid:upload>/",
        imports.import_preview,
        {"kind": "accesses"},
        name="access_import_preview",
    ),
    path(
        W + "access/import/<uuid:upload>/apply/",
        imports.import_apply,
        {"kind": "accesses"},
        name="access_import_apply",
    ),
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
