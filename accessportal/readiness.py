"""Reports that apps above the catalog add to /readyz without the catalog importing them.

A report is informational (e.g. the age of the monitor's last pass): it never makes the
portal unready, because a web worker can serve pages while a separate process is down.
Each report returns a small JSON-safe dict of allowlisted fields, never a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_REPORTS: dict[str, Callable[[], dict]] = {}


def register_report(name: str, report: Callable[[], dict]) -> None:
    _REPORTS[name] = report


def run_reports() -> dict[str, dict]:
    results = {}
    for name, report in _REPORTS.items():
        try:
            results[name] = report()
        except Exception:  # a report must never break readiness; the reason is logged
            logger.exception("readyz: the %s report failed", name)
            results[name] = {"error": True}
    return results
