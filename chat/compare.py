"""Compare: the same conversation sent to up to three targets side by side.

The page only lays the columns out. Each column is one ordinary playground call that the
browser opens itself (``playground_send``), all at once: every check (membership, role,
running deployment, usable and covering key, rate limit, SSRF guard, byte cap, deadline,
history row) is the playground's own code, no key reaches the browser (targets are
chosen by code), and no stream waits for another, since each has its own request,
server thread and upstream connection.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accessportal.examples import example_body
from accessportal.models import Role
from accessportal.scoping import workspace_view
from chat.views import catalog_for_playground, replay_of

COLUMNS = 3  # side by side still readable on a laptop; each column is one test call


def compare_body(replayed: dict | None) -> str:
    """The conversation every column sends, streamed: the replayed call's body, else the
    example."""
    body = dict((replayed or {}).get("body") or example_body("v2"))
    body.pop("model", None)  # V2's model comes from each column's deployment
    body["stream"] = True
    return json.dumps(body, indent=2, ensure_ascii=False)


@workspace_view(Role.MEMBER)
def compare(request: HttpRequest) -> HttpResponse:
    replay = replay_of(request.workspace, request.GET.get("replay", ""))
    return render(
        request,
        "chat/compare.html",
        {
            "catalog": catalog_for_playground(request.workspace),
            "columns": range(1, COLUMNS + 1),
            "first": (replay or {}).get("deployment") or request.GET.get("deployment", ""),
            "body": compare_body(replay),
        },
    )
