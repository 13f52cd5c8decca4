"""The state machine and probe outcomes, as tables (pure functions)."""

from __future__ import annotations

import pytest

from monitor.health import VersionResult, alert_kind, judge, outcome_of

OK, SLOW, ERR, REF = "ok", "slow", "error", "refused"


@pytest.mark.parametrize(
    ("ok", "code", "latency", "expected"),
    [
        (True, "", 100, OK),
        (True, "", 5001, SLOW),
        (True, "", None, OK),
        (False, "APIG.0201", 10, ERR),
        (False, "PANGU.3259", 10, ERR),
        (False, "upstream.read_timeout", 10000, ERR),
        (False, "APIG.0303", 10, REF),
        (False, "APIG.0304", 10, REF),
        (False, "IAM.401", 10, REF),
        (False, "portal.decrypt", 0, REF),
    ],
)
def test_outcome_of_one_probe(ok, code, latency, expected):
    assert outcome_of(ok=ok, error_code=code, latency_ms=latency, slow_ms=5000) == expected


def r(version, outcome, code="", status=None, latency=100):
    return VersionResult(version, outcome, code, status, latency)


@pytest.mark.parametrize(
    ("results", "failures", "state", "failures_after", "cause_has"),
    [
        ([r("v1", OK), r("v2", OK)], 0, "up", 0, "Every version answered"),
        ([r("v1", OK), r("v2", OK)], 5, "up", 0, "Every version answered"),
        ([r("v1", SLOW, latency=7000)], 0, "degraded", 0, "V1 7000 ms"),
        (
            [r("v1", OK), r("v2", ERR, "APIG.0101", 404)],
            0,
            "degraded",
            0,
            "V2: APIG.0101 (HTTP 404)",
        ),
        ([r("v1", ERR, "APIG.0201", 502)], 0, "degraded", 1, "down after 2"),
        ([r("v1", ERR, "APIG.0201", 502)], 1, "down", 2, "2 passes in a row"),
        ([r("v1", ERR), r("v2", ERR)], 3, "down", 4, "4 passes"),
        ([r("v1", ERR, "", None)], 1, "down", 2, "no answer"),
        ([r("v1", REF, "APIG.0303", 401)], 1, "unknown", 1, "refused the monitoring credential"),
        ([r("v1", REF, "APIG.0303"), r("v2", ERR, "APIG.0201", 502)], 1, "down", 2, "V2"),
        ([], 0, "unknown", 0, "Nothing was probed"),
    ],
)
def test_judge(results, failures, state, failures_after, cause_has):
    verdict = judge(results, failures=failures, slow_ms=5000, down_after=2)
    assert (verdict.state, verdict.failures) == (state, failures_after)
    assert cause_has in verdict.cause


def test_down_after_is_a_setting():
    results = [r("v1", ERR, "APIG.0201", 502)]
    assert judge(results, failures=1, slow_ms=1, down_after=3).state == "degraded"
    assert judge(results, failures=2, slow_ms=1, down_after=3).state == "down"
    assert judge(results, failures=0, slow_ms=1, down_after=1).state == "down"


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("up", "down", "deployment_down"),
        ("degraded", "down", "deployment_down"),
        ("unknown", "down", "deployment_down"),
        ("down", "up", "deployment_recovered"),
        ("down", "degraded", "deployment_recovered"),
        ("down", "unknown", None),
        ("up", "degraded", None),
        ("unknown", "up", None),
        ("down", "down", None),
    ],
)
def test_which_changes_alert(old, new, kind):
    assert alert_kind(old, new) == kind
