"""The playground's chat view of the messages, its JSON view one click away, and *View
code* before any call: at a desktop and a phone width, by the labels a person reads."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from chat.models import TestCall
from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import BLOCKING, PHONE, axe_violations, describe
from tests.browser.test_playground2_journeys import fits_the_width

pytestmark = pytest.mark.browser

VIEWPORTS = [pytest.param(DESKTOP, id="1280"), pytest.param(PHONE, id="390")]
QUESTION = "It's $HOME `id` — 长江?"


def open_v2(page, portal, signed_in) -> None:
    signed_in(page, "demo-member")
    page.goto(portal.ws(f"playground/?deployment={portal.deployment('Pangu NLP chat').code}"))
    page.get_by_label("API version").select_option("v2")
    page.get_by_label("Authentication").select_option(f"access:{portal.access('team-all').code}")


def raw_body(page) -> dict:
    return json.loads(page.get_by_label("Request body (JSON)").input_value())


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_chat_editor_json_view_and_view_code(new_context, portal, signed_in, shot, viewport):
    context = new_context(viewport=viewport, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    key = portal.access("team-all").api_key()
    open_v2(page, portal, signed_in)

    # The chat: a system message on top, then bubbles, added and edited by keyboard.
    page.get_by_label("System message (optional)").fill("Be brief.")
    page.get_by_label("Text of message 1").fill(QUESTION)
    page.get_by_role("button", name="Add message").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Text of message 2")).to_be_focused()
    page.get_by_label("Role of message 2").select_option("assistant")
    page.keyboard.type("-X DELETE, as asked")
    expect(page.locator(".message-row").nth(1)).to_have_attribute("data-role", "assistant")
    expect(page.locator(".message-row").nth(0)).to_have_attribute("data-role", "user")
    shot(page, "-chat")

    # JSON view and back: the same conversation, and keys the chat has no field for stay.
    page.get_by_label("Edit the raw JSON body").check()
    body = raw_body(page)
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "-X DELETE, as asked"},
    ]
    body["messages"].append({"role": "user", "content": "Added in JSON"})
    body["user"] = "tester-1"
    page.get_by_label("Request body (JSON)").fill(json.dumps(body))
    page.get_by_label("Edit the raw JSON body").uncheck()
    expect(page.get_by_label("Text of message 3")).to_have_value("Added in JSON")
    expect(page.get_by_label("System message (optional)")).to_have_value("Be brief.")
    page.get_by_label("Edit the raw JSON body").check()
    again = raw_body(page)
    assert again == body

    # Invalid JSON: a clear error, the JSON view stays, the text is kept.
    page.get_by_label("Request body (JSON)").fill('{"messages": [oops')
    page.get_by_label("Edit the raw JSON body").click()  # refused: it stays checked
    expect(page.locator("#pg-raw-error")).to_contain_text("The JSON is not valid")
    expect(page.get_by_label("Edit the raw JSON body")).to_be_checked()
    expect(page.get_by_label("Request body (JSON)")).to_have_value('{"messages": [oops')
    expect(page.get_by_label("Request body (JSON)")).to_be_focused()
    shot(page, "-invalid-json")
    page.get_by_label("Request body (JSON)").fill(
        '{"messages": [{"role": "user", "content": [1]}]}'
    )
    page.get_by_label("Edit the raw JSON body").click()
    expect(page.locator("#pg-raw-error")).to_contain_text("Message 1 is not")
    expect(page.get_by_label("Edit the raw JSON body")).to_be_checked()
    page.get_by_label("Request body (JSON)").fill(json.dumps(again))
    page.get_by_label("Edit the raw JSON body").uncheck()
    expect(page.locator("#pg-raw-error")).to_be_hidden()
    expect(page.get_by_label("Text of message 3")).to_be_enabled()

    # View code before any call: every language, the conversation in it, no key.
    view = page.get_by_role("button", name="View code")
    view.click()
    expect(view).to_have_attribute("aria-expanded", "true")
    panel = page.locator("#pg-code")
    expect(panel.locator("details.code-language")).to_have_count(4)
    expect(panel.locator("summary")).to_contain_text(
        ["curl", "Python (requests)", "OpenAI Python SDK", "Node (fetch)"]
    )
    curl = panel.locator("#pg-snippet-curl-v2-key-once")
    expect(curl).to_contain_text("${PANGU_API_KEY:?}")
    expect(curl).to_contain_text("Added in JSON")
    expect(panel).to_contain_text("Nothing was sent")

    # The code follows the form.
    page.get_by_label("stream").check()
    expect(panel.locator("#pg-snippet-curl-v2-key-stream")).to_contain_text('"stream": true')
    page.get_by_label("Text of message 1").fill("Now about carp")
    expect(panel.locator("#pg-snippet-curl-v2-key-stream")).to_contain_text("Now about carp")

    # Copying: the Python code, exactly as shown.
    panel.get_by_text("Python (requests)").click()
    copy = panel.get_by_role("button", name="Copy the Python (requests) code")
    copy.click()
    expect(copy).to_have_text("Copied")
    python = panel.locator("#pg-snippet-python-v2-key-stream").text_content()
    assert page.evaluate("navigator.clipboard.readText()") == python
    assert "Now about carp" in python and "os.environ" in python
    assert key not in page.content()
    assert fits_the_width(page)
    assert not TestCall.objects.exists()  # nothing was sent
    shot(page, "-code")

    # A request Send would refuse shows the reason instead of code.
    page.get_by_label("Edit the raw JSON body").check()
    page.get_by_label("Request body (JSON)").fill('{"messages": []}')
    expect(panel.locator("#pg-code-errors")).to_contain_text("body")
    expect(panel.locator("details.code-language")).to_have_count(0)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_open_code_and_a_json_error_have_no_serious_axe_violations(
    new_context, portal, signed_in, viewport
):
    page = new_context(bypass_csp=True, viewport=viewport).new_page()  # axe is injected
    open_v2(page, portal, signed_in)
    page.get_by_role("button", name="View code").click()
    expect(page.locator("#pg-code details.code-language")).to_have_count(4)
    expect(page.locator("#pg-code")).to_be_focused()
    page.get_by_label("Edit the raw JSON body").check()
    page.get_by_label("Request body (JSON)").fill("{")
    page.get_by_label("Edit the raw JSON body").click()
    expect(page.locator("#pg-raw-error")).to_be_visible()
    found = [describe("playground", v) for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert found == []
