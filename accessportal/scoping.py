"""The one way a view reaches a workspace: through the request's user and role.

Outsiders get 404 for everything of a workspace they are not in (its existence is not
theirs to learn); members whose role is too low get 403. Each decorated view carries an
``access_rule`` so the test suite can check every URL pattern against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _

from accessportal.models import Membership, Role


@dataclass(frozen=True)
class AccessRule:
    min_role: str
    methods: tuple[str, ...]


def get_membership(user, workspace_code) -> Membership:
    """The user's membership of the workspace, or 404."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__code=workspace_code)
        .order_by()  # one at most; the default ordering by user name would join auth_user
        .first()
    )
    if membership is None:
        raise Http404("No such workspace.")
    return membership


def _membership_of(request: HttpRequest, ws) -> Membership:
    return get_membership(request.user, ws)


def workspace_view(
    min_role: str = Role.VIEWER,
    methods: tuple[str, ...] = ("GET",),
    load: Callable[[HttpRequest, object], Membership] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve the ``ws`` URL argument into ``request.workspace`` for a member with
    at least ``min_role``; answer 405 for any other method than ``methods``.

    ``load(request, ws)``: a view on a hot path may load the membership together with
    what it acts on, in one query (chat/loading.py); it must raise 404 as
    ``get_membership`` does. The role is checked here either way."""
    allowed = tuple(m.upper() for m in methods)
    if "GET" in allowed and "HEAD" not in allowed:
        allowed += ("HEAD",)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, ws, *args, **kwargs) -> HttpResponse:
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            membership = (load or _membership_of)(request, ws)
            # Set before the role check: the 403 page links back to this workspace.
            request.membership = membership
            request.workspace = membership.workspace
            if not membership.has_role(min_role):
                raise PermissionDenied(_("Your role in this workspace does not allow this."))
            return view(request, *args, **kwargs)

        wrapper.access_rule = AccessRule(min_role=min_role, methods=allowed)
        return wrapper

    return decorator
