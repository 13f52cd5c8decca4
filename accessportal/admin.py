"""The Django admin for superusers: every model listed, no secret ever shown.

The catalog is read-only here: every change goes through the dashboard, which validates
it and writes the audit row in the same transaction. Ciphertext columns are excluded
outright; the admin shows the mask. (Users themselves are managed in the admin.)
"""

from __future__ import annotations

from django.contrib import admin

from accessportal.models import (
    ApplicationAccess,
    AuditEvent,
    Deployment,
    IamCredential,
    Membership,
    Workspace,
)


class ReadOnly:
    """Lists and shows; adds, changes and deletes happen in the audited dashboard."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class MembershipInline(ReadOnly, admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "project_id", "created_at"]
    search_fields = ["name", "project_id"]
    readonly_fields = ["code"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "workspace", "role"]
    list_filter = ["role"]
    raw_id_fields = ["user", "workspace"]


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    list_display = ["name", "workspace", "model_name", "mode", "status", "source"]
    list_filter = ["mode", "status", "source"]
    search_fields = ["name", "model_name", "deployment_id"]
    readonly_fields = ["code"]
    list_select_related = ["workspace"]


@admin.register(ApplicationAccess)
class ApplicationAccessAdmin(ReadOnlyAdmin):
    list_display = ["name", "workspace", "all_services", "key_hint", "disabled", "expires_at"]
    list_filter = ["disabled", "all_services"]
    search_fields = ["name"]
    exclude = ["api_key_ciphertext", "last_check"]
    readonly_fields = ["code", "key_hint", "created_by", "last_used_at", "key_rotated_at"]
    filter_horizontal = ["deployments"]
    list_select_related = ["workspace"]


@admin.register(IamCredential)
class IamCredentialAdmin(ReadOnlyAdmin):
    list_display = ["name", "workspace", "iam_user", "domain_name", "project_name"]
    exclude = ["password_ciphertext"]
    readonly_fields = ["code", "created_by"]
    list_select_related = ["workspace"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "workspace", "actor_name", "action", "target", "ip"]
    list_filter = ["action"]
    search_fields = ["target", "actor_name", "summary"]
    list_select_related = ["workspace"]
