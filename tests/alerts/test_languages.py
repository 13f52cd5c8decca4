"""Notifications in each channel's language and time zone: every kind of channel and of
event rendered in Chinese (no stray English outside the allow-list, as the page test
checks pages) and in English; the Chinese reaching a loopback webhook receiver and SMTP
server; the channel form's defaults; errors kept in the channel's language."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from django.utils import timezone, translation

from accessportal import audit
from accessportal.models import AuditAction
from alerts import formats
from alerts.delivery import alert_for, deliver_due
from alerts.expiry import warn_expiring
from alerts.models import Channel, ChannelKind, Delivery, DeliveryStatus, EventKind
from alerts.services import queue_test, raise_event
from monitor import notify
from monitor.health import VersionResult, judge
from monitor.results import record_change
from tests import factories
from tests.i18n.visible_text import ALLOWED, words_of

SHANGHAI = "Asia/Shanghai"
EXPIRES = datetime(2027, 3, 1, 4, 30, tzinfo=UTC)  # 12:30 in Shanghai
# The e-mail subject's "[Access Portal]" tag stays as it is, for people's mail filters.
KEPT = {"Access", "Portal"}
# What the monitor judges: V1 failing its second pass in a row, then answering again.
DOWN = judge(
    [VersionResult("v1", "error", "APIG.0201", 502, 30)], failures=1, slow_ms=5000, down_after=2
)
UP = judge([VersionResult("v1", "ok", latency_ms=30)], failures=2, slow_ms=5000, down_after=2)


def readable_text(kind: str, alert: formats.Alert) -> str:
    """Everything a person reads of the notification, as the channel would show it."""
    if kind == ChannelKind.EMAIL:
        subject, body = formats.email_text(alert)
        return f"{subject}\n{body}"
    request = formats.webhook_request(kind, alert, url="https://h.test/x", secret="", now=EXPIRES)
    data = json.loads(request.body)
    if kind == ChannelKind.WEBHOOK:  # JSON for programs: keys and codes are not prose
        return "\n".join([data["subject"], *data["facts"].keys(), *data["facts"].values()])
    if kind == ChannelKind.FEISHU:
        post = data["content"]["post"]["zh_cn"]
        texts = [item["text"] for row in post["content"] for item in row]
        return "\n".join([post["title"], *texts])
    if kind == ChannelKind.SLACK:
        blocks = json.dumps(data["blocks"], ensure_ascii=False)
        return data["text"] + "\n" + blocks.replace("mrkdwn", "").replace("section", "")
    return json.dumps(data["markdown"], ensure_ascii=False)


def stray_english(text: str, data: list[str]) -> list[str]:
    allowed = ALLOWED | KEPT | {word for value in data for word in words_of(value)}
    for key in ("type", "text", "fields", "context", "elements", "title", "content"):
        allowed.add(key)  # JSON keys of the chat formats
    return [word for word in words_of(text) if word not in allowed]


def raise_every_kind(world, admin):
    """One event of each kind, by the code that raises it in the portal."""
    access = factories.make_access(world.alpha, name="ci-key", expires_at=EXPIRES)
    warn_expiring(now=EXPIRES - timedelta(days=5))
    audit.record(
        workspace=world.alpha,
        actor=admin,
        action=AuditAction.ACCESS_REVEAL,
        target=access.name,
        summary=lambda: translation.gettext("Key revealed"),  # kept in every language
        ip="127.0.0.1",
    )
    deployment = factories.make_deployment(world.alpha, name="chat-prod")
    record_change(deployment, old="up", verdict=DOWN, now=timezone.now())
    record_change(deployment, old="down", verdict=UP, now=timezone.now())
    raise_event(
        workspace=world.alpha,
        kind=EventKind.DRIFT_FOUND,
        subject=notify.lazy_format(
            translation.gettext_lazy("Drift on %(name)s: %(kind)s"),
            {"name": "chat-prod", "kind": translation.gettext_lazy("Key refused")},
        ),
        facts={translation.gettext_lazy("Deployment"): "chat-prod"},
    )
    return access


@pytest.mark.parametrize("kind", ChannelKind.values)
def test_every_notification_in_chinese_and_in_english(world, kind):
    zh = factories.make_channel(
        world.alpha, kind=kind, name="zh", language="zh-hans", time_zone=SHANGHAI
    )
    en = factories.make_channel(world.alpha, kind=kind, name="en", language="en")
    access = raise_every_kind(world, world.admin)
    queue_test(channel=zh, actor=world.admin)
    queue_test(channel=en, actor=world.admin)
    data = ["Alpha", "ci-key", "chat-prod", "admin", "zh", "en", "V1 APIG.0201", access.key_hint]
    times = kind != ChannelKind.WEBHOOK  # JSON gives created_at as an ISO instant

    deliveries = Delivery.objects.select_related("event__workspace", "channel")
    kinds = {d.event.kind for d in deliveries}
    assert kinds == set(EventKind.values) - {EventKind.KEY_CHECK_FAILED, EventKind.KEY_ROTATED}
    for delivery in deliveries:
        with translation.override("en"):  # the sender's own language does not matter
            alert = alert_for(delivery)
            with translation.override(delivery.channel.language):
                text = readable_text(kind, alert)
        if delivery.channel == zh:
            assert stray_english(text, data) == [], (delivery.event.kind, text)
            assert not times or "UTC+08:00 (Asia/Shanghai)" in text
        else:
            assert not times or "UTC" in text
            assert "Asia/Shanghai" not in text
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    [zh_expiry] = [d for d in deliveries if d.channel == zh and d.event.kind == "key_expiring"]
    with translation.override("zh-hans"):
        text = readable_text(kind, alert_for(zh_expiry))
    assert "2027-03-01 12:30 UTC+08:00 (Asia/Shanghai)" in text  # the expiry, in the zone
    assert "天" in text and "ci-key" in text


def test_chinese_reaches_a_loopback_webhook_and_smtp_server(world, receiver, smtp, admin_client):
    factories.make_channel(
        world.alpha, kind="feishu", url=receiver.url, language="zh-hans", time_zone=SHANGHAI
    )
    factories.make_channel(world.alpha, kind="email", name="mail", language="zh-hans")
    factories.make_access(world.alpha, name="ci-key", expires_at=EXPIRES)
    assert warn_expiring(now=EXPIRES - timedelta(hours=5)) == 1
    assert deliver_due() == 2

    [request] = receiver.requests
    post = json.loads(request.body)["content"]["post"]["zh_cn"]
    assert post["title"] == "“ci-key”的密钥将在 1 天内过期"
    lines = [item["text"] for row in post["content"] for item in row]
    assert "工作空间: Alpha" in lines
    assert "过期时间: 2027-03-01 12:30 UTC+08:00 (Asia/Shanghai)" in lines

    [mail] = smtp.messages
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == "[Access Portal] “ci-key”的密钥将在 1 天内过期"
    body = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert "2027-03-01 04:30 UTC" in body  # the channel's zone: UTC by default
    assert "接入门户" in body


def test_the_monitors_cause_is_in_each_channels_language(world, receiver):
    for language in ("zh-hans", "en"):
        factories.make_channel(
            world.alpha, kind="webhook", name=language, url=receiver.url, language=language
        )
    deployment = factories.make_deployment(world.alpha, name="chat-prod")
    with translation.override("en"):  # the monitor's own language does not matter
        record_change(deployment, old="up", verdict=DOWN, now=timezone.now())
    assert deliver_due() == 2

    facts = [json.loads(request.body)["facts"] for request in receiver.requests]
    causes = sorted(f.get("原因") or f["Cause"] for f in facts)
    assert causes == [
        "Failed 2 passes in a row: V1: APIG.0201 (HTTP 502).",
        "连续 2 轮失败：V1: APIG.0201 (HTTP 502)。",  # noqa: RUF001
    ]


def test_send_test_from_a_chinese_page_in_the_channels_language(world, receiver, admin_client):
    channel = factories.make_channel(world.alpha, kind="slack", url=receiver.url, language="en")
    admin_client.cookies["django_language"] = "zh-hans"
    url = f"/w/{world.alpha.code}/notifications/{channel.code}/test/"
    response = admin_client.post(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    assert deliver_due() == 1
    body = json.loads(receiver.requests[0].body)
    assert body["text"] == "Test notification from Access Portal"
    # The channel page, read in Chinese, gives the subject in the reader's language.
    page = admin_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert "来自接入门户的测试通知" in page.decode()


def test_a_new_channel_starts_in_the_admins_language_and_zone(world, admin_client):
    saved = admin_client.post("/profile/", {"language": "zh-hans", "time_zone": SHANGHAI})
    assert saved.status_code == 302
    base = f"/w/{world.alpha.code}/notifications/new/?kind=email"
    page = admin_client.get(base).content.decode()
    assert '<option value="zh-hans" selected>' in page
    assert f'<option value="{SHANGHAI}" selected>' in page
    response = admin_client.post(
        base, {"name": "ops", "recipients": "ops@example.test", "events": ["key_expiring"]}
    )
    assert response.status_code == 302
    channel = Channel.objects.get(name="ops")
    assert (channel.language, channel.time_zone) == ("zh-hans", SHANGHAI)

    edit = f"/w/{world.alpha.code}/notifications/{channel.code}/edit/"
    form = {"name": "ops", "recipients": "ops@example.test", "events": ["key_expiring"]}
    response = admin_client.post(edit, {**form, "language": "en", "time_zone": "UTC"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.language, channel.time_zone) == ("en", "UTC")
    bad = admin_client.post(edit, {**form, "language": "fr", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200 and bad.context["form"].errors.keys() == {
        "language",
        "time_zone",
    }
    channel.refresh_from_db()
    assert (channel.language, channel.time_zone) == ("en", "UTC")


def test_a_failed_delivery_is_explained_in_the_channels_language(world):
    from tests.alerts.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens: refused
    factories.make_channel(world.alpha, url=url, language="zh-hans")
    factories.make_channel(world.alpha, url=url, language="en", name="en")
    raise_event(workspace=world.alpha, kind="drift_found", subject="x", facts={})
    assert deliver_due() == 2
    errors = dict(Delivery.objects.values_list("channel__language", "last_error"))
    assert errors == {
        "zh-hans": f"{url[7:22]} 拒绝了连接",
        "en": f"{url[7:22]} refused the connection",
    }
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
