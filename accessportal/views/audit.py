from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accessportal.forms import AuditFilterForm
from accessportal.models import Role
from accessportal.scoping import workspace_view
from accessportal.views.common import paginate, query_without_page


@workspace_view(Role.ADMIN)
def audit_list(request: HttpRequest) -> HttpResponse:
    events = request.workspace.audit_events.all()
    filters = AuditFilterForm(request.GET)
    if filters.is_valid() and filters.cleaned_data["action"]:
        events = events.filter(action=filters.cleaned_data["action"])
    return render(
        request,
        "accessportal/audit_list.html",
        {
            "page": paginate(request, events),
            "filters": filters,
            "query": query_without_page(request),
        },
    )
