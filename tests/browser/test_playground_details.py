"""The playground's details a user relies on: copying works (or says it did not), a
deployment asked for stays chosen with its reason, raw JSON mode switches the editors off,
the figures appear as soon as they are known, errors lead with a plain sentence, and the
selects fit a laptop's width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from simulator.server import start_background
from tests.browser.test_playground_journeys import open_playground

pytestmark = pytest.mark.browser

# A plain-http intranet host: no Clipboard API. The selection copy is recorded, and
# succeeds or fails as the test says (window.copyWorks).
NO_CLIPBOARD = """
Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});
window.copied = [];
window.copyWorks = true;
document.execCommand = (command) => {
  if (command !== 'copy' || !window.copyWorks) return false;
  window.copied.push(String(window.getSelection()) || document.activeElement.value);
  return true;
};
"""


@pytest.fixture
def paced_portal(seed_portal):
    """A stream whose first token comes at once and whose chunks come slowly."""
    sim = start_background(None, port=0, first_token_ms=20, chunk_delay_ms=400, chunks=12)
    yield seed_portal(sim)
    sim.stop()


def copy_curl_without_the_clipboard_api(new_context, portal, signed_in, *, works: bool):
    """Make a call on a page without the Clipboard API, then click Copy as curl."""
    context = new_context()
    context.add_init_script(NO_CLIPBOARD + f"window.copyWorks = {str(works).lower()};")
    page = context.new_page()
    signed_in(page, "demo-member")
    open_playground(page, portal)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#pg-status")).to_have_text("200")
    curl = page.locator("#pg-curl")
    curl.click()
    return page, curl


def test_copy_as_curl_falls_back_where_the_clipboard_api_is_missing(
    new_context, portal, signed_in, shot
):
    page, curl = copy_curl_without_the_clipboard_api(new_context, portal, signed_in, works=True)
    expect(curl).to_have_text("Copied")
    copied = page.evaluate("window.copied")
    assert len(copied) == 1 and copied[0].startswith("curl ") and "PANGU_API_KEY" in copied[0]
    expect(curl).to_have_text("Copy as curl")  # and back
    shot(page)


def test_when_nothing_can_copy_the_text_is_offered_selected_never_a_false_copied(
    new_context, portal, signed_in, shot
):
    page, curl = copy_curl_without_the_clipboard_api(new_context, portal, signed_in, works=False)
    manual = page.get_by_label("Text to copy")
    expect(manual).to_be_visible()
    expect(manual).to_be_focused()
    assert manual.input_value().startswith("curl ")
    selected = manual.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)")
    assert selected == manual.input_value()
    expect(page.locator(".manual-copy")).to_contain_text("press Ctrl+C")
    page.wait_for_timeout(300)
    expect(curl).to_have_text("Copy as curl")
    shot(page)

    # The other copy buttons share the helper: the same honesty on the deployment page.
    chat = portal.deployment("Pangu NLP chat")
    page.goto(portal.ws(f"deployments/{chat.code}/"))
    button = page.locator("button[data-copy='callpath-v1']")
    button.click()
    expect(page.get_by_label("Text to copy")).to_have_value(chat.call_paths()["v1"])
    expect(button).not_to_have_text("Copied")


def test_a_deployment_that_cannot_be_called_stays_chosen_with_its_reason(
    page, portal, signed_in, shot
):
    stopped = portal.workspace.deployments.filter(status="stopped").first()
    signed_in(page, "demo-member")
    page.goto(portal.ws(f"playground/?deployment={stopped.code}"))
    chosen = page.locator("#pg-deployment option:checked")
    expect(chosen).to_have_text(f"{stopped.name} — {stopped.not_callable_reason}")
    expect(page.locator("#pg-deployment-note")).to_have_text(stopped.not_callable_reason)
    expect(page.get_by_role("button", name="Send")).to_be_disabled()
    # Every option that cannot be chosen says why.
    for option in page.locator("#pg-deployment option[disabled]").all():
        assert " — " in option.text_content() and option.text_content().split(" — ")[1]
    shot(page)
    # Choosing a running one makes Send available again.
    page.get_by_label("Deployment").select_option(label="Pangu NLP chat")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.locator("#pg-deployment-note")).to_have_text("")


def test_raw_json_mode_switches_the_editors_off_and_back_on(page, portal, signed_in):
    signed_in(page, "demo-member")
    open_playground(page, portal)
    message = page.get_by_label("Text of message 1")
    temperature = page.locator("input[name='p-temperature']")
    page.get_by_label("Edit the raw JSON body").check()
    expect(message).to_be_disabled()
    expect(temperature).to_be_disabled()
    expect(page.get_by_role("button", name="Add message")).to_be_disabled()
    expect(page.locator("#pg-raw-note")).to_contain_text("raw JSON body")
    body = page.get_by_label("Request body (JSON)")
    body.fill('{"messages": [{"role": "user", "content": "Edited as JSON"}], "temperature": 0.3}')
    page.get_by_label("Edit the raw JSON body").uncheck()
    expect(message).to_be_enabled()
    expect(message).to_have_value("Edited as JSON")
    expect(temperature).to_have_value("0.3")
    expect(page.locator("#pg-raw-note")).to_have_text("")


def test_v1_number_fields_take_the_platforms_ranges(page, portal, signed_in):
    signed_in(page, "demo-member")
    open_playground(page, portal)
    temperature = page.locator("input[name='p-temperature']")
    expect(temperature).to_have_attribute("max", "1")
    page.get_by_label("API version").select_option("v2")
    expect(temperature).to_have_attribute("max", "2")


def test_stream_figures_show_as_soon_as_known_and_stay_after_stop(
    page, paced_portal, signed_in, shot
):
    signed_in(page, "demo-member")
    open_playground(page, paced_portal)
    page.get_by_label("stream").check()
    page.get_by_role("button", name="Send").click()
    # Known while the reply is still growing: the status and the time to first token.
    expect(page.locator("#pg-ttft")).to_have_text(re.compile(r"^\d+ ms$"))
    expect(page.locator("#pg-status")).to_have_text("200")
    expect(page.locator("#pg-reply")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#pg-latency")).to_have_text("…")
    page.get_by_role("button", name="Stop").click()
    # After Stop: the figures so far, not dashes.
    expect(page.locator("#pg-status")).to_have_text("200 (stopped)")
    expect(page.locator("#pg-latency")).to_have_text(re.compile(r"^\d+ ms \(so far\)$"))
    expect(page.locator("#pg-ttft")).to_have_text(re.compile(r"^\d+ ms$"))
    shot(page)


def test_a_call_without_streaming_has_no_time_to_first_token(page, portal, signed_in):
    signed_in(page, "demo-member")
    open_playground(page, portal)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#pg-status")).to_have_text("200")
    expect(page.locator("#pg-latency")).to_have_text(re.compile(r"^\d+ ms$"))
    expect(page.locator("#pg-ttft")).to_have_text("— (not streamed)")


def test_an_error_leads_with_the_plain_sentence_then_the_code(page, portal, signed_in, shot):
    signed_in(page, "demo-member")
    open_playground(page, portal, "Fault: redirect")
    page.get_by_role("button", name="Send").click()
    error = page.locator("#pg-error")
    expect(error.locator(".headline")).to_have_text(re.compile(r"^The service answered with a"))
    expect(error.locator(".detail")).to_contain_text("redirects are not followed")
    expect(error.locator(".detail code")).to_have_text("upstream.redirect")
    assert error.text_content().strip().startswith("The service")
    # One gateway code, told apart by its status.
    open_playground(page, portal, "Fault: error_502")
    page.get_by_role("button", name="Send").click()
    expect(error.locator(".headline")).to_contain_text("backend is unavailable")
    expect(error.locator(".detail code")).to_have_text("APIG.0201")
    shot(page)


# How much wider each option's text is than the room its select has to show it.
TEXT_OVERFLOW = """(id) => {
  const select = document.getElementById(id);
  const style = getComputedStyle(select);
  const ruler = document.createElement('canvas').getContext('2d');
  ruler.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const arrow = 24;  // the drop-down arrow's room
  const room = select.clientWidth - parseFloat(style.paddingLeft)
    - parseFloat(style.paddingRight) - arrow;
  const over = (text) => Math.round(ruler.measureText(text).width - room);
  return [...select.options].map((o) => [o.text, over(o.text)]);
}"""


def test_the_choices_are_not_cut_off_at_a_laptops_width(page, portal, signed_in, shot):
    """Every key, credential and running deployment reads in full in its select at 1280 px,
    and no select reaches past its column."""
    signed_in(page, "demo-member")
    open_playground(page, portal)
    cut = []
    for version in ("v1", "v2"):
        page.get_by_label("API version").select_option(version)
        for text, over in page.evaluate(TEXT_OVERFLOW, "pg-auth"):
            if over > 0:
                cut.append(f"{version} authentication {text!r}: {over} px cut off")
    callable_names = {d.name for d in portal.workspace.deployments.running()}
    for text, over in page.evaluate(TEXT_OVERFLOW, "pg-deployment"):
        if text in callable_names and over > 0:
            cut.append(f"deployment {text!r}: {over} px cut off")
    overflow = page.evaluate(
        """() => ['pg-deployment', 'pg-version', 'pg-auth'].map((id) => {
             const select = document.getElementById(id).getBoundingClientRect();
             const column = document.getElementById(id).closest('.field').getBoundingClientRect();
             return [id, select.right - column.right];
           }).filter(([, over]) => over > 1)"""
    )
    assert not cut and not overflow, (cut, overflow)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page)
