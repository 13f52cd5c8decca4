from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import IntegrityError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, to keep them on pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


CONFLICT = _(
    "Someone saved a conflicting change at the same moment (a name already in use). "
    "Nothing was saved: check the form and save again."
)


def saved(form, service, **kwargs):
    """Run ``service(form=form, **kwargs)``; a database constraint that a concurrent
    change tripped (after the form's own checks passed) becomes a form error, not a 500.
    The service's transaction has rolled back by then."""
    try:
        return service(form=form, **kwargs)
    except IntegrityError:
        form.add_error(None, CONFLICT)
        return None


def warn_about_addresses(request: HttpRequest, saved_object) -> None:
    """After a save: say which of its addresses the current settings would refuse."""
    for warning in saved_object.address_warnings():
        messages.warning(request, warning)
