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


# What a cause can say; the words are written by ``cause_text``, in the reader's language.
# These names are stored with the health row and its events: renaming one leaves the
# stored rows to fall back to the text written when they were judged.
NOTHING = "nothing"
REFUSED = "refused"
FAILING = "failing"
DOWN = "down"
SOME_FAIL = "some_fail"
SLOW = "slow"
ANSWERED = "answered"
KINDS = frozenset({NOTHING, REFUSED, FAILING, DOWN, SOME_FAIL, SLOW, ANSWERED})


@dataclass(frozen=True)
class Cause:
    """Why a deployment is in its state, without words, so that a notification channel
    and a page each write it in their own language. ``n`` is the number the text tells
    (passes in a row, or the slow limit in ms); ``versions`` the versions it names."""

    kind: str
    n: int = 0
    versions: tuple[VersionResult, ...] = ()


@dataclass(frozen=True)
class Verdict:
    state: str
    failures: int
    cause: Cause | str  # a str is a cause already in words (from outside the judge)


def _describe(result: VersionResult) -> str:
    what = result.error_code or (f"HTTP {result.status}" if result.status else _("no answer"))
    if result.status and result.error_code:
        what = f"{what} (HTTP {result.status})"
    return f"{result.version.upper()}: {what}"


def cause_text(cause: Cause | str) -> str:
    """The cause in the active language. A cause already in words (the catalog's reason a
    deployment is not running, why it is not monitored) was written in the portal's default
    language; when it is one of the portal's own texts it is read in the active one."""
    if isinstance(cause, str):
        return _(cause)
    what = ", ".join(_describe(r) for r in cause.versions)
    if cause.kind == REFUSED:
        return _("The platform refused the monitoring credential (%(what)s).") % {"what": what}
    if cause.kind == DOWN:
        return ngettext(
            "Failed %(n)d pass in a row: %(what)s.",
            "Failed %(n)d passes in a row: %(what)s.",
            cause.n,
        ) % {"n": cause.n, "what": what}
    if cause.kind == FAILING:
        return _("Failed once (down after %(n)d in a row): %(what)s.") % {
            "n": cause.n,
            "what": what,
        }
    if cause.kind == SOME_FAIL:
        return _("Some versions fail: %(what)s.") % {"what": what}
    if cause.kind == SLOW:
        return _("Slower than %(ms)d ms: %(what)s.") % {
            "ms": cause.n,
            "what": ", ".join(f"{r.version.upper()} {r.latency_ms} ms" for r in cause.versions),
        }
    if cause.kind == NOTHING:
        return _("Nothing was probed.")
    return _("Every version answered.")


def cause_data(cause: Cause | str) -> dict:
    """The cause as stored (JSON); empty for a cause already in words."""
    if isinstance(cause, str):
        return {}
    return {
        "kind": cause.kind,
        "n": cause.n,
        "versions": [
            [r.version, r.outcome, r.error_code, r.status, r.latency_ms] for r in cause.versions
        ],
    }


def cause_of(data: dict) -> Cause | None:
    """The stored cause back; None for rows stored before causes were kept without words
    (or of a kind no longer known)."""
    if data.get("kind") not in KINDS:
        return None
    return Cause(data["kind"], data["n"], tuple(VersionResult(*v) for v in data["versions"]))


def stored_cause(text: str, data: dict) -> str:
    """A stored cause in the active language, else the text written when it was judged
    (itself read in the active language when it is one of the portal's own texts)."""
    cause = cause_of(data)
    return cause_text(text if cause is None else cause)


def judge(results: list[VersionResult], *, failures: int, slow_ms: int, down_after: int) -> Verdict:
    """The state after a pass, given the consecutive failures before it."""
    judged = [r for r in results if r.outcome != ProbeOutcome.REFUSED]
    if not judged:
        refused = tuple(r for r in results if r.outcome == ProbeOutcome.REFUSED)
        cause = Cause(REFUSED, versions=refused) if refused else Cause(NOTHING)
        return Verdict(Health.UNKNOWN, failures, cause)
    failed = tuple(r for r in judged if r.outcome == ProbeOutcome.ERROR)
    if len(failed) == len(judged):
        failures += 1
        if failures >= down_after:
            return Verdict(Health.DOWN, failures, Cause(DOWN, failures, failed))
        return Verdict(Health.DEGRADED, failures, Cause(FAILING, down_after, failed))
    if failed:
        return Verdict(Health.DEGRADED, 0, Cause(SOME_FAIL, versions=failed))
    slow = tuple(r for r in judged if r.outcome == ProbeOutcome.SLOW)
    if slow:
        return Verdict(Health.DEGRADED, 0, Cause(SLOW, slow_ms, slow))
    return Verdict(Health.UP, 0, Cause(ANSWERED))


def alert_kind(old: str, new: str) -> str | None:
    """Which notification a change of state raises (healthchecks alerts on up/down only)."""
    if new == Health.DOWN and old != Health.DOWN:
        return "deployment_down"
    if old == Health.DOWN and new in (Health.UP, Health.DEGRADED):
        return "deployment_recovered"
    return None
