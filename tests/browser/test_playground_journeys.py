"""The playground in a browser: plain and streamed calls, errors with their hints, stopping
a stream, and driving it with the keyboard alone."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from playwright.sync_api import expect

from chat.models import TestCall
from simulator.server import start_background

pytestmark = pytest.mark.browser

CHUNKS, CHUNK_DELAY_MS = 12, 120


@pytest.fixture
def slow_portal(seed_portal):
    """The demo workspace calling a simulator slow enough to watch a reply grow."""
    sim = start_background(
        None, port=0, first_token_ms=50, chunk_delay_ms=CHUNK_DELAY_MS, chunks=CHUNKS
    )
    yield seed_portal(sim)
    sim.stop()


def open_playground(page, portal, deployment: str = "Pangu NLP chat"):
    page.goto(portal.ws(f"playground/?deployment={portal.deployment(deployment).code}"))
    expect(page.locator("#pg-deployment option:checked")).to_have_text(deployment)


def reply_samples(page, until_s: float = 15) -> tuple[list[str], str]:
    """The reply's text, read again and again until the call ends (or ``until_s``)."""
    samples = []
    deadline = time.monotonic() + until_s
    while time.monotonic() < deadline:
        # The status shows as soon as it is known; the latency only at the end.
        ended = page.locator("#pg-latency").text_content() not in ("…", "—")
        samples.append(page.locator("#pg-reply").text_content())
        if ended:
            return samples, page.locator("#pg-status").text_content()
        page.wait_for_timeout(40)
    raise AssertionError(f"the call did not end within {until_s} s: {samples[-1]!r}")


def test_a_call_without_streaming(page, portal, signed_in):
    signed_in(page, "demo-member")
    open_playground(page, portal)
    expect(page.get_by_label("API version")).to_have_value("v1")
    expect(page.get_by_label("stream")).not_to_be_checked()
    page.get_by_role("button", name="Send").click()

    expect(page.locator("#pg-status")).to_have_text("200")
    expect(page.locator("#pg-reply")).not_to_be_empty()
    expect(page.locator("#pg-finish")).not_to_have_text("…")
    expect(page.locator("#pg-usage")).to_contain_text("prompt")
    expect(page.locator("#pg-error")).to_be_hidden()
    # The request as sent names the call path, with the key masked.
    page.get_by_text("Request as sent (secrets masked)").click()
    chat = portal.deployment("Pangu NLP chat")
    expect(page.locator("#pg-request")).to_contain_text(f"POST {chat.call_paths()['v1']}")
    for access in portal.workspace.accesses.all():
        assert access.api_key() not in page.content()

    page.get_by_role("link", name="History").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Pangu NLP chat")
    expect(row).to_contain_text("200 OK")


def test_a_streamed_reply_grows_as_it_arrives(page, slow_portal, signed_in):
    signed_in(page, "demo-member")
    open_playground(page, slow_portal)
    page.get_by_label("stream").check()
    page.get_by_role("button", name="Send").click()
    samples, status = reply_samples(page)

    assert status == "200"
    growing = [s for s in dict.fromkeys(samples[:-1]) if s]  # distinct texts before the end
    assert len(growing) >= 4, f"the reply did not grow in steps: {growing}"
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(growing))
    assert len(samples[-1]) > len(growing[0])
    expect(page.locator("#pg-ttft")).to_have_text(re.compile(r"^\d+ ms$"))
    expect(page.locator("#pg-reply")).to_have_attribute("aria-busy", "false")


def test_an_error_shows_its_hint(page, portal, signed_in):
    """A key that the platform refuses: the code, the platform's message and a hint."""
    only_chat = portal.access("only-chat")
    signed_in(page, "demo")
    page.goto(portal.ws(f"access/{only_chat.code}/rotate/"))
    page.get_by_label("New API key").fill("WrongKey0000000000000000wrong")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Rotate key").click()
    expect(page.locator(".messages")).to_contain_text("rotated")

    only_chat.refresh_from_db()
    open_playground(page, portal)
    page.get_by_label("Authentication").select_option(label=f"only-chat ({only_chat.key_hint})")
    page.get_by_role("button", name="Send").click()

    error = page.locator("#pg-error")
    expect(error).to_be_visible()
    expect(error.locator(".headline")).to_have_text("The key is wrong or missing.")
    expect(error.locator(".detail code")).to_have_text("APIG.0303")
    expect(page.locator("#pg-status")).to_have_text("401")

    # A fault of the service itself: its own hint.
    open_playground(page, portal, "Fault: error_500")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#pg-status")).to_have_text("500")
    expect(error.locator(".headline")).not_to_be_empty()


def test_stop_a_stream(page, slow_portal, signed_in):
    signed_in(page, "demo-member")
    open_playground(page, slow_portal)
    page.get_by_label("stream").check()
    page.get_by_role("button", name="Send").click()
    reply = page.locator("#pg-reply")
    expect(reply).to_have_text(re.compile(r"\S"))  # the first words are in
    page.get_by_role("button", name="Stop").click()

    expect(page.locator("#pg-status")).to_have_text("200 (stopped)")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()
    stopped_at = reply.text_content()
    page.wait_for_timeout(4 * CHUNK_DELAY_MS)
    assert reply.text_content() == stopped_at, "the reply kept growing after Stop"

    # The portal noticed the browser leaving and recorded the call as stopped.
    deadline = time.monotonic() + 10
    while not TestCall.objects.filter(outcome="aborted").exists():
        assert time.monotonic() < deadline, "the stopped call was not recorded"
        time.sleep(0.1)
    page.get_by_role("link", name="History").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Stopped")
    expect(row).to_contain_text("stream")


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def focus_ring(page) -> str:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return `${s.outlineStyle} ${s.outlineWidth}`; }"
    )


def test_the_playground_without_a_mouse(page, portal, signed_in):
    signed_in(page, "demo-member")
    page.goto(portal.ws("playground/"))
    page.locator("body").focus()

    # The skip link comes first and lands in the page's content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))

    # Choose the deployment with the arrow keys, then the API version.
    tab_to(page, "#pg-deployment")
    assert focus_ring(page).startswith("solid"), "the focus is not visible"
    for _ in range(30):
        if page.locator("#pg-deployment option:checked").text_content() == "Pangu NLP chat":
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#pg-deployment option:checked")).to_have_text("Pangu NLP chat")
    page.keyboard.press("Tab")
    expect(page.get_by_label("API version")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("API version")).to_have_value("v2")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Authentication")).to_be_focused()
    expect(page.get_by_label("Authentication")).to_have_value(re.compile(r"^access:"))

    # Write the message, add a second one, remove it again.
    tab_to(page, "#pg-messages textarea")
    page.keyboard.press("Control+A")
    page.keyboard.type("Name one fish of the Yangtze.")
    tab_to(page, "#pg-add-message")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Text of message 2")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove message 2")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Text of message 2")).to_have_count(0)
    expect(page.get_by_role("button", name="Add message")).to_be_focused()

    # Stream on with Space, then Send with Enter.
    tab_to(page, "#pg-stream")
    page.keyboard.press("Space")
    expect(page.get_by_label("stream")).to_be_checked()
    tab_to(page, "#pg-send")
    assert focus_ring(page).startswith("solid")
    page.keyboard.press("Enter")

    expect(page.locator("#pg-status")).to_have_text("200")
    expect(page.locator("#pg-reply")).not_to_be_empty()
    expect(page.get_by_role("button", name="Send")).to_be_focused()  # focus is not lost
    page.get_by_text("Request as sent (secrets masked)").click()
    request_text = page.locator("#pg-request")
    expect(request_text).to_contain_text("/api/v2/chat/completions")
    expect(request_text).to_contain_text("Authorization: Bearer")
    expect(request_text).to_contain_text('"stream": true')
    expect(request_text).to_contain_text("Name one fish of the Yangtze.")
