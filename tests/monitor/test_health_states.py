"""The state machine and probe outcomes, as tables (pure functions)."""

from __future__ import annotations

import pytest
from django.utils import translation

from monitor.health import (
    Cause,
    VersionResult,
    alert_kind,
    cause_data,
    cause_of,
    cause_text,
    judge,
    outcome_of,
    stored_cause,
)

OK, SLOW, ERR, REF = "ok", "slow", "error", "refused"


@pytest.mark.parametrize(
    ("ok", "code", "latency", "expected"),
    [
        (True, "", 100, OK),
        (True, "", 5001, SLOW),
        (True, "", None, OK),
        (True, "", 5000, OK),  # exactly the limit is not slower than it
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
    assert cause_has in cause_text(verdict.cause)


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


def test_an_answer_without_its_time_is_not_slow():
    assert outcome_of(ok=True, error_code="", latency_ms=None, slow_ms=0) == OK


@pytest.mark.parametrize(
    ("results", "failures", "cause"),
    [
        ([r("v1", OK), r("v2", OK)], 0, "Every version answered."),
        ([], 0, "Nothing was probed."),
        (
            [r("v1", REF, "APIG.0303", 401), r("v2", REF, "IAM.401")],
            0,
            "The platform refused the monitoring credential (V1: APIG.0303 (HTTP 401), "
            "V2: IAM.401).",
        ),
        (
            [r("v1", ERR, "", 502), r("v2", ERR)],
            0,
            "Failed once (down after 3 in a row): V1: HTTP 502, V2: no answer.",
        ),
        (
            [r("v1", ERR, "APIG.0201", 502)],
            2,
            "Failed 3 passes in a row: V1: APIG.0201 (HTTP 502).",
        ),
        (
            [r("v1", OK), r("v2", ERR, "", 503), r("v3", ERR, "PANGU.3259")],
            0,
            "Some versions fail: V2: HTTP 503, V3: PANGU.3259.",
        ),
        (
            [r("v1", SLOW, latency=7000), r("v2", OK), r("v3", SLOW, latency=5001)],
            0,
            "Slower than 5000 ms: V1 7000 ms, V3 5001 ms.",
        ),
    ],
)
def test_the_cause_names_every_version_and_what_it_answered(results, failures, cause):
    # The cause is what the board and the notification show: each failing version, its
    # error code or HTTP status (or that nothing came back), in the order probed.
    verdict = judge(results, failures=failures, slow_ms=5000, down_after=3)
    assert cause_text(verdict.cause) == cause
    # Stored without words, it is the same cause when read back.
    assert cause_of(cause_data(verdict.cause)) == verdict.cause
    assert stored_cause("as judged", cause_data(verdict.cause)) == cause


def test_down_on_the_first_failure_says_one_pass():
    verdict = judge([r("v1", ERR, "APIG.0201")], failures=0, slow_ms=5000, down_after=1)
    assert cause_text(verdict.cause) == "Failed 1 pass in a row: V1: APIG.0201."


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        ({"kind": "nothing", "n": 0, "versions": []}, "Nothing was probed."),
        ({"kind": "answered", "n": 0, "versions": []}, "Every version answered."),
        (
            {"kind": "refused", "n": 0, "versions": [["v1", "refused", "APIG.0303", 401, 10]]},
            "The platform refused the monitoring credential (V1: APIG.0303 (HTTP 401)).",
        ),
        (
            {"kind": "failing", "n": 3, "versions": [["v2", "error", "", None, None]]},
            "Failed once (down after 3 in a row): V2: no answer.",
        ),
        (
            {"kind": "down", "n": 2, "versions": [["v1", "error", "", 502, 9]]},
            "Failed 2 passes in a row: V1: HTTP 502.",
        ),
        (
            {"kind": "some_fail", "n": 0, "versions": [["v3", "error", "PANGU.3259", None, 5]]},
            "Some versions fail: V3: PANGU.3259.",
        ),
        (
            {"kind": "slow", "n": 5000, "versions": [["v1", "slow", "", 200, 7000]]},
            "Slower than 5000 ms: V1 7000 ms.",
        ),
        # Rows stored before causes were kept without words, or of a kind since renamed.
        ({}, "as judged"),
        ({"kind": "gone", "n": 1, "versions": []}, "as judged"),
    ],
)
def test_a_stored_cause_reads_as_when_it_was_stored(data, cause):
    # The names of the kinds are stored: the rows written today must read the same later.
    assert stored_cause("as judged", data) == cause


def test_a_cause_is_stored_without_words():
    verdict = judge([r("v1", ERR, "APIG.0201", 502, 30)], failures=1, slow_ms=5000, down_after=2)
    assert verdict.cause == Cause("down", 2, (r("v1", ERR, "APIG.0201", 502, 30),))
    assert cause_data(verdict.cause) == {
        "kind": "down",
        "n": 2,
        "versions": [["v1", "error", "APIG.0201", 502, 30]],
    }


def test_a_cause_already_in_words_is_kept_as_it_is():
    assert cause_text("Not running in the catalog.") == "Not running in the catalog."
    assert cause_data("Not running in the catalog.") == {}


def test_a_cause_in_the_portals_own_words_is_read_in_the_readers_language():
    # Written in the default language when judged; a Chinese page or channel reads it in
    # Chinese. Text that is not one of the portal's own is shown as written.
    with translation.override("zh-hans"):
        assert cause_text("Not running in the catalog.") == "目录中的状态不是运行中。"
        assert stored_cause("Not running in the catalog.", {}) == "目录中的状态不是运行中。"
        assert stored_cause("as judged", {}) == "as judged"
        assert stored_cause("", {}) == ""
        assert cause_text("") == ""  # Django's gettext gives "" for "", not the header
