"""Playground 2 in a browser: a past call opened from the history and replayed, at a
desktop and a phone width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import PHONE

pytestmark = pytest.mark.browser

VIEWPORTS = [pytest.param(DESKTOP, id="1280"), pytest.param(PHONE, id="390")]


def fits_the_width(page) -> bool:
    size = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    return size["scroll"] <= size["inner"] + 1


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_history_detail_and_replay(new_context, portal, signed_in, shot, viewport):
    page = new_context(viewport=viewport).new_page()
    signed_in(page, "demo-member")
    deployment = portal.deployment("Pangu NLP chat")
    key = portal.access("team-all").api_key()
    page.goto(portal.ws(f"playground/?deployment={deployment.code}"))
    page.get_by_label("API version").select_option("v2")
    page.get_by_label("Authentication").select_option(f"access:{portal.access('team-all').code}")
    page.get_by_label("stream").check()
    page.get_by_label("Text of message 1").fill("Replay me, word for word")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#pg-latency")).to_contain_text("ms")

    page.get_by_role("link", name="History").click()
    page.get_by_role("link", name=re.compile("Open the call of")).first.click()
    expect(page.get_by_role("heading", name="Test call to Pangu NLP chat")).to_be_visible()
    request_text = page.locator("#call-request").text_content()
    assert "Authorization: Bearer" in request_text and "Replay me" in request_text
    assert "[DONE]" in page.locator("#call-response").text_content()
    assert key not in page.content()
    assert fits_the_width(page)
    shot(page, "-detail")

    page.get_by_role("link", name="Open in playground").click()
    expect(page.locator("#pg-deployment option:checked")).to_have_text("Pangu NLP chat")
    expect(page.get_by_label("API version")).to_have_value("v2")
    expect(page.locator("#pg-auth option:checked")).to_contain_text("team-all")
    expect(page.get_by_label("stream")).to_be_checked()
    expect(page.get_by_label("Text of message 1")).to_have_value("Replay me, word for word")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#pg-latency")).to_contain_text("ms")
    expect(page.locator("#pg-status")).to_have_text("200")
    assert key not in page.content()
    assert fits_the_width(page)
    shot(page, "-replayed")
