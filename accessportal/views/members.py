from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accessportal import services
from accessportal.clientip import client_ip
from accessportal.forms import MemberAddForm, MemberRoleForm
from accessportal.models import Role
from accessportal.scoping import workspace_view


def _render(request: HttpRequest, add_form: MemberAddForm, status: int = 200) -> HttpResponse:
    memberships = request.workspace.memberships.select_related("user")
    return render(
        request,
        "accessportal/member_list.html",
        {"memberships": memberships, "add_form": add_form, "roles": Role.choices},
        status=status,
    )


@workspace_view(Role.VIEWER)
def member_list(request: HttpRequest) -> HttpResponse:
    return _render(request, MemberAddForm(workspace=request.workspace))


@workspace_view(Role.ADMIN, methods=("POST",))
def member_add(request: HttpRequest) -> HttpResponse:
    form = MemberAddForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return _render(request, form, status=400)
    services.add_member(
        workspace=request.workspace,
        user=form.cleaned_data["user"],
        role=form.cleaned_data["role"],
        actor=request.user,
        ip=client_ip(request),
    )
    messages.success(request, _("%(name)s added.") % {"name": form.cleaned_data["username"]})
    return redirect("accessportal:member_list", ws=request.workspace.code)


def _membership(request: HttpRequest, code):
    return get_object_or_404(request.workspace.memberships.select_related("user"), code=code)


@workspace_view(Role.ADMIN, methods=("POST",))
def member_role(request: HttpRequest, member) -> HttpResponse:
    membership = _membership(request, member)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose admin, member or viewer."))
    else:
        try:
            services.change_member_role(
                membership=membership,
                role=form.cleaned_data["role"],
                actor=request.user,
                ip=client_ip(request),
            )
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": membership.user.username, "role": membership.get_role_display()},
            )
        except services.LastAdminError as error:
            messages.error(
                request, _("%(error)s Make someone else admin first.") % {"error": error}
            )
    return redirect("accessportal:member_list", ws=request.workspace.code)


@workspace_view(Role.ADMIN, methods=("POST",))
def member_remove(request: HttpRequest, member) -> HttpResponse:
    membership = _membership(request, member)
    try:
        services.remove_member(membership=membership, actor=request.user, ip=client_ip(request))
        messages.success(request, _("%(name)s removed.") % {"name": membership.user.username})
    except services.LastAdminError as error:
        messages.error(request, _("%(error)s Make someone else admin first.") % {"error": error})
    return redirect("accessportal:member_list", ws=request.workspace.code)
