"""Playground 2 in a browser: a past call opened from the history and replayed, at a
desktop and a phone width."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from simulator.server import start_background
from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import BLOCKING, PHONE, axe_violations, describe

pytestmark = pytest.mark.browser

REASONER = "DeepSeek R1 (reasoning)"
VIEWPORTS = [pytest.param(DESKTOP, id="1280"), pytest.param(PHONE, id="390")]


def fits_the_width(page) -> bool:
    size = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    return size["scroll"] <= size["inner"] + 1


def axe_blocking(new_context, signed_in, url: str, viewport) -> list[str]:
    """The page's blocking accessibility problems, checked in a context that lets axe in."""
    checked = new_context(bypass_csp=True, viewport=viewport).new_page()
    signed_in(checked, "demo-member")
    checked.goto(url)
    return [describe(url, v) for v in axe_violations(checked) if v["impact"] in BLOCKING]


def open_v2_stream(page, portal, signed_in, deployment: str) -> None:
    """Signed in as a member, the playground set for a streamed V2 call with team-all."""
    signed_in(page, "demo-member")
    page.goto(portal.ws(f"playground/?deployment={portal.deployment(deployment).code}"))
    page.get_by_label("API version").select_option("v2")
    page.get_by_label("Authentication").select_option(f"access:{portal.access('team-all').code}")
    page.get_by_label("stream").check()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_history_detail_and_replay(new_context, portal, signed_in, shot, viewport):
    page = new_context(viewport=viewport).new_page()
    key = portal.access("team-all").api_key()
    open_v2_stream(page, portal, signed_in, "Pangu NLP chat")
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
    assert axe_blocking(new_context, signed_in, page.url, viewport) == []
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


@pytest.fixture
def patient_portal(seed_portal):
    """A simulator whose first token takes long enough to see the page wait for it."""
    sim = start_background(None, port=0, first_token_ms=1500, chunk_delay_ms=60, chunks=8)
    yield seed_portal(sim)
    sim.stop()


def message(page, n: int):
    return page.get_by_label(f"Text of message {n}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_conversation_with_a_reasoning_model(
    new_context, patient_portal, signed_in, shot, viewport
):
    portal = patient_portal
    page = new_context(viewport=viewport).new_page()
    key = portal.access("team-all").api_key()
    open_v2_stream(page, portal, signed_in, REASONER)
    page.get_by_label("System message (optional)").fill("Answer in one sentence.")
    message(page, 1).fill("What should I plant first?")

    message(page, 1).press("Control+Enter")  # sends from the keyboard
    expect(page.locator("#pg-waiting")).to_contain_text("waiting for the first token")
    expect(page.locator("#pg-elapsed")).to_contain_text(" s")
    expect(page.locator("#pg-reasoning-panel")).to_be_visible()
    expect(page.locator("#pg-reasoning")).to_contain_text("I should answer")
    expect(page.locator("#pg-latency")).to_contain_text("ms")
    expect(page.locator("#pg-waiting")).to_be_hidden()
    expect(page.locator("#pg-reasoning-tokens")).to_have_text(re.compile(r"\(\d+ tokens\)"))
    reply = page.locator("#pg-reply").text_content()
    assert "I should answer" not in reply  # the thoughts stay out of the reply
    shot(page, "-first-turn")

    page.get_by_role("button", name="Add to the conversation and continue").click()
    expect(page.get_by_label("Role of message 2")).to_have_value("assistant")
    expect(message(page, 2)).to_have_value(reply)
    expect(message(page, 3)).to_be_focused()
    message(page, 3).fill("And after that?")
    message(page, 3).press("Meta+Enter")
    expect(page.locator("#pg-latency")).to_contain_text("ms")
    sent = json.loads(page.locator("#pg-request").text_content().split("\n\n", 1)[1])
    assert [m["role"] for m in sent["messages"]] == ["system", "user", "assistant", "user"]
    assert sent["messages"][2]["content"] == reply
    assert "reasoning_content" not in json.dumps(sent)

    page.get_by_role("button", name="Send").click()
    expect(page.locator("#pg-waiting")).to_be_visible()
    page.keyboard.press("Escape")  # stops the call
    expect(page.locator("#pg-status")).to_contain_text("stopped")
    expect(page.get_by_role("button", name="Add to the conversation and continue")).to_be_hidden()

    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_label("System message (optional)")).to_have_value("")
    expect(page.locator("#pg-messages .message-row")).to_have_count(1)
    expect(message(page, 1)).to_have_value("")
    expect(page.locator("#pg-result")).to_be_hidden()
    assert key not in page.content()
    assert fits_the_width(page)
    assert axe_blocking(new_context, signed_in, page.url, viewport) == []
