"""Notification channels in a browser: an admin adds a signed webhook, copies its secret
from the one page that shows it, presses Send test and watches the result arrive; adds an
email channel past a form error; and the pages read well by axe and at a phone's width."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from playwright.sync_api import expect

from alerts.delivery import deliver_due
from tests import factories
from tests.alerts.conftest import receiver  # noqa: F401 (fixture: a loopback webhook receiver)
from tests.browser.test_accessibility import BLOCKING, PHONE, axe_violations, describe

pytestmark = pytest.mark.browser


def open_notifications(page, signed_in):
    signed_in(page, "demo")
    page.get_by_role("link", name="Demo workspace").click()
    page.get_by_role("navigation", name="Workspace").get_by_role(
        "link", name="Notifications"
    ).click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()


def test_add_a_signed_webhook_and_send_a_test(page, portal, signed_in, receiver, shot):  # noqa: F811
    open_notifications(page, signed_in)
    page.get_by_role("link", name="Webhook (JSON, signed)").click()
    page.get_by_label("Name:").fill("Ops webhook")
    page.get_by_label("Webhook URL:").fill(receiver.url + "/token-in-path")
    page.get_by_label("Key revealed").uncheck()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Signing secret of Ops webhook")).to_be_visible()
    secret = page.locator("#signing-secret").inner_text()
    assert len(secret) >= 40
    shot(page, "-secret-once")
    page.get_by_role("link", name="I have copied it: go to the channel").click()

    expect(page.get_by_role("heading", name=re.compile("Ops webhook"))).to_be_visible()
    expect(page.locator(".facts")).to_contain_text(f"{secret[:3]}******{secret[-3:]}")
    expect(page.locator("body")).not_to_contain_text(secret)
    expect(page.locator("body")).not_to_contain_text("token-in-path")
    page.get_by_role("button", name="Send test").click()
    expect(page.locator(".messages")).to_contain_text("Test notification queued")
    expect(page.locator("#deliveries")).to_contain_text("Waiting for the alerts process")
    shot(page, "-queued")

    # The alerts process (here: one pass in the test) sends it; the page updates by itself.
    assert deliver_due() == 1
    expect(page.locator("#deliveries .badge")).to_have_text("Delivered")
    expect(page.locator("#deliveries")).to_contain_text("UTC")
    [request] = receiver.requests
    stamp = request.headers["x-portal-timestamp"]
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha256)
    assert request.headers["x-portal-signature"] == f"sha256={mac.hexdigest()}"

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Key revealed")).not_to_be_checked()
    expect(page.get_by_label("Deployment down")).to_be_checked()
    expect(page.get_by_label("Webhook URL:")).to_have_value("")


def test_add_an_email_channel_past_a_form_error(page, portal, signed_in):
    open_notifications(page, signed_in)
    page.get_by_role("link", name="Email").click()
    page.get_by_label("Name:").fill("On call")
    page.get_by_label("Recipients:").fill("ops@example.test, not-an-address")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errors")).to_contain_text("“not-an-address” is not an email address")
    page.get_by_label("Recipients:").fill("ops@example.test")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Channel “On call” added.")
    # Keyboard only: Send test is reachable and pressed with the keyboard.
    button = page.get_by_role("button", name="Send test")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Test notification queued")
    deliver_due()
    expect(page.locator("#deliveries .badge")).to_have_text("Delivered")


def test_channel_pages_pass_axe_and_fit_a_phone(new_context, portal, signed_in, receiver, shot):  # noqa: F811
    channel = factories.make_channel(
        portal.workspace, url=receiver.url, name="Team Slack", kind="slack"
    )
    receiver.answer((404, b"no_service"))
    pages = {
        "list": portal.ws("notifications/"),
        "form": portal.ws("notifications/new/?kind=dingtalk"),
        "detail": portal.ws(f"notifications/{channel.code}/"),
    }
    checked = new_context(bypass_csp=True).new_page()
    signed_in(checked, "demo")
    checked.goto(pages["detail"])
    checked.get_by_role("button", name="Send test").click()
    deliver_due()
    blocking = []
    for name, url in pages.items():
        checked.goto(url)
        blocking += [describe(name, v) for v in axe_violations(checked) if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(blocking)

    phone = new_context(viewport=PHONE).new_page()
    signed_in(phone, "demo")
    for name, url in pages.items():
        phone.goto(url)
        widths = phone.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        assert widths["scroll"] <= widths["inner"], (name, widths)
        shot(phone, f"-phone-{name}")
    phone.goto(pages["detail"])
    expect(phone.locator(".notice.warning")).to_contain_text("1 delivery failed")
    expect(phone.locator("#deliveries")).to_contain_text("The receiver answered HTTP 404.")
