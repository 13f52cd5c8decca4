"""The health state machine: pure functions from probe answers to a deployment's state.

A *pass* probes every version a deployment serves once. Its verdict:

- no version could be judged (every credential was refused, or none is usable): unknown;
- every judged version failed: one more consecutive failure; down once there are
  ``down_after`` of them, degraded before that (it may be a blip);
- some versions failed: degraded, and the failure count starts again;
- all answered but one slower than ``slow_ms``: degraded;
- otherwise up.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from monitor.models import Health, ProbeOutcome

# Answers that speak of the credential, not of the deployment.
REFUSED_CODES = frozenset(
    {
        "APIG.0301",
        "APIG.0302",
        "APIG.0303",
        "APIG.0304",
        "APIG.0307",
        "IAM.401",
        "IAM.error",
        "portal.decrypt",
    }
)


def outcome_of(*, ok: bool, error_code: str, latency_ms: int | None, slow_ms: int) -> str:
    """One probe's outcome from its answer."""
    if ok:
        return ProbeOutcome.SLOW if (latency_ms or 0) > slow_ms else ProbeOutcome.OK
    return ProbeOutcome.REFUSED if error_code in REFUSED_CODES else ProbeOutcome.ERROR


@dataclass(frozen=True)
class VersionResult:
    version: str
    outcome: str
    error_code: str = ""
    status: int | None = None
    latency_ms: int | None = None


@dataclass(frozen=True)
class Verdict:
    state: str
    failures: int
    cause: str


def _describe(result: VersionResult) -> str:
    what = result.error_code or (f"HTTP {result.status}" if result.status else _("no answer"))
    if result.status and result.error_code:
        what = f"{what} (HTTP {result.status})"
    return f"{result.version.upper()}: {what}"


def judge(results: list[VersionResult], *, failures: int, slow_ms: int, down_after: int) -> Verdict:
    """The state after a pass, given the consecutive failures before it."""
    judged = [r for r in results if r.outcome != ProbeOutcome.REFUSED]
    if not judged:
        refused = [r for r in results if r.outcome == ProbeOutcome.REFUSED]
        if refused:
            cause = _("The platform refused the monitoring credential (%(what)s).") % {
                "what": ", ".join(_describe(r) for r in refused)
            }
        else:
            cause = _("Nothing was probed.")
        return Verdict(Health.UNKNOWN, failures, cause)
    failed = [r for r in judged if r.outcome == ProbeOutcome.ERROR]
    if len(failed) == len(judged):
        failures += 1
        what = ", ".join(_describe(r) for r in failed)
        if failures >= down_after:
            cause = ngettext(
                "Failed %(n)d pass in a row: %(what)s.",
                "Failed %(n)d passes in a row: %(what)s.",
                failures,
            ) % {"n": failures, "what": what}
            return Verdict(Health.DOWN, failures, cause)
        cause = _("Failed once (down after %(n)d in a row): %(what)s.") % {
            "n": down_after,
            "what": what,
        }
        return Verdict(Health.DEGRADED, failures, cause)
    if failed:
        cause = _("Some versions fail: %(what)s.") % {
            "what": ", ".join(_describe(r) for r in failed)
        }
        return Verdict(Health.DEGRADED, 0, cause)
    slow = [r for r in judged if r.outcome == ProbeOutcome.SLOW]
    if slow:
        cause = _("Slower than %(ms)d ms: %(what)s.") % {
            "ms": slow_ms,
            "what": ", ".join(f"{r.version.upper()} {r.latency_ms} ms" for r in slow),
        }
        return Verdict(Health.DEGRADED, 0, cause)
    return Verdict(Health.UP, 0, _("Every version answered."))


def alert_kind(old: str, new: str) -> str | None:
    """Which notification a change of state raises (healthchecks alerts on up/down only)."""
    if new == Health.DOWN and old != Health.DOWN:
        return "deployment_down"
    if old == Health.DOWN and new in (Health.UP, Health.DEGRADED):
        return "deployment_recovered"
    return None
