from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from accessportal import services
from accessportal.clientip import client_ip
from accessportal.forms import IamCredentialForm
from accessportal.models import Role
from accessportal.scoping import workspace_view
from accessportal.views.common import saved


@workspace_view(Role.VIEWER)
def credential_list(request: HttpRequest) -> HttpResponse:
    credentials = request.workspace.iam_credentials.select_related("created_by")
    return render(request, "accessportal/credential_list.html", {"credentials": credentials})


def _form_view(request: HttpRequest, credential=None) -> HttpResponse:
    form = IamCredentialForm(request.POST or None, instance=credential, workspace=request.workspace)
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            credential := saved(
                form, services.save_credential, actor=request.user, ip=client_ip(request)
            )
        )
    ):
        messages.success(request, _("IAM credential “%(name)s” saved.") % {"name": credential.name})
        return redirect("accessportal:credential_list", ws=request.workspace.code)
    return render(
        request, "accessportal/credential_form.html", {"form": form, "credential": credential}
    )


@sensitive_post_parameters("password")
@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def credential_create(request: HttpRequest) -> HttpResponse:
    return _form_view(request)


@sensitive_post_parameters("password")
@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def credential_edit(request: HttpRequest, cred) -> HttpResponse:
    return _form_view(request, get_object_or_404(request.workspace.iam_credentials, code=cred))


@workspace_view(Role.ADMIN, methods=("POST",))
def credential_delete(request: HttpRequest, cred) -> HttpResponse:
    credential = get_object_or_404(request.workspace.iam_credentials, code=cred)
    services.delete_credential(credential=credential, actor=request.user, ip=client_ip(request))
    messages.success(request, _("IAM credential “%(name)s” deleted.") % {"name": credential.name})
    return redirect("accessportal:credential_list", ws=request.workspace.code)
