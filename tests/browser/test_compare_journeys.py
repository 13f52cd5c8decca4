"""Compare in a browser: three targets (deployment, version and credential mixed)
streamed side by side at a desktop width, stacked on a phone, driven by the keyboard."""

from __future__ import annotations

import json
import secrets

import pytest
from playwright.sync_api import expect

from chat.models import TestCall
from simulator.server import start_background
from tests.browser.test_accessibility import PHONE
from tests.browser.test_playground2_journeys import (
    REASONER,
    VIEWPORTS,
    axe_blocking,
    fits_the_width,
    open_v2_stream,
)
from tests.playground.test_compare import recorded_calls

pytestmark = pytest.mark.browser


@pytest.fixture
def paced_portal(seed_portal):
    """Streams slow enough (a first token after 0.8 s, 12 chunks 80 ms apart) to watch the
    columns wait, grow together and be stopped."""
    sim = start_background(None, port=0, first_token_ms=800, chunk_delay_ms=80, chunks=12)
    yield seed_portal(sim)
    sim.stop()


def choose(page, n: int, deployment: str, version: str, auth: str) -> None:
    page.locator(f"#cmp-deployment-{n}").select_option(label=deployment)
    page.locator(f"#cmp-version-{n}").select_option(version)
    page.locator(f"#cmp-auth-{n}").select_option(auth)


def column(page, n: int):
    return page.locator(f"#cmp-column-{n}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_three_targets_side_by_side(new_context, paced_portal, signed_in, shot, viewport):
    portal = paced_portal
    page = new_context(viewport=viewport).new_page()
    key = portal.access("team-all").api_key()
    team = f"access:{portal.access('team-all').code}"
    iam = f"credential:{portal.workspace.iam_credentials.first().code}"
    signed_in(page, "demo-member")
    page.goto(portal.ws("playground/"))
    page.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name="Compare", exact=True)).to_be_visible()

    choose(page, 1, "Pangu NLP chat", "v1", team)
    choose(page, 2, REASONER, "v2", team)
    choose(page, 3, "Pangu NLP chat", "v1", iam)
    page.get_by_label("Conversation and parameters (JSON)").press("Control+Enter")
    for n in (1, 2, 3):
        expect(column(page, n).locator(".cmp-waiting")).to_contain_text(
            "waiting for the first token"
        )
    for n in (1, 2, 3):
        expect(column(page, n).locator(".cmp-latency")).to_contain_text("ms", timeout=20000)
        expect(column(page, n).locator(".cmp-status")).to_have_text("200")
        expect(column(page, n).locator(".cmp-ttft")).to_contain_text("ms")
        expect(column(page, n).locator(".cmp-usage")).to_contain_text("prompt")
        expect(column(page, n).locator(".cmp-reply")).not_to_be_empty()
        expect(
            column(page, n).get_by_role("link", name="Open this call in the history")
        ).to_be_visible()
    expect(column(page, 1).locator(".cmp-title")).to_contain_text("Pangu NLP chat · V1 · team-all")
    expect(column(page, 3).locator(".cmp-title")).to_contain_text("IAM")
    # Only the reasoning model's column has thoughts, apart from its reply.
    expect(column(page, 2).locator(".cmp-reasoning-panel")).to_be_visible()
    expect(column(page, 2).locator(".cmp-reasoning-tokens")).to_contain_text("tokens")
    expect(column(page, 1).locator(".cmp-reasoning-panel")).to_be_hidden()
    assert recorded_calls(portal.workspace, 3) == 3

    # Side by side on a desktop, one above the other on a phone.
    boxes = [column(page, n).bounding_box() for n in (1, 2, 3)]
    if viewport == PHONE:
        assert boxes[0]["x"] == boxes[1]["x"] == boxes[2]["x"]
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    else:
        assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"]
        assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    assert fits_the_width(page)
    assert key not in page.content()
    shot(page, "-three-columns")

    # Send again and stop every column from the keyboard.
    page.locator("#cmp-send").focus()
    page.keyboard.press("Enter")
    expect(column(page, 1).locator(".cmp-waiting")).to_be_visible()
    expect(page.locator("#cmp-stop")).to_be_focused()  # the disabled Send would drop it
    page.keyboard.press("Escape")
    for n in (1, 2, 3):
        expect(column(page, n).locator(".cmp-status")).to_contain_text("stopped")
        expect(column(page, n).locator(".cmp-latency")).to_contain_text("so far")
    expect(page.locator("#cmp-send")).to_be_focused()
    assert key not in page.content()
    assert axe_blocking(new_context, signed_in, page.url, viewport) == []
    shot(page, "-stopped")


def test_a_single_target_and_a_refused_column(new_context, paced_portal, signed_in, settings):
    """Targets 2 and 3 can be left out; a column the portal refuses says why."""
    portal = paced_portal
    settings.PORTAL_PLAYGROUND_RATE_LIMIT = 0
    page = new_context(viewport=PHONE).new_page()
    signed_in(page, "demo-member")
    page.goto(portal.ws("playground/compare/"))
    page.locator("#cmp-deployment-2").select_option("")
    expect(page.locator("#cmp-auth-2")).to_be_disabled()
    page.get_by_role("button", name="Send to all").click()
    expect(column(page, 1).locator(".cmp-error")).to_contain_text("test calls a minute")
    expect(column(page, 1).locator(".cmp-status")).to_have_text("429")
    expect(column(page, 2)).to_be_hidden()
    expect(column(page, 3)).to_be_hidden()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_playground_conversation_goes_to_compare(new_context, portal, signed_in, viewport):
    """Compare on the playground brings its conversation, parameters and target along
    (not in the address), and every column sends that conversation."""
    page = new_context(viewport=viewport).new_page()
    key = portal.access("team-all").api_key()
    team = f"access:{portal.access('team-all').code}"
    iam = f"credential:{portal.workspace.iam_credentials.first().code}"
    words = f"Compare these words {secrets.token_hex(4)}"
    open_v2_stream(page, portal, signed_in, "Pangu NLP chat")
    page.get_by_label("System message (optional)").fill("Answer in one line.")
    page.get_by_label("Text of message 1").fill(words)
    page.get_by_role("button", name="Add message").click()
    page.get_by_label("Role of message 2").select_option("assistant")
    page.get_by_label("Text of message 2").fill("An earlier answer")
    page.get_by_role("button", name="Add message").click()
    page.get_by_label("Text of message 3").fill("And once more")
    page.locator("[name='p-temperature']").fill("0.3")
    page.get_by_label("stream").uncheck()  # compare streams whatever the body says

    page.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name="Compare", exact=True)).to_be_visible()
    assert words.split()[-1] not in page.url
    expect(page.locator("#cmp-handoff-note")).to_be_visible()
    messages = [
        {"role": "system", "content": "Answer in one line."},
        {"role": "user", "content": words},
        {"role": "assistant", "content": "An earlier answer"},
        {"role": "user", "content": "And once more"},
    ]
    body = json.loads(page.get_by_label("Conversation and parameters (JSON)").input_value())
    assert body["messages"] == messages
    assert body["temperature"] == 0.3 and body["stream"] is True and "model" not in body
    # Target 1 is the playground's: deployment, version and key.
    expect(page.locator("#cmp-deployment-1 option:checked")).to_have_text("Pangu NLP chat")
    expect(page.locator("#cmp-version-1")).to_have_value("v2")
    expect(page.locator("#cmp-auth-1")).to_have_value(team)

    choose(page, 2, REASONER, "v2", team)
    choose(page, 3, "Pangu NLP chat", "v1", iam)
    page.get_by_role("button", name="Send to all").click()
    for n in (1, 2, 3):
        expect(column(page, n).locator(".cmp-latency")).to_contain_text("ms", timeout=20000)
        expect(column(page, n).locator(".cmp-status")).to_have_text("200")
    assert recorded_calls(portal.workspace, 3) == 3
    sent = TestCall.objects.filter(workspace=portal.workspace)
    assert sorted(c.api_version for c in sent) == ["v1", "v2", "v2"]
    for call in sent:
        assert call.request_body["messages"] == messages
        assert call.request_body["temperature"] == 0.3 and call.request_body["stream"] is True
    assert key not in page.content()

    # Handed over once: compare opened again starts from its own example.
    page.reload()
    expect(page.locator("#cmp-handoff-note")).to_be_hidden()
