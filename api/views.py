"""Pages for API tokens: your own on your profile, and, for admins, every token that
reaches their workspace."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accessportal.clientip import client_ip
from accessportal.models import Role
from accessportal.scoping import workspace_view
from api import services, tokens
from api.forms import TokenForm
from api.models import ApiToken


def _own_tokens(request: HttpRequest):
    return request.user.api_tokens.prefetch_related("workspaces")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        token, text = services.issue_token(form=form, user=request.user, ip=client_ip(request))
        # Rendered, not redirected: the text exists in this one answer and nowhere else.
        return render(request, "api/token_created.html", {"token": token, "text": text})
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "tokens": _own_tokens(request),
            "scanner_regex": tokens.SCANNER_REGEX,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def token_revoke(request: HttpRequest, token) -> HttpResponse:
    found = get_object_or_404(request.user.api_tokens, code=token)
    services.revoke_token(token=found, actor=request.user, ip=client_ip(request))
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": found.name})
    return redirect("api_tokens:token_list")


@workspace_view(Role.ADMIN)
def workspace_tokens(request: HttpRequest) -> HttpResponse:
    found = (
        ApiToken.objects.touching(request.workspace)
        .select_related("user")
        .order_by("user__username", "-created_at", "-id")
    )
    return render(request, "api/workspace_tokens.html", {"tokens": found, "section": "tokens"})


@workspace_view(Role.ADMIN, methods=("POST",))
def workspace_token_revoke(request: HttpRequest, token) -> HttpResponse:
    found = get_object_or_404(ApiToken.objects.touching(request.workspace), code=token)
    services.revoke_token(token=found, actor=request.user, ip=client_ip(request))
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": found.name})
    return redirect("api_tokens:workspace_tokens", ws=request.workspace.code)
