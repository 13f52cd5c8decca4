"""Application accesses: masked keys for everyone who may read the catalog; create,
update, rotate and delete for admins; the key itself only through the audited,
rate-limited secret fetch of a token with the *secrets* scope."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accessportal import services
from accessportal.clientip import client_ip
from accessportal.crypto import CryptoError
from accessportal.forms import AccessForm, RotateKeyForm
from accessportal.models import Deployment
from api import ratelimits
from api.acting import acting
from api.errors import ApiError, ErrorOut, conflict_as_409, form_error, not_found
from api.models import Scope
from api.paging import Page, PageQuery, page
from api.schemas import AccessCreateIn, AccessOut, AccessUpdateIn, QueryText, RotateIn
from api.scoping import ADMIN, VIEWER, operation

router = Router(tags=["application access"])
W = "/workspaces/{uuid:ws}"
A = W + "/accesses/{uuid:access}"


class AccessFilters(Schema):
    status: Literal["enabled", "disabled", "expired"] | None = None
    q: QueryText | None = Field(None, max_length=100, description="Name or description.")


def _accesses(request: HttpRequest):
    return request.workspace.accesses.select_related("created_by").prefetch_related(
        Prefetch("deployments", queryset=Deployment.objects.only("code", "workspace_id"))
    )


def _access(request: HttpRequest, code: UUID):
    found = _accesses(request).filter(code=code).first()
    if found is None:
        raise not_found()
    return found


@operation(router, "GET", W + "/accesses", role=VIEWER, response=Page[AccessOut])
def access_list(request: HttpRequest, ws: UUID, params: PageQuery, filters: Query[AccessFilters]):
    queryset = _accesses(request)
    now = timezone.now()
    if filters.status == "disabled":
        queryset = queryset.filter(disabled=True)
    elif filters.status == "expired":
        queryset = queryset.filter(disabled=False, expires_at__lte=now)
    elif filters.status == "enabled":
        queryset = queryset.usable()
    if filters.q:
        queryset = queryset.filter(
            Q(name__icontains=filters.q) | Q(description__icontains=filters.q)
        )
    return page(request, queryset.order_by("name", "id"), params)


@operation(router, "GET", A, role=VIEWER, response=AccessOut)
def access_detail(request: HttpRequest, ws: UUID, access: UUID):
    return _access(request, access)


def _form_data(request: HttpRequest, data: dict) -> dict:
    """The API's JSON as the access form's fields: deployments by code, scope by flag."""
    codes = data.pop("deployments", None)
    if codes is not None:
        found = dict(request.workspace.deployments.filter(code__in=codes).values_list("code", "pk"))
        unknown = [str(c) for c in codes if c not in found]
        if unknown:
            raise ApiError(
                422,
                "invalid",
                _("The request has invalid fields."),
                details={"deployments": [_("No such deployment: %s") % ", ".join(unknown)]},
            )
        data["deployments"] = [found[c] for c in codes]
    if "all_services" in data:
        data["scope"] = AccessForm.SCOPE_ALL if data.pop("all_services") else "selected"
    return data


def _saved(request: HttpRequest, form):
    if not form.is_valid():
        raise form_error(form)
    with conflict_as_409(), acting(request):
        return services.save_access(form=form, actor=request.user, ip=client_ip(request))


@sensitive_variables()
@operation(
    router, "POST", W + "/accesses", role=ADMIN, scope=Scope.WRITE, response={201: AccessOut}
)
def access_create(request: HttpRequest, ws: UUID, payload: AccessCreateIn):
    data = _form_data(request, payload.dict())
    form = AccessForm(data=data, workspace=request.workspace, with_key=True)
    return Status(201, _access(request, _saved(request, form).code))


@operation(router, "PATCH", A, role=ADMIN, scope=Scope.WRITE, response=AccessOut)
def access_update(request: HttpRequest, ws: UUID, access: UUID, payload: AccessUpdateIn):
    found = _access(request, access)
    changes = payload.dict(exclude_unset=True)
    disabled = changes.pop("disabled", None)
    current = {
        "name": found.name,
        "description": found.description,
        "expires_at": found.expires_at,
        "scope": AccessForm.SCOPE_ALL if found.all_services else "selected",
        "deployments": [d.pk for d in found.deployments.all()],
    }
    data = current | _form_data(request, changes)
    with transaction.atomic():
        if changes:
            form = AccessForm(
                data=data, instance=found, workspace=request.workspace, with_key=False
            )
            _saved(request, form)
        if disabled is not None and disabled != found.disabled:
            with acting(request):
                services.set_access_disabled(
                    access=found, disabled=disabled, actor=request.user, ip=client_ip(request)
                )
    return _access(request, access)


@sensitive_variables()
@operation(router, "POST", A + "/rotate", role=ADMIN, scope=Scope.WRITE, response=AccessOut)
def access_rotate(request: HttpRequest, ws: UUID, access: UUID, payload: RotateIn):
    found = _access(request, access)
    form = RotateKeyForm(data={"api_key": payload.api_key})
    if not form.is_valid():
        raise form_error(form)
    with acting(request):
        services.rotate_access_key(
            access=found,
            new_key=form.cleaned_data["api_key"],
            actor=request.user,
            ip=client_ip(request),
        )
    return _access(request, access)


@operation(router, "DELETE", A, role=ADMIN, scope=Scope.WRITE, response={204: None})
def access_delete(request: HttpRequest, ws: UUID, access: UUID):
    found = _access(request, access)
    with acting(request):
        services.delete_access(access=found, actor=request.user, ip=client_ip(request))
    return Status(204, None)


SECRET_RESPONSE = {
    "responses": {
        "200": {
            "description": _("The key itself, as plain text (no newline)."),
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    }
}


@sensitive_variables("key")
@operation(
    router,
    "GET",
    A + "/secret",
    role=ADMIN,
    scope=Scope.SECRETS,
    response={409: ErrorOut},
    openapi_extra=SECRET_RESPONSE,
)
def access_secret(request: HttpRequest, ws: UUID, access: UUID):
    """The decrypted key, for scripts: ``PANGU_API_KEY=$(curl -fsS -H "Authorization: Bearer
    $PORTAL_TOKEN" …/secret)``. Admins only (who may reveal it in the pages), with a token
    that has the *secrets* scope and, if it names accesses, names this one. Every fetch is
    audited with the token, user and address, and rate limited per token."""
    token = request.auth
    found = _access(request, access)
    allowed = set(token.accesses.values_list("pk", flat=True))
    if allowed and found.pk not in allowed:
        raise ApiError(403, "access_restricted", _("This token may not fetch this access's key."))
    ok, retry_after = ratelimits.allow_secret_fetch(token.pk)
    if not ok:
        raise ApiError(
            429,
            "throttled",
            _("Too many key fetches with this token; try again in %(s)s s.") % {"s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
    try:
        with acting(request):
            key = services.reveal_access_key(
                access=found, actor=request.user, ip=client_ip(request)
            )
    except CryptoError:
        raise ApiError(
            409, "undecryptable", _("The stored key cannot be decrypted with the current keys.")
        ) from None
    response = HttpResponse(key, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
