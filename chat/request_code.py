"""*View code* in the playground: the request on the form, as the deployment page's
snippets write it (curl, Python requests, the OpenAI SDK for V2, Node).

The browser posts the form as it would for *Send*; the same form and plan check it, so
the code shows exactly the call *Send* would make, before any call is made. Nothing is
sent and nothing counts against the rate limit. Secrets stay in the environment, as on
the deployment page: the snippets read them from ``$PANGU_API_KEY`` and friends.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from accessportal import snippets
from accessportal.models import Role
from accessportal.scoping import workspace_view
from chat.calls import CallPlan
from chat.forms import PlaygroundForm
from chat.views import _messages as error_messages


def code_for(plan: CallPlan) -> dict:
    """The plan's request in every language that can send it (no secret: env names)."""
    target = snippets.target_for(plan.deployment, plan.credential)
    tabs = snippets.request_snippets(target, plan.version, plan.auth_mode, plan.body)
    if plan.credential:
        note = _(
            "Nothing was sent. The code holds no secret: it uses the IAM token in $%(token)s "
            "if set, or gets one with the IAM password in $%(password)s."
        ) % {"token": snippets.AUTH_TOKEN_ENV, "password": snippets.IAM_PASSWORD_ENV}
    else:
        note = _(
            "Nothing was sent. The code holds no secret: set $%(key)s to the API key of "
            "%(access)s first."
        ) % {"key": snippets.API_KEY_ENV, "access": plan.access.name}
    return {
        "note": note,
        "stream": plan.stream,
        "tabs": [
            {
                "language": tab.language,
                "label": tab.label,
                "title": str(tab.snippets[0].variant.title),
                "id": tab.snippets[0].dom_id,
                "code": tab.snippets[0].code,
            }
            for tab in tabs
        ],
    }


@workspace_view(Role.MEMBER, methods=("POST",))
def playground_code(request: HttpRequest) -> JsonResponse:
    """The snippets of the form's request as JSON, or 400/404 with the form's errors."""
    form = PlaygroundForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    try:
        plan = form.plan(workspace=request.workspace, user=request.user)
    except ValidationError as error:
        return JsonResponse({"errors": error_messages(error)}, status=400)
    return JsonResponse(code_for(plan))
