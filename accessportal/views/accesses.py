from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from accessportal import reauth, services
from accessportal.clientip import client_ip
from accessportal.crypto import DecryptionError
from accessportal.forms import AccessFilterForm, AccessForm, PasswordConfirmForm, RotateKeyForm
from accessportal.models import Deployment, Role
from accessportal.scoping import workspace_view
from accessportal.views.common import paginate, query_without_page, saved


@workspace_view(Role.VIEWER)
def access_list(request: HttpRequest) -> HttpResponse:
    accesses = request.workspace.accesses.select_related("created_by").prefetch_related(
        Prefetch("deployments", queryset=Deployment.objects.only("code", "name", "workspace_id"))
    )
    filters = AccessFilterForm(request.GET)
    return render(
        request,
        "accessportal/access_list.html",
        {
            "page": paginate(request, filters.apply(accesses)),
            "q": filters.value("q"),
            "scope": filters.value("scope"),
            "expiry": filters.value("expiry"),
            "sort": filters.value("sort"),
            "query": query_without_page(request),
        },
    )


def _access(request: HttpRequest, code):
    return get_object_or_404(request.workspace.accesses, code=code)


def _detail(request: HttpRequest, access, *, reveal_form=None, status: int = 200) -> HttpResponse:
    context = {
        "access": access,
        "deployments": access.deployments.all(),
        "reveal_form": reveal_form or PasswordConfirmForm(request=request),
        "reauth_fresh": reauth.recently_confirmed(request),
    }
    return render(request, "accessportal/access_detail.html", context, status=status)


@workspace_view(Role.VIEWER)
def access_detail(request: HttpRequest, access) -> HttpResponse:
    return _detail(request, _access(request, access))


@sensitive_variables("key")
def _warn_if_shared(request: HttpRequest, key: str, access) -> None:
    if services.key_registered_elsewhere(key, access=access, user=request.user):
        messages.warning(
            request,
            _(
                "This key is also registered in another application access of a workspace "
                "you belong to. Sharing one key makes it harder to rotate or revoke; the "
                "console can issue a key per application."
            ),
        )


@sensitive_post_parameters("api_key")
@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def access_create(request: HttpRequest) -> HttpResponse:
    form = AccessForm(request.POST or None, workspace=request.workspace, with_key=True)
    if (
        request.method == "POST"
        and form.is_valid()
        and (access := saved(form, services.save_access, actor=request.user, ip=client_ip(request)))
    ):
        messages.success(
            request, _("Application access “%(name)s” created.") % {"name": access.name}
        )
        _warn_if_shared(request, form.cleaned_data["api_key"], access)
        return redirect("accessportal:access_detail", ws=request.workspace.code, access=access.code)
    return render(request, "accessportal/access_form.html", {"form": form})


@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def access_edit(request: HttpRequest, access) -> HttpResponse:
    access = _access(request, access)
    form = AccessForm(
        request.POST or None, instance=access, workspace=request.workspace, with_key=False
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(form, services.save_access, actor=request.user, ip=client_ip(request))
    ):
        messages.success(request, _("Application access “%(name)s” saved.") % {"name": access.name})
        return redirect("accessportal:access_detail", ws=request.workspace.code, access=access.code)
    return render(request, "accessportal/access_form.html", {"form": form, "access": access})


def _set_disabled(request: HttpRequest, code, *, disabled: bool) -> HttpResponse:
    access = _access(request, code)
    services.set_access_disabled(
        access=access, disabled=disabled, actor=request.user, ip=client_ip(request)
    )
    done = (
        _("Application access “%(name)s” disabled.")
        if disabled
        else _("Application access “%(name)s” enabled.")
    )
    messages.success(request, done % {"name": access.name})
    return redirect("accessportal:access_detail", ws=request.workspace.code, access=access.code)


@workspace_view(Role.ADMIN, methods=("POST",))
def access_disable(request: HttpRequest, access) -> HttpResponse:
    return _set_disabled(request, access, disabled=True)


@workspace_view(Role.ADMIN, methods=("POST",))
def access_enable(request: HttpRequest, access) -> HttpResponse:
    return _set_disabled(request, access, disabled=False)


@workspace_view(Role.ADMIN, methods=("POST",))
def access_delete(request: HttpRequest, access) -> HttpResponse:
    access = _access(request, access)
    services.delete_access(access=access, actor=request.user, ip=client_ip(request))
    messages.success(request, _("Application access “%(name)s” deleted.") % {"name": access.name})
    return redirect("accessportal:access_list", ws=request.workspace.code)


@sensitive_post_parameters("api_key")
@sensitive_variables("new_key")
@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def access_rotate(request: HttpRequest, access) -> HttpResponse:
    access = _access(request, access)
    form = RotateKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_key = form.cleaned_data["api_key"]
        services.rotate_access_key(
            access=access, new_key=new_key, actor=request.user, ip=client_ip(request)
        )
        messages.success(
            request,
            _("Key of “%(name)s” rotated; it now ends in %(end)s.")
            % {"name": access.name, "end": access.key_hint[-3:]},
        )
        _warn_if_shared(request, new_key, access)
        return redirect("accessportal:access_detail", ws=request.workspace.code, access=access.code)
    return render(request, "accessportal/access_rotate.html", {"form": form, "access": access})


@never_cache
@sensitive_post_parameters("password")
@sensitive_variables("key")
@workspace_view(Role.ADMIN, methods=("POST",))
def access_reveal(request: HttpRequest, access) -> HttpResponse:
    """Show the key once, to an admin who confirmed their password in the last minutes."""
    access = _access(request, access)
    if not reauth.recently_confirmed(request):
        form = PasswordConfirmForm(request.POST, request=request)
        if not form.is_valid():
            return _detail(request, access, reveal_form=form, status=403)
        reauth.mark_confirmed(request)
    try:
        key = services.reveal_access_key(access=access, actor=request.user, ip=client_ip(request))
    except DecryptionError:
        messages.error(
            request,
            _(
                "The stored key cannot be decrypted with the configured encryption keys. "
                "Ask the operator to check PORTAL_ENCRYPTION_KEYS, or rotate the key."
            ),
        )
        return redirect("accessportal:access_detail", ws=request.workspace.code, access=access.code)
    response = render(request, "accessportal/access_reveal.html", {"access": access, "key": key})
    response["Cache-Control"] = "no-store"
    return response
