"""How a time is written on a page: in the reader's zone, saying which zone (pure).

``2026-11-29 16:20 UTC+08:00 (Asia/Shanghai)``, or ``2026-11-29 08:20 UTC`` in UTC.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

DATE = "%Y-%m-%d"
MINUTES = "%H:%M"
SECONDS = "%H:%M:%S"


def zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


def offset_label(local: datetime) -> str:
    """``UTC+08:00``, ``UTC-03:30``, or ``UTC`` for a zero offset."""
    offset = local.utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def zone_label(local: datetime) -> str:
    """The offset, and the zone's name when it is not plain UTC."""
    name = zone_name(local.tzinfo)
    offset = offset_label(local)
    return offset if name in ("UTC", "Etc/UTC") else f"{offset} ({name})"


def parts(value: datetime, zone: tzinfo, *, seconds: bool = False) -> tuple[str, str, str]:
    """(date, time, zone label) of an aware ``value`` seen in ``zone``."""
    local = value.astimezone(zone)
    return (
        local.strftime(DATE),
        local.strftime(SECONDS if seconds else MINUTES),
        zone_label(local),
    )


def absolute(value: datetime, zone: tzinfo, *, seconds: bool = False) -> str:
    return " ".join(parts(value, zone, seconds=seconds))
