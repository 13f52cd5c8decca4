"""Sign-in and sign-out with the provider, the break-glass link, and the group mappings
page. The OpenID flow itself is mozilla-django-oidc's; these views add discovery, clear
failure pages and the fresh sign-in that unlocks a key reveal."""

from __future__ import annotations

import hashlib
import logging
import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc import views as oidc_views

from accessportal import audit, reauth
from accessportal.clientip import client_ip
from accessportal.models import AuditAction, Role
from accessportal.scoping import workspace_view
from sso import discovery
from sso.backends import AUTH_TIME_KEY
from sso.forms import GroupMappingForm
from sso.models import BreakGlassTicket, GroupMapping, SyncedMembership

logger = logging.getLogger(__name__)
REAUTH_KEY = "sso_reauth_requested_at"
REAUTH_WINDOW = 600  # a fresh sign-in must finish within this many seconds of asking


def enabled() -> bool:
    return bool(settings.PORTAL_OIDC_ISSUER)


def failed(request: HttpRequest, reason: str, status: int = 400) -> HttpResponse:
    return render(request, "sso/failed.html", {"reason": reason}, status=status)


class LoginView(auth_views.LoginView):
    """The sign-in page: the provider's button, and the password form unless it is off."""

    def post(self, request, *args, **kwargs):
        if not settings.PORTAL_LOCAL_LOGIN:
            return failed(request, _("Sign-in with a password is turned off here."), 403)
        return super().post(request, *args, **kwargs)


class AuthenticationRequest(oidc_views.OIDCAuthenticationRequestView):
    get_settings = staticmethod(discovery.endpoint_setting)

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        try:
            return super().dispatch(request, *args, **kwargs)
        except discovery.DiscoveryError as error:
            logger.warning("single sign-on unavailable: %s", error)
            return failed(request, _("The identity provider cannot be reached."), 502)

    def get_extra_params(self, request):
        if request.GET.get("reauth") == "1" and request.user.is_authenticated:
            # Confirming a reveal: a fresh sign-in at the provider, not a session of old.
            request.session[REAUTH_KEY] = int(time.time())
            return {"prompt": "login", "max_age": "0"}
        return {}


class AuthenticationCallback(oidc_views.OIDCAuthenticationCallbackView):
    get_settings = staticmethod(discovery.endpoint_setting)

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # A replayed or forged state, a token for another audience or issuer, an
            # expired token, a wrong nonce: refused, nothing changed.
            logger.warning("single sign-on refused: %s", error)
            return failed(request, _("The sign-in answer was not valid: %(why)s") % {"why": error})
        except (discovery.DiscoveryError, requests.RequestException) as error:
            logger.warning("single sign-on unavailable: %s", error)
            return failed(request, _("The identity provider cannot be reached."), 502)

    def login_failure(self):
        return failed(self.request, _("The identity provider did not sign you in."), 403)

    def login_success(self):
        response = super().login_success()
        session = self.request.session
        asked = session.pop(REAUTH_KEY, None)
        signed_in_at = session.get(AUTH_TIME_KEY) or 0
        if asked and time.time() - asked < REAUTH_WINDOW and signed_in_at >= asked - 5:
            reauth.mark_confirmed(self.request)
        return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out here, and at the provider where it supports RP-initiated logout."""
    id_token = request.session.get("oidc_id_token")
    destination = reverse(settings.LOGOUT_REDIRECT_URL)
    if enabled() and id_token:
        try:
            end_session = discovery.configuration().get("end_session_endpoint")
        except discovery.DiscoveryError:
            end_session = None
        if end_session:
            query = {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": request.build_absolute_uri(destination),
                "client_id": settings.OIDC_RP_CLIENT_ID,
            }
            destination = f"{end_session}?{urlencode(query)}"
    auth.logout(request)
    return HttpResponseRedirect(destination)


def _ticket(token: str):
    digest = hashlib.sha256(token.encode()).hexdigest()
    return BreakGlassTicket.objects.filter(
        digest=digest, used_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("user")


@require_http_methods(["GET", "HEAD", "POST"])
def break_glass(request: HttpRequest, token: str) -> HttpResponse:
    """A one-time link from ``manage.py sso_break_glass``: GET asks, POST signs in (link
    previews and prefetchers must not use it up)."""
    ticket = _ticket(token).first()
    if ticket is None or not (ticket.user.is_superuser and ticket.user.is_active):
        return failed(request, _("This break-glass link is unknown, used or expired."), 404)
    if request.method != "POST":
        return render(request, "sso/break_glass.html", {"ticket": ticket})
    if _ticket(token).filter(pk=ticket.pk).update(used_at=timezone.now()) != 1:
        return failed(request, _("This break-glass link is unknown, used or expired."), 404)
    backend = settings.AUTHENTICATION_BACKENDS[1]  # the password backend or its stand-in
    auth.login(request, ticket.user, backend=backend)
    logger.warning("break-glass sign-in of %s", ticket.user.get_username())
    return redirect(settings.LOGIN_REDIRECT_URL)


@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def mapping_list(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    form = GroupMappingForm(request.POST or None, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        mapping = form.save()
        audit.record(
            workspace=workspace,
            actor=request.user,
            action=AuditAction.SSO_MAPPING_ADD,
            target=mapping.group,
            summary=_("Role %(role)s") % {"role": mapping.role},
            ip=client_ip(request),
        )
        messages.success(
            request,
            _("Members of “%(group)s” get this workspace's %(role)s role at their next sign-in.")
            % {"group": mapping.group, "role": mapping.get_role_display()},
        )
        return redirect("sso:mapping_list", ws=workspace.code)
    synced = SyncedMembership.objects.filter(membership__workspace=workspace).select_related(
        "membership__user"
    )
    return render(
        request,
        "sso/mapping_list.html",
        {
            "form": form,
            "mappings": workspace.group_mappings.all(),
            "synced": synced,
            "section": "sso",
            "enabled": enabled(),
        },
        status=400 if form.errors else 200,
    )


@workspace_view(Role.ADMIN, methods=("POST",))
def mapping_delete(request: HttpRequest, mapping) -> HttpResponse:
    found = get_object_or_404(GroupMapping, workspace=request.workspace, code=mapping)
    audit.record(
        workspace=request.workspace,
        actor=request.user,
        action=AuditAction.SSO_MAPPING_REMOVE,
        target=found.group,
        summary=_("Role %(role)s") % {"role": found.role},
        ip=client_ip(request),
    )
    found.delete()
    messages.success(
        request, _("Mapping removed; memberships it gave go at each member's next sign-in.")
    )
    return redirect("sso:mapping_list", ws=request.workspace.code)
