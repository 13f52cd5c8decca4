"""Accessibility and small screens: axe-core finds nothing serious on the main pages, and
at a phone's width no page scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AXE

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}


def axe_violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: run `bash tests/install-tools.sh` (npm ci in tests/node).",
            pytrace=False,
        )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'wcag22aa', 'best-practice']}})"
    )
    return result["violations"]


def describe(name: str, violation: dict) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"{name}: [{violation['impact']}] {violation['id']} — {violation['help']} ({targets})"


def test_main_pages_have_no_serious_axe_violations(
    new_context, portal, main_pages, signed_in, shot
):
    # axe is injected as an inline script, which the portal's CSP forbids; the test context
    # lifts the CSP for itself (the pages' own scripts are checked against it elsewhere).
    context = new_context(bypass_csp=True)
    page = context.new_page()
    pages = [("login", "/accounts/login/"), *main_pages]
    found: dict[str, list[dict]] = {}
    for name, path in pages:
        if name == "my-spaces":
            signed_in(page, "demo")
        page.goto(path)
        found[name] = axe_violations(page)

    # States that only appear after an action: a form with errors, a playground reply.
    page.goto(portal.ws("deployments/new/"))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".form-errors")).to_be_visible()
    found["deployment-form-errors"] = axe_violations(page)
    page.goto(portal.ws(f"playground/?deployment={portal.deployment('Pangu NLP chat').code}"))
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#pg-status")).to_have_text("200")
    found["playground-reply"] = axe_violations(page)
    shot(page)

    blocking, minor = [], []
    for name, violations in found.items():
        for violation in violations:
            (blocking if violation["impact"] in BLOCKING else minor).append(
                describe(name, violation)
            )
    for line in minor:
        print("axe (moderate/minor):", line)
    assert not blocking, "\n".join(blocking)


def test_no_page_scrolls_sideways_at_a_phones_width(
    new_context, portal, main_pages, signed_in, shot
):
    page = new_context(viewport=PHONE).new_page()
    pages = [("login", "/accounts/login/"), *main_pages]
    too_wide = []
    for name, path in pages:
        if name == "my-spaces":
            signed_in(page, "demo")
        page.goto(path)
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        if widths["scroll"] > widths["inner"]:
            too_wide.append(f"{name}: {widths['scroll']} px wide in a {widths['inner']} px window")
        shot(page, f"-{name}")
    assert not too_wide, "\n".join(too_wide)

    # A list table stacks into cards rather than scrolling in its frame (test_tables.py).
    page.goto(portal.ws("access/"))
    frame = page.locator(".table-wrap").first
    assert frame.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    expect(frame).not_to_have_attribute("role", "region")
    # Long code wraps instead of widening its box.
    chat = portal.deployment("Pangu NLP chat")
    page.goto(portal.ws(f"deployments/{chat.code}/"))
    path = page.locator("#callpath-v1")
    assert path.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert path.bounding_box()["height"] > 30  # it wrapped onto several lines
