"""The channel pages as an admin uses them: add each kind, the signing secret shown once,
URLs the portal may not call refused, Send test queued and its result on the page."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest

from alerts.delivery import deliver_due
from alerts.models import Channel, Delivery, DeliveryStatus
from tests import factories
from tests.test_canary import every_stored_text

EVENTS = ["deployment_down", "key_expiring"]


@pytest.fixture
def ws(world) -> str:
    return f"/w/{world.alpha.code}/notifications"


def test_add_an_email_channel(admin_client, ws):
    response = admin_client.post(
        f"{ws}/new/?kind=email",
        {
            "name": "On call",
            "recipients": "ops@example.test, lead@example.test ops@example.test",
            "events": EVENTS,
            "enabled": "on",
        },
    )
    channel = Channel.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{channel.code}/")
    assert channel.kind == "email" and channel.events == EVENTS and channel.enabled
    assert channel.recipient_list() == ["ops@example.test", "lead@example.test"]
    page = admin_client.get(f"{ws}/").content.decode()
    assert "On call" in page and "Deployment down, Key expiring" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recipients": "not-an-address"}, "is not an email address"),
        ({"recipients": ""}, "This field is required"),
        ({"name": ""}, "This field is required"),
        ({"events": ["nope"]}, "Select a valid choice"),
    ],
)
def test_email_form_says_what_is_wrong(admin_client, ws, data, message):
    base = {"name": "Mail", "recipients": "a@example.test", "events": EVENTS}
    response = admin_client.post(f"{ws}/new/?kind=email", base | data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Channel.objects.exists()


def test_generic_webhook_secret_is_shown_once_then_masked(admin_client, ws):
    url = "http://127.0.0.1:9/hooks/abc-token-in-path"
    response = admin_client.post(
        f"{ws}/new/?kind=webhook", {"name": "Ops hook", "url": url, "events": EVENTS}
    )
    channel = Channel.objects.get()
    secret = channel.target().secret
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert secret in response.content.decode() and len(secret) >= 40
    assert channel.target().url == url
    assert channel.target_hint == "http://127.0.0.1:9/…"
    assert channel.secret_hint == f"{secret[:3]}******{secret[-3:]}"
    for page in (f"{ws}/", f"{ws}/{channel.code}/", f"{ws}/{channel.code}/edit/"):
        body = admin_client.get(page).content.decode()
        assert secret not in body and "abc-token-in-path" not in body


def test_editing_keeps_url_and_secret_unless_asked(admin_client, ws, world):
    channel = factories.make_channel(world.alpha, url="http://127.0.0.1:9/a", secret="s" * 20)
    response = admin_client.post(
        f"{ws}/{channel.code}/edit/", {"name": "Renamed", "url": "", "events": EVENTS}
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "Renamed" and not channel.enabled
    assert channel.target().url == "http://127.0.0.1:9/a" and channel.target().secret == "s" * 20

    response = admin_client.post(
        f"{ws}/{channel.code}/edit/",
        {"name": "Renamed", "url": "", "events": EVENTS, "new_secret": "on", "enabled": "on"},
    )
    channel.refresh_from_db()
    fresh = channel.target().secret
    assert fresh != "s" * 20 and fresh in response.content.decode()


def test_feishu_with_a_pasted_signing_secret(admin_client, ws):
    admin_client.post(
        f"{ws}/new/?kind=feishu",
        {
            "name": "Feishu bot",
            "url": "https://open.feishu.test/open-apis/bot/v2/hook/tok",
            "secret": "feishu-sign-secret",
            "events": EVENTS,
        },
    )
    channel = Channel.objects.get()
    assert channel.target().secret == "feishu-sign-secret"
    page = admin_client.get(f"{ws}/{channel.code}/").content.decode()
    assert "fei******ret" in page and "feishu-sign-secret" not in page


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "ftp://x.test/"],
)
def test_urls_the_portal_may_not_call_are_refused(admin_client, ws, url):
    response = admin_client.post(
        f"{ws}/new/?kind=slack", {"name": "S", "url": url, "events": EVENTS}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Channel.objects.exists()


def test_loopback_is_refused_when_the_settings_refuse_it(admin_client, ws, settings):
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = False
    response = admin_client.post(
        f"{ws}/new/?kind=wecom", {"name": "W", "url": "http://localhost:8080/x", "events": EVENTS}
    )
    assert "loopback" in response.content.decode() and not Channel.objects.exists()


def test_a_duplicate_name_is_a_form_error(admin_client, ws, world):
    factories.make_channel(world.alpha, name="Taken")
    response = admin_client.post(
        f"{ws}/new/?kind=email", {"name": "Taken", "recipients": "a@b.test", "events": EVENTS}
    )
    assert "already exists" in response.content.decode()


def test_unknown_kind_goes_back_to_the_list(admin_client, ws):
    assert admin_client.get(f"{ws}/new/?kind=fax")["Location"] == f"{ws}/"


def test_send_test_is_queued_then_its_result_shows(admin_client, ws, world, receiver):
    channel = factories.make_channel(world.alpha, url=receiver.url, enabled=False)
    response = admin_client.post(f"{ws}/{channel.code}/test/", follow=True)
    page = response.content.decode()
    assert "Test notification queued" in page and "Waiting for the alerts process" in page
    assert 'data-open="1"' in page
    delivery = Delivery.objects.get()
    assert delivery.event.kind == "test" and delivery.status == DeliveryStatus.PENDING

    assert deliver_due() == 1  # a disabled channel still takes its own test
    fragment = admin_client.get(f"{ws}/{channel.code}/deliveries/")
    assert fragment["Cache-Control"].startswith("max-age=0")
    text = fragment.content.decode()
    assert "Delivered" in text and "UTC" in text and 'data-open="0"' in text
    assert "Test notification from Access Portal" in receiver.requests[0].body.decode()


def test_failed_deliveries_are_shown_on_the_channel_page(admin_client, ws, world, receiver):
    channel = factories.make_channel(world.alpha, url=receiver.url)
    receiver.answer((404, b""), (200, b""))
    admin_client.post(f"{ws}/{channel.code}/test/")
    deliver_due()
    admin_client.post(f"{ws}/{channel.code}/test/")
    deliver_due()
    listing = admin_client.get(f"{ws}/").content.decode()
    assert "1 failed" in listing
    page = admin_client.get(f"{ws}/{channel.code}/").content.decode()
    assert "1 delivery failed" in page and "The receiver answered HTTP 404." in page
    failed = admin_client.get(f"{ws}/{channel.code}/", {"status": "failed"}).content.decode()
    assert failed.count('class="badge status-failed"') == 1 and "Delivered" not in failed


def test_delete_removes_the_channel_and_its_deliveries(admin_client, ws, world):
    channel = factories.make_channel(world.alpha)
    admin_client.post(f"{ws}/{channel.code}/test/")
    response = admin_client.post(f"{ws}/{channel.code}/delete/")
    assert response.status_code == 302
    assert not Channel.objects.exists() and not Delivery.objects.exists()


def test_only_admins_see_notifications_in_the_navigation(world, admin_client, member_client):
    home = f"/w/{world.alpha.code}/deployments/"
    assert "/notifications/" in admin_client.get(home).content.decode()
    assert "/notifications/" not in member_client.get(home).content.decode()


def test_rotate_secrets_reencrypts_channel_targets(world, settings):
    from django.core.management import call_command

    from accessportal import crypto
    from tests.conftest import TEST_KEYS

    hook = factories.make_channel(world.alpha, url="http://127.0.0.1:9/x", secret="s" * 20)
    mail = factories.make_channel(world.alpha, kind="email")
    settings.PORTAL_ENCRYPTION_KEYS = [TEST_KEYS[1], TEST_KEYS[0]]
    crypto.active_keyring.cache_clear()
    call_command("rotate_secrets")
    settings.PORTAL_ENCRYPTION_KEYS = [TEST_KEYS[1]]  # the old key is gone now
    crypto.active_keyring.cache_clear()
    hook.refresh_from_db()
    mail.refresh_from_db()
    assert hook.target().url == "http://127.0.0.1:9/x" and hook.target().secret == "s" * 20
    assert mail.target().url == ""


def test_demo_workspace_gets_one_console_email_channel(db, simulator):
    from django.core.management import call_command

    from accessportal import demo as seeding
    from tests.conftest import PASSWORD

    workspace = seeding.seed(simulator.state, simulator_url=simulator.url, password=PASSWORD)
    call_command("seed_demo_alerts")
    call_command("seed_demo_alerts")  # again: nothing changes
    [channel] = workspace.workspace.alert_channels.all()
    assert channel.kind == "email" and channel.recipient_list() == ["demo@example.test"]


def test_deliveries_page_and_keep_the_filter(admin_client, ws, world, settings):
    channel = factories.make_channel(world.alpha)
    for _ in range(51):
        admin_client.post(f"{ws}/{channel.code}/test/")
    page = admin_client.get(f"{ws}/{channel.code}/", {"status": "pending", "page": "2"})
    text = page.content.decode()
    assert "Page 2 of 2" in text and "status=pending&amp;page=1" in text
    assert f"{channel.code}/deliveries/?status=pending&amp;page=2" in text


@pytest.mark.parametrize("kind", ["feishu", "dingtalk", "wecom"])
def test_a_platforms_error_message_never_keeps_the_channels_token_or_secret(
    admin_client, ws, world, receiver, caplog, kind
):
    # A platform may echo what it was sent in its error message: the hook's token in the
    # path, the key in the query, the signing secret. The message is kept and shown, the
    # canaries never.
    token, key, secret = (f"CANARY{n}{uuid.uuid4().hex}" for n in "TKS")
    url = f"{receiver.url}/{token}?key={key}"
    channel = factories.make_channel(world.alpha, kind=kind, url=url, secret=secret)
    echo = f"invalid hook {url} token={token} key={quote(key)} sign={secret}"
    receiver.answer((200, json.dumps({"errcode": 93000, "errmsg": echo}).encode()))
    admin_client.post(f"{ws}/{channel.code}/test/")
    deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("The receiver refused the message: code 93000 invalid")
    page = admin_client.get(f"{ws}/{channel.code}/").content.decode()
    assert "code 93000 invalid hook" in page
    for canary in (token, key, secret):
        for place in (delivery.last_error, page, caplog.text, every_stored_text()):
            assert canary not in place
