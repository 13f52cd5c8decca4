"""Saved prompts in a browser: saved from the playground with variables, edited, an old
version restored, then opened in the playground, the variables filled and sent; at a
desktop and a phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from prompts.models import Prompt
from tests.browser.test_playground2_journeys import (
    VIEWPORTS,
    axe_blocking,
    fits_the_width,
    open_v2_stream,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_prompt_saved_edited_restored_filled_and_sent(
    new_context, portal, signed_in, shot, viewport
):
    page = new_context(viewport=viewport).new_page()
    key = portal.access("team-all").api_key()
    open_v2_stream(page, portal, signed_in, "Pangu NLP chat")
    page.get_by_label("System message (optional)").fill("You write for {{ team }}.")
    page.get_by_label("Text of message 1").fill("Greet {{name}} in one line")
    page.locator("[name=p-temperature]").fill("0.3")

    # Save as prompt: the playground's conversation and parameters fill the form in.
    page.get_by_role("button", name="Save as prompt").click()
    expect(page.get_by_role("heading", name="New prompt")).to_be_visible()
    body = page.get_by_label("Messages and parameters (JSON)")
    expect(body).to_contain_text("{{ team }}")
    page.locator("#id_name").fill("Greeter")
    page.locator("#id_name").press("Enter")  # by keyboard
    expect(page.get_by_role("heading", name="Greeter")).to_be_visible()
    expect(page.locator(".facts").first).to_contain_text("team, name")
    assert fits_the_width(page)
    shot(page, "-saved")

    # Edit: a new version, its change worded in the history.
    page.get_by_role("link", name="Edit").click()
    body = page.get_by_label("Messages and parameters (JSON)")
    body.fill(body.input_value().replace('"temperature": 0.3', '"temperature": 0.7'))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("ul.messages")).to_contain_text("version 2")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#version-2")).to_contain_text("temperature: 0.3 → 0.7.")
    expect(page.locator("#version-2")).to_contain_text("demo-member")
    assert fits_the_width(page)
    assert axe_blocking(new_context, signed_in, page.url, viewport) == []
    shot(page, "-history")

    # Restore version 1: saved again as version 3.
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.locator("#version-3")).to_contain_text("Restored from version 1.")
    expect(page.locator("#version-3")).to_contain_text("temperature: 0.7 → 0.3.")
    prompt = Prompt.objects.get(name="Greeter")
    assert prompt.version == 3 and prompt.body["temperature"] == 0.3

    # Open in playground: the variables are asked for before sending.
    page.get_by_role("link", name="Greeter").click()
    page.get_by_role("link", name="Open in playground").click()
    expect(page.locator("#pp-opened")).to_contain_text("Greeter")
    expect(page.get_by_label("Text of message 1")).to_have_value("Greet {{name}} in one line")
    page.get_by_label("API version").select_option("v2")
    page.get_by_label("Authentication").select_option(f"access:{portal.access('team-all').code}")
    page.get_by_label("team", exact=True).fill("the ops team")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#pp-vars-errors")).to_contain_text("Fill in a value for: name.")
    expect(page.get_by_label("name", exact=True)).to_be_focused()
    shot(page, "-missing")
    page.get_by_label("name", exact=True).fill("Ada")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#pg-status")).to_have_text("200")
    expect(page.get_by_label("Text of message 1")).to_have_value("Greet Ada in one line")
    expect(page.get_by_label("System message (optional)")).to_have_value(
        "You write for the ops team."
    )
    page.locator("summary", has_text="Request as sent").click()
    expect(page.locator("#pg-request")).to_contain_text("Greet Ada in one line")
    assert "{{" not in page.locator("#pg-request").text_content()
    assert key not in page.content()
    assert fits_the_width(page)
    shot(page, "-sent")
