"""Import deployments or accesses in bulk: upload, preview, apply; and the templates.

The upload is kept server-side, encrypted, in a ``PendingImport`` (keys in an access
import never go back to the browser); the preview and *Apply* pages name it by its code.
Both check every row again from the stored file, so Apply writes exactly what the admin
last saw checked, against the catalog as it is at that moment."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from accessportal import bulk_import
from accessportal.bulk_import.kinds import DEPLOYMENTS
from accessportal.clientip import client_ip
from accessportal.crypto import DecryptionError
from accessportal.entry_forms import ImportUploadForm
from accessportal.models import PendingImport, Role
from accessportal.scoping import workspace_view
from accessportal.views.common import CONFLICT

PENDING_IMPORT_TTL = timedelta(hours=1)
LIST_URL = {DEPLOYMENTS: "accessportal:deployment_list", "accesses": "accessportal:access_list"}
URL_PREFIX = {
    DEPLOYMENTS: "accessportal:deployment_import",
    "accesses": "accessportal:access_import",
}


def _context(request: HttpRequest, kind: str, **extra) -> dict:
    return {
        "kind": bulk_import.KINDS[kind],
        "list_url_name": LIST_URL[kind],
        "url_prefix": URL_PREFIX[kind],
        "max_rows": bulk_import.MAX_ROWS,
        "max_mb": bulk_import.MAX_BYTES // (1024 * 1024),
        **extra,
    }


@sensitive_post_parameters("text")
@sensitive_variables()
@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, kind=bulk_import.KINDS[kind]
    )
    if request.method == "POST" and form.is_valid():
        stale = timezone.now() - PENDING_IMPORT_TTL
        request.workspace.pending_imports.filter(created_at__lt=stale).delete()
        pending = PendingImport(
            workspace=request.workspace,
            kind=kind,
            created_by=request.user,
            filename=form.cleaned_data["filename"],
        )
        pending.set_content(form.cleaned_data["content"])
        pending.save()
        return redirect(
            URL_PREFIX[kind] + "_preview", ws=request.workspace.code, upload=pending.code
        )
    return render(request, "accessportal/import_upload.html", _context(request, kind, form=form))


def _pending(request: HttpRequest, kind: str, code) -> PendingImport | None:
    """The admin's own upload of this kind, if it has not expired."""
    pending = get_object_or_404(
        request.workspace.pending_imports, code=code, kind=kind, created_by=request.user
    )
    return pending if pending.created_at >= timezone.now() - PENDING_IMPORT_TTL else None


@sensitive_variables()
def _check(request: HttpRequest, kind: str, pending: PendingImport):
    """The stored upload checked row by row, or None when it can no longer be read."""
    kind_spec = bulk_import.KINDS[kind]
    try:
        content = pending.content()
        table = bulk_import.read_table(
            content, kind_spec, fmt=bulk_import.files.detect_format(content, pending.filename)
        )
    except (DecryptionError, bulk_import.ImportFileError):
        return None
    return bulk_import.check_rows(table, kind_spec, request.workspace)


def _expired(request: HttpRequest, kind: str) -> HttpResponse:
    messages.error(request, _("That import has expired or can no longer be read: upload it again."))
    return redirect(URL_PREFIX[kind], ws=request.workspace.code)


def _preview_page(request, kind, pending, preview, *, status: int = 200) -> HttpResponse:
    context = _context(request, kind, pending=pending, preview=preview, counts=preview.counts())
    return render(request, "accessportal/import_preview.html", context, status=status)


@workspace_view(Role.ADMIN)
def import_preview(request: HttpRequest, kind: str, upload) -> HttpResponse:
    pending = _pending(request, kind, upload)
    preview = _check(request, kind, pending) if pending else None
    if preview is None:
        return _expired(request, kind)
    return _preview_page(request, kind, pending, preview)


@workspace_view(Role.ADMIN, methods=("POST",))
def import_apply(request: HttpRequest, kind: str, upload) -> HttpResponse:
    pending = _pending(request, kind, upload)
    preview = _check(request, kind, pending) if pending else None
    if preview is None:
        return _expired(request, kind)
    if not preview.ok:
        messages.error(request, _("Nothing was written: the rows below have problems."))
        return _preview_page(request, kind, pending, preview, status=400)
    try:
        counts = bulk_import.apply_rows(
            preview, actor=request.user, ip=client_ip(request), pending=pending
        )
    except IntegrityError:
        messages.error(request, CONFLICT)
        return _preview_page(request, kind, pending, preview, status=409)
    messages.success(
        request,
        _("Imported: %(create)s created, %(update)s updated, %(unchanged)s unchanged.") % counts,
    )
    return redirect(LIST_URL[kind], ws=request.workspace.code)


@workspace_view(Role.ADMIN)
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    spec = bulk_import.KINDS[kind]
    if fmt == "csv":
        body, content_type = spec.template_csv(), "text/csv; charset=utf-8"
    else:
        body, content_type = spec.template_json(), "application/json"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response
