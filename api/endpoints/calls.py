"""Test calls through the API: the playground's checks and client, answered as JSON or
as the playground's own event stream (``Accept: text/event-stream``)."""

from __future__ import annotations

import json
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from api import ratelimits
from api.errors import ApiError, not_found
from api.models import Scope
from api.schemas import TestCallIn, TestCallResultOut
from api.scoping import MEMBER, operation
from chat.calls import CallRun, policy_from_settings, record
from chat.disconnects import client_socket, watching
from chat.forms import ACCESS, CREDENTIAL, PlaygroundForm
from chat.models import Origin
from chat.relay import sse_response

router = Router(tags=["test calls"])
W = "/workspaces/{uuid:ws}"

STREAM_DOC = {
    "description": _(
        "With Accept: text/event-stream the answer is the playground's event stream "
        "(events start, status, reasoning, delta, usage, error, end) instead of JSON."
    )
}


def _plan(request: HttpRequest, dep: UUID, payload: TestCallIn):
    if not request.workspace.deployments.filter(code=dep).exists():
        raise not_found()
    if (payload.access is None) == (payload.credential is None):
        raise ApiError(
            422,
            "invalid",
            _("The request has invalid fields."),
            details={"access": [_("Name exactly one of access or credential.")]},
        )
    auth = f"{ACCESS}:{payload.access}" if payload.access else f"{CREDENTIAL}:{payload.credential}"
    form = PlaygroundForm(
        data={
            "deployment": str(dep),
            "version": payload.version,
            "auth": auth,
            "body": json.dumps(payload.body),
        }
    )
    if not form.is_valid():
        raise ApiError(
            422,
            "invalid",
            _("The request has invalid fields."),
            details={k: [str(m) for m in v] for k, v in form.errors.items()},
        )
    try:
        plan = form.plan(workspace=request.workspace, user=request.user)
    except ValidationError as error:
        raise ApiError(
            422,
            "not_callable",
            _("This call cannot be made."),
            details={k: [str(m) for m in v] for k, v in error.message_dict.items()},
        ) from None
    plan.origin = Origin.API
    return plan


def run_to_end(run: CallRun, request: HttpRequest) -> dict:
    """Consume the call's events, record it, and sum it up as one JSON answer. A caller
    that hangs up meanwhile stops the upstream call, as in the playground."""
    texts: dict[int, list[str]] = {}
    thoughts: dict[int, list[str]] = {}
    usage = error = None
    end: dict = {}
    with watching(client_socket(request.META), run.cancellation.cancel):
        for name, data in run.events():
            if name == "delta":
                texts.setdefault(data["index"], []).append(data["text"])
            elif name == "reasoning":
                thoughts.setdefault(data["index"], []).append(data["text"])
            elif name == "usage":
                usage = data
            elif name == "error":
                error = data
            elif name == "end":
                end = data
    call = record(run, aborted=run.cancellation.cancelled)
    return {
        "test_call": call.code,
        "status": end.get("status"),
        "outcome": end.get("outcome", call.outcome),
        "latency_ms": end.get("latency_ms"),
        "ttft_ms": end.get("ttft_ms"),
        "finish_reason": end.get("finish_reason"),
        "text": "".join(texts.get(0, [])),
        # A reasoning model's thoughts (first choice), apart from the reply; None when the
        # model sent none, so "no reasoning" and "empty reasoning" are not confused.
        "reasoning_content": "".join(thoughts[0]) if 0 in thoughts else None,
        "usage": usage,
        "error": error,
    }


@operation(
    router,
    "POST",
    W + "/deployments/{uuid:dep}/test",
    role=MEMBER,
    scope=Scope.WRITE,
    response=TestCallResultOut,
    openapi_extra=STREAM_DOC,
)
def deployment_test(request: HttpRequest, ws: UUID, dep: UUID, payload: TestCallIn):
    """Make a test call as the playground does: the portal sends the key, you never see it."""
    plan = _plan(request, dep, payload)
    ok, retry_after = ratelimits.allow_test_call(request.user.pk)
    if not ok:
        raise ApiError(
            429,
            "throttled",
            _("Too many test calls; try again in %(s)s s.") % {"s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
    run = CallRun(plan, policy_from_settings())
    if "text/event-stream" in request.headers.get("Accept", ""):
        return sse_response(run, request)
    return run_to_end(run, request)
