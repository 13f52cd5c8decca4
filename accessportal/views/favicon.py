"""/favicon.ico: browsers and tools ask for it whatever a page links (a JSON answer, a
bookmark, a feed reader), so it answers with the portal's icon instead of a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accessportal.database_outage import database_not_required


@database_not_required
@login_not_required
@cache_control(max_age=86400, public=True)
@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Not permanent: the target is the static file's hashed name, which each release changes.
    return HttpResponseRedirect(static("img/favicon.ico"))
