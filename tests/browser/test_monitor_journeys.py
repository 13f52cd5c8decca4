"""The health board and the live key check in a real browser: what a person sees after
the monitor ran, a strip read by mouse and keyboard, Check now updating the page by
itself, and both at a phone's width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from chat.hints import hint_for
from monitor.models import DeploymentHealth
from simulator import faults
from tests.monitor.helpers import only_due, run_pass

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def monitored(portal, settings, monkeypatch):
    """The demo after three passes in which "Fault: flapping" went down."""
    settings.PORTAL_MONITOR_PROBE_DEADLINE = 1.0
    monkeypatch.setattr(faults, "clock", lambda: 0.0)  # up
    run_pass()
    monkeypatch.setattr(faults, "clock", lambda: faults.FLAPPING_PERIOD * 0.75)  # down
    for _ in range(2):
        only_due(*portal.workspace.deployments.filter(status="running"))
        run_pass()
    monkeypatch.setattr(faults, "clock", lambda: 0.0)
    return portal


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_board_shows_outages_strips_and_drift(page, monitored, signed_in, shot):
    signed_in(page, "demo")
    page.goto(monitored.ws("health/"))
    nav = page.get_by_role("navigation", name="Workspace")
    expect(nav.get_by_role("link", name=re.compile("Health"))).to_contain_text("down")
    row = page.locator(".hrow", has=page.get_by_role("link", name="Fault: flapping", exact=True))
    expect(row.locator(".badge").first).to_have_text("Down")
    expect(row).to_contain_text("APIG.0201")
    expect(row).to_contain_text(str(hint_for("APIG.0201", 502)))  # the plain hint
    cells = row.locator(".strip .cell")
    expect(cells).to_have_count(6)  # three passes, two versions
    expect(row.locator("svg.spark")).to_be_visible()

    # Keyboard: one tab stop on the newest probe, arrows walk the strip, the name shows.
    newest = cells.last
    newest.focus()
    expect(newest).to_have_attribute("aria-label", re.compile(r"UTC · V2 · Failed · APIG.0201"))
    page.keyboard.press("Home")
    expect(cells.first).to_be_focused()
    expect(cells.first).to_have_attribute("aria-label", re.compile(r"UTC · V1 · OK"))
    tip = cells.first.evaluate("el => getComputedStyle(el, '::after').content")
    assert "V1" in tip and "UTC" in tip
    shot(page, "-keyboard")
    # Mouse: hovering a cell shows its time and error the same way.
    cells.nth(3).hover()
    assert "APIG.0201" in cells.nth(3).evaluate("el => getComputedStyle(el, '::after').content")

    # A member has the monitor check one deployment now; the page follows by itself.
    chat = monitored.deployment("Pangu NLP chat")
    DeploymentHealth.objects.filter(deployment=chat).update(last_probe_at=None)
    chat_row = page.locator(f"#row-{chat.code}")
    before = chat_row.locator(".strip .cell").count()
    chat_row.get_by_role("button", name=re.compile("Check now")).click()
    chat_row = page.locator(f"#row-{chat.code}")
    expect(chat_row.locator(".badge.checking")).to_be_visible()
    run_pass()  # the monitor process's next tick
    expect(chat_row.locator(".badge.checking")).to_have_count(0, timeout=15_000)
    expect(chat_row.locator(".strip .cell")).to_have_count(before + 2)
    assert page.url.endswith("/health/")  # no reload: the script swapped the row in
    shot(page, "-after-check")

    page.set_viewport_size(PHONE)
    page.goto(monitored.ws("health/"))
    assert fits(page)
    shot(page, "-phone")


def test_the_board_says_when_no_monitor_runs(page, portal, signed_in):
    signed_in(page, "demo-viewer")
    page.goto(portal.ws("health/"))
    expect(page.get_by_role("alert")).to_contain_text("No monitor has ever run")
    expect(page.get_by_role("alert")).to_contain_text("python manage.py monitor")
    expect(page.get_by_role("button", name=re.compile("Check"))).to_have_count(0)


def test_check_key_updates_live_and_reads_at_a_phones_width(
    new_context, portal, signed_in, shot, settings, monkeypatch
):
    settings.PORTAL_MONITOR_PROBE_DEADLINE = 1.0
    monkeypatch.setattr(faults, "clock", lambda: 0.0)  # "Fault: flapping" up
    page = new_context(viewport=PHONE).new_page()
    signed_in(page, "demo-member")
    access = portal.access("fault-lab")
    page.goto(portal.ws(f"access/{access.code}/"))
    page.get_by_role("button", name="Check key").click()
    panel = page.locator("#key-check")
    expect(panel.get_by_role("status")).to_contain_text("Checking… 0 of 20")
    run_pass()
    expect(panel.get_by_role("alert")).to_contain_text("18 failed", timeout=15_000)
    expect(panel.locator(".message.success")).to_have_count(0)
    throttled = panel.locator("tr", has_text="Fault: throttle").first
    expect(throttled).to_contain_text("APIG.0308")
    expect(throttled).to_contain_text(str(hint_for("APIG.0308", 429)))  # beside the code
    assert fits(page)
    hint = throttled.locator(".hint")
    assert hint.evaluate("el => el.getBoundingClientRect().right <= window.innerWidth")
    shot(page)

    # A key every deployment answers: the success banner, and only then.
    team = portal.access("edge-team")
    page.goto(portal.ws(f"access/{team.code}/"))
    page.get_by_role("button", name="Check key").click()
    run_pass()
    expect(page.locator("#key-check .message.success")).to_contain_text(
        "all reachable", timeout=15_000
    )
    shot(page, "-all-reachable")


def test_a_deployments_health_panel_follows_its_check(page, monitored, signed_in, shot):
    """Check now on the deployment's own page: the panel shows the check pending, then the
    outcome, swapped in by its script (the page is not loaded again)."""
    signed_in(page, "demo-member")
    flapping = monitored.deployment("Fault: flapping")
    DeploymentHealth.objects.filter(deployment=flapping).update(last_probe_at=None)
    page.goto(monitored.ws(f"deployments/{flapping.code}/"))
    panel = page.locator("#health")
    expect(panel.locator(".badge").first).to_have_text("Down")
    cells = panel.locator(".strip .cell")
    before = cells.count()
    panel.get_by_role("button", name="Check now").click()
    expect(panel.locator(".badge.checking")).to_be_visible()
    page.evaluate("() => { window.notReloaded = true; }")
    only_due(flapping)
    run_pass()  # the monitor's next tick: "Fault: flapping" answers again (clock at 0)
    expect(panel.locator(".badge.checking")).to_have_count(0, timeout=15_000)
    expect(panel.locator(".badge").first).to_have_text("Up")
    expect(cells).to_have_count(before + 2)  # one probe per version
    assert page.evaluate("() => window.notReloaded === true")
    shot(page)
