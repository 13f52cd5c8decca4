"""Notification channels of a workspace (admins only): list, add, edit, delete, test,
and each channel's deliveries with their results."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from accessportal.models import Role
from accessportal.scoping import workspace_view
from accessportal.views.common import CONFLICT, paginate, query_without_page
from alerts import services
from alerts.forms import ChannelForm
from alerts.models import OPEN_STATUSES, ChannelKind, DeliveryStatus

STATUS_FILTERS = {"failed": DeliveryStatus.FAILED, "pending": DeliveryStatus.PENDING}


def _channel(request: HttpRequest, code):
    return get_object_or_404(request.workspace.alert_channels, code=code)


@workspace_view(Role.ADMIN)
def channel_list(request: HttpRequest) -> HttpResponse:
    channels = request.workspace.alert_channels.annotate(
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        waiting=Count("deliveries", filter=Q(deliveries__status__in=OPEN_STATUSES)),
    )
    return render(
        request,
        "alerts/channel_list.html",
        {"channels": channels, "kinds": ChannelKind.choices},
    )


def _deliveries_context(request: HttpRequest, channel) -> dict:
    status = request.GET.get("status", "")
    deliveries = channel.deliveries.select_related("event")
    if status in STATUS_FILTERS:
        deliveries = deliveries.filter(status=STATUS_FILTERS[status])
    else:
        status = ""
    return {
        "channel": channel,
        "page": paginate(request, deliveries),
        "status": status,
        "query": query_without_page(request),
        "poll_query": request.GET.urlencode(),
        "open_count": channel.deliveries.filter(status__in=OPEN_STATUSES).count(),
        "failed_count": channel.deliveries.filter(status=DeliveryStatus.FAILED).count(),
    }


@workspace_view(Role.ADMIN)
def channel_detail(request: HttpRequest, channel) -> HttpResponse:
    channel = _channel(request, channel)
    return render(request, "alerts/channel_detail.html", _deliveries_context(request, channel))


@never_cache
@workspace_view(Role.ADMIN)
def channel_deliveries(request: HttpRequest, channel) -> HttpResponse:
    """The deliveries table alone: the channel page polls it while some are pending."""
    channel = _channel(request, channel)
    return render(request, "alerts/_deliveries.html", _deliveries_context(request, channel))


def _kind(request: HttpRequest) -> str | None:
    kind = request.GET.get("kind", ChannelKind.EMAIL)
    return kind if kind in ChannelKind.values else None


@sensitive_variables("secret")
def _saved(request: HttpRequest, form: ChannelForm, message: str) -> HttpResponse | None:
    try:
        channel, secret = services.save_channel(form=form, actor=request.user)
    except IntegrityError:
        form.add_error(None, CONFLICT)
        return None
    messages.success(request, message % {"name": channel.name})
    if secret:
        # Shown once, in this answer only; never stored in clear, never in a URL.
        response = render(
            request, "alerts/channel_secret.html", {"channel": channel, "secret": secret}
        )
        response["Cache-Control"] = "no-store"
        return response
    return redirect("alerts:channel_detail", ws=request.workspace.code, channel=channel.code)


def _form_page(request: HttpRequest, form: ChannelForm, message: str, **context) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        response = _saved(request, form, message)
        if response is not None:
            return response
    context.setdefault("kind_label", ChannelKind(form.kind).label)
    return render(request, "alerts/channel_form.html", {"form": form, "kind": form.kind, **context})


@sensitive_post_parameters("url", "secret")
@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def channel_create(request: HttpRequest) -> HttpResponse:
    kind = _kind(request)
    if kind is None:
        return redirect("alerts:channel_list", ws=request.workspace.code)
    form = ChannelForm(
        request.POST or None,
        workspace=request.workspace,
        kind=kind,
        language=get_language(),
        time_zone=timezone.get_current_timezone_name(),
    )
    return _form_page(request, form, gettext("Channel “%(name)s” added."))


@sensitive_post_parameters("url", "secret")
@workspace_view(Role.ADMIN, methods=("GET", "POST"))
def channel_edit(request: HttpRequest, channel) -> HttpResponse:
    channel = _channel(request, channel)
    form = ChannelForm(
        request.POST or None, workspace=request.workspace, kind=channel.kind, instance=channel
    )
    return _form_page(request, form, gettext("Channel “%(name)s” saved."), channel=channel)


@workspace_view(Role.ADMIN, methods=("POST",))
def channel_delete(request: HttpRequest, channel) -> HttpResponse:
    channel = _channel(request, channel)
    channel.delete()
    messages.success(request, gettext("Channel “%(name)s” deleted.") % {"name": channel.name})
    return redirect("alerts:channel_list", ws=request.workspace.code)


@workspace_view(Role.ADMIN, methods=("POST",))
def channel_test(request: HttpRequest, channel) -> HttpResponse:
    """Queue a test notification; the alerts process sends it within seconds and the
    channel page shows the result as it comes (a request never waits on a receiver)."""
    channel = _channel(request, channel)
    services.queue_test(channel=channel, actor=request.user)
    messages.info(
        request,
        gettext("Test notification queued for “%(name)s”; its result appears below.")
        % {"name": channel.name},
    )
    return redirect("alerts:channel_detail", ws=request.workspace.code, channel=channel.code)
