"""The API's one way to a workspace: the same rules as the pages (accessportal/scoping.py),
plus the token's scopes and restrictions. A token never has more rights than its user has
now: the membership is read on every call, so a demotion applies at once.

Each operation declares its rule with ``operation(...)``; the rule is enforced before the
handler runs and published in the schema as ``x-portal-access`` (the access tests read it
from there, so a route without a rule cannot land)."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from accessportal.models import ROLE_RANK, Membership, Role
from api.errors import ERRORS, WRITE_ERRORS, ApiError, not_found
from api.models import ApiToken, Scope


@dataclass(frozen=True)
class Rule:
    role: str | None  # None: not about a workspace
    scope: str


def authorize(request: HttpRequest, ws, rule: Rule) -> Membership:
    token: ApiToken = request.auth
    restricted = {str(code) for code in token.workspaces.values_list("code", flat=True)}
    if restricted and str(ws) not in restricted:
        raise not_found()
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user_id=token.user_id, workspace__code=ws)
        .first()
    )
    if membership is None:
        raise not_found()
    if ROLE_RANK[membership.role] < ROLE_RANK[rule.role]:
        raise ApiError(403, "role", _("Your role in this workspace does not allow this."))
    require_scope(token, rule.scope)
    return membership


def require_scope(token: ApiToken, scope: str) -> None:
    if scope not in token.scopes:
        raise ApiError(
            403, "scope", _("This token lacks the “%(scope)s” scope.") % {"scope": scope}
        )


def operation(
    router: Router,
    method: str,
    path: str,
    *,
    role: str | None,
    scope: str = Scope.READ,
    response=None,
    **kwargs,
) -> Callable:
    """Register an endpoint with its access rule. Endpoints under a workspace take the
    workspace code as ``ws`` and find the membership on ``request.membership``."""
    rule = Rule(role=role, scope=str(scope))
    responses = {**ERRORS, **(response if isinstance(response, dict) else {200: response})}
    if method in ("POST", "PATCH"):
        responses |= WRITE_ERRORS
    extra = kwargs.pop("openapi_extra", {}) | {
        "x-portal-access": {"role": str(role) if role else None, "scope": rule.scope}
    }

    def decorator(handler: Callable) -> Callable:
        @wraps(handler)
        def guarded(request: HttpRequest, *args, **kw):
            if rule.role is None:
                require_scope(request.auth, rule.scope)
            else:
                request.membership = authorize(request, kw["ws"], rule)
                request.workspace = request.membership.workspace
            return handler(request, *args, **kw)

        # Ninja reads the parameters from the wrapper: give it the handler's, with the
        # (postponed, string) annotations evaluated in the handler's own module.
        hints = typing.get_type_hints(handler, include_extras=True)
        signature = inspect.signature(handler)
        guarded.__signature__ = signature.replace(
            parameters=[
                p.replace(annotation=hints.get(p.name, p.annotation))
                for p in signature.parameters.values()
            ]
        )
        guarded.__annotations__ = hints
        guarded.api_rule = rule
        router.add_api_operation(
            path,
            [method],
            guarded,
            response=responses,
            openapi_extra=extra,
            operation_id=handler.__name__,
            url_name=handler.__name__,
            **kwargs,
        )
        return handler

    return decorator


ADMIN, MEMBER, VIEWER = Role.ADMIN, Role.MEMBER, Role.VIEWER
