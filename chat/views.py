from __future__ import annotations

import json
import uuid
from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accessportal.examples import example_body
from accessportal.models import Role
from accessportal.scoping import workspace_view
from accessportal.views.common import paginate, query_without_page
from chat import ratelimit
from chat.bodies import NUMBERS_BY_VERSION
from chat.calls import CallRun, policy_from_settings
from chat.exports import csv_lines
from chat.forms import ACCESS, CREDENTIAL, PlaygroundForm, TestCallFilterForm
from chat.hints import hint_for
from chat.loading import membership_with_call
from chat.models import Origin, Outcome, TestCall
from chat.relay import sse_response


def catalog_for_playground(workspace) -> dict:
    """What the page's script needs to offer only valid choices (no secrets)."""
    accesses = workspace.accesses.usable().prefetch_related("deployments")
    return {
        "deployments": [
            {
                "code": str(d.code),
                "name": d.name,
                "versions": list(d.versions),
                "callable": d.is_callable,
                "reason": str(d.not_callable_reason),
                "model": d.model_name,
            }
            for d in workspace.deployments.all()
        ],
        "accesses": [
            {
                "value": f"{ACCESS}:{a.code}",
                "label": f"{a.name} ({a.key_hint})",
                "all": a.all_services,
                "deployments": [str(d.code) for d in a.deployments.all()],
            }
            for a in accesses
        ],
        "credentials": [
            {"value": f"{CREDENTIAL}:{c.code}", "label": f"IAM {c.name} ({c.iam_user})"}
            for c in workspace.iam_credentials.all()
        ],
        "examples": {"v1": example_body("v1"), "v2": example_body("v2")},
        "ranges": {
            version: {name: asdict(allowed) for name, allowed in numbers.items()}
            for version, numbers in NUMBERS_BY_VERSION.items()
        },
    }


def replay_of(workspace, code: str) -> dict | None:
    """What the playground preselects to make a past call again: the choices by code and
    the body as it was sent (without V2's catalog-set ``model``). None for a code that is
    not a call of this workspace."""
    try:
        call = workspace.test_calls.get(code=uuid.UUID(code))
    except (ValueError, TestCall.DoesNotExist):
        return None
    auth = ""
    if call.access_id:
        auth = f"{ACCESS}:{call.access.code}"
    elif call.credential_id:
        auth = f"{CREDENTIAL}:{call.credential.code}"
    body = dict(call.request_body) if isinstance(call.request_body, dict) else None
    if body is not None:
        body.pop("model", None)
        if body.get("stream_options") == {"include_usage": True}:
            body.pop("stream_options")  # added by the portal for V2 streams
    return {
        "deployment": str(call.deployment.code) if call.deployment_id else "",
        "version": call.api_version,
        "auth": auth,
        "body": body,
    }


@workspace_view(Role.MEMBER)
def playground(request: HttpRequest) -> HttpResponse:
    replay = replay_of(request.workspace, request.GET.get("replay", ""))
    body = (replay or {}).get("body") or example_body("v1")
    return render(
        request,
        "chat/playground.html",
        {
            "catalog": catalog_for_playground(request.workspace),
            "selected": (replay or {}).get("deployment") or request.GET.get("deployment", ""),
            "replay": replay,
            "example": json.dumps(body, indent=2, ensure_ascii=False),
        },
    )


@sensitive_variables()
@workspace_view(Role.MEMBER, methods=("POST",), load=membership_with_call)
def playground_send(request: HttpRequest) -> HttpResponse:
    """Answer the test call as an SSE stream, or 400/404/429 JSON before it starts."""
    form = PlaygroundForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    try:
        plan = form.plan(
            workspace=request.workspace,
            user=request.user,
            loaded=getattr(request.membership, "call", None),
        )
    except ValidationError as error:
        return JsonResponse({"errors": _messages(error)}, status=400)
    allowed, retry_after = ratelimit.allow(request.user.pk, settings.PORTAL_PLAYGROUND_RATE_LIMIT)
    if not allowed:
        response = JsonResponse(
            {
                "errors": {
                    "__all__": [
                        {
                            "message": _(
                                "You reached %(limit)s test calls a minute. "
                                "Try again in %(seconds)s s."
                            )
                            % {
                                "limit": settings.PORTAL_PLAYGROUND_RATE_LIMIT,
                                "seconds": retry_after,
                            }
                        }
                    ]
                }
            },
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        return response
    return sse_response(CallRun(plan, policy_from_settings()), request)


def _messages(error: ValidationError) -> dict:
    return {
        field: [{"message": m} for m in messages_]
        for field, messages_ in error.message_dict.items()
    }


@workspace_view(Role.VIEWER)
def testcall_list(request: HttpRequest) -> HttpResponse:
    filters = TestCallFilterForm(request.GET)
    calls = filters.apply(request.workspace.test_calls.all())
    page = paginate(request, calls)
    for call in page.object_list:
        # The plain sentence goes before the code, as in the playground.
        call.hint = hint_for(call.error_code, call.status_code) if call.error_code else ""
    return render(
        request,
        "chat/testcall_list.html",
        {
            "page": page,
            "filters": filters.values(),
            "deployment_names": _distinct(request.workspace, "deployment_name"),
            "auth_labels": _distinct(request.workspace, "auth_label"),
            "outcomes": Outcome.choices,
            "origins": Origin.choices,
            "query": query_without_page(request),
            "filtered": bool(filters.chosen()),
        },
    )


def _distinct(workspace, column: str) -> list[str]:
    return sorted(set(workspace.test_calls.values_list(column, flat=True).distinct()))


@workspace_view(Role.VIEWER)
def testcall_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered history as CSV, written row by row (no size limit in memory)."""
    calls = TestCallFilterForm(request.GET).apply(request.workspace.test_calls.all())
    response = StreamingHttpResponse(
        csv_lines(calls.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="test-calls-{stamp}.csv"'
    return response


@workspace_view(Role.VIEWER)
def testcall_detail(request: HttpRequest, call) -> HttpResponse:
    call = get_object_or_404(
        request.workspace.test_calls.select_related("deployment", "access", "credential"),
        code=call,
    )
    call.hint = hint_for(call.error_code, call.status_code) if call.error_code else ""
    body = call.request_body
    return render(
        request,
        "chat/testcall_detail.html",
        {
            "call": call,
            "headers": sorted(call.request_headers.items()),
            "body": json.dumps(body, indent=2, ensure_ascii=False) if body is not None else "",
            "can_replay": request.membership.can_test,
        },
    )
