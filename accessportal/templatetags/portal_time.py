"""Times on pages, always saying their zone (the reader's, activated per request).

``{{ value|when }}``          2026-11-29 16:20 UTC+08:00 (Asia/Shanghai)
``{{ value|when:"seconds" }}`` the same with seconds
``{{ value|when:"date" }}``    the date alone, the full time and zone on hover
``{{ value|ago }}``           "3 minutes ago", the full time and zone on hover and focus
Each is a ``<time>`` element whose ``datetime`` is the UTC instant.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.html import format_html

from accessportal import timefmt

register = template.Library()


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


@register.filter
def when(value: datetime | None, style: str = "") -> str:
    if not isinstance(value, datetime):
        return ""
    zone = timezone.get_current_timezone()
    date, clock, label = timefmt.parts(value, zone, seconds=style == "seconds")
    if style == "date":
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            _iso(value),
            timefmt.absolute(value, zone),
            date,
        )
    return format_html(
        '<time datetime="{}"><span>{}</span> <span>{}</span> <span class="tz">{}</span></time>',
        _iso(value),
        date,
        clock,
        label,
    )


@register.filter
def when_text(value: datetime | None) -> str:
    """The time and its zone as plain text, for an attribute (aria-label, title)."""
    if not isinstance(value, datetime):
        return ""
    return timefmt.absolute(value, timezone.get_current_timezone())


@register.filter
def ago(value: datetime | None) -> str:
    if not isinstance(value, datetime):
        return ""
    full = timefmt.absolute(value, timezone.get_current_timezone())
    # Focusable, so keyboard users reach the absolute time as well (locale.css shows the
    # title on focus); screen readers get it from the hidden text.
    return format_html(
        '<time datetime="{}" class="relative" title="{}" tabindex="0">{}'
        '<span class="visually-hidden"> ({})</span></time>',
        _iso(value),
        full,
        naturaltime(value),
        full,
    )
