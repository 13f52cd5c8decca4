"""The pure parts, table by table: message bodies, signatures, the receivers' answers,
backoff, thresholds and the address rules for webhook URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from alerts import formats, signing
from alerts.delivery import retry_delay
from alerts.expiry import crossed_threshold
from alerts.forms import mask_url, validate_webhook_url

NOW = datetime(2026, 11, 29, 16, 30, tzinfo=UTC)
ALERT = formats.Alert(
    code="3f0c8a52-0000-4000-8000-000000000001",
    kind="deployment_down",
    kind_label="Deployment down",
    subject="Pangu NLP chat is down",
    workspace="Demo <team> & co",
    created_at=NOW,
    facts={"Deployment": "Pangu NLP chat", "Cause": "2 failed probes: APIG.0303"},
    link="https://portal.example.test/w/x/deployments/y/",
)


def test_generic_body_carries_every_field():
    assert formats.generic_body(ALERT) == {
        "id": ALERT.code,
        "event": "deployment_down",
        "subject": "Pangu NLP chat is down",
        "workspace": "Demo <team> & co",
        "facts": {"Deployment": "Pangu NLP chat", "Cause": "2 failed probes: APIG.0303"},
        "link": ALERT.link,
        "created_at": "2026-11-29T16:30:00+00:00",
        "test": False,
    }


def test_slack_body_is_blocks_with_escaped_text():
    body = formats.slack_body(ALERT)
    assert body["text"] == ALERT.subject
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds == ["section", "section", "context"]
    fields = body["blocks"][1]["fields"]
    assert fields[0] == {"type": "mrkdwn", "text": "*Deployment*\nPangu NLP chat"}
    context = body["blocks"][2]["elements"][0]["text"]
    assert "Demo &lt;team&gt; &amp; co" in context and "2026-11-29 16:30 UTC" in context
    assert f"<{ALERT.link}|Open in Access Portal>" in context


def test_slack_keeps_at_most_ten_fields():
    many = formats.Alert(**{**ALERT.__dict__, "facts": {str(i): "v" for i in range(15)}})
    assert len(formats.slack_body(many)["blocks"][1]["fields"]) == 10


def test_feishu_body_is_a_post_with_lines_and_link():
    body = formats.feishu_body(ALERT)
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == ALERT.subject
    assert post["content"][0] == [{"tag": "text", "text": "Deployment: Pangu NLP chat"}]
    assert post["content"][-1] == [
        {"tag": "a", "text": "Open in Access Portal", "href": ALERT.link}
    ]


def test_dingtalk_and_wecom_bodies_are_markdown():
    ding = formats.dingtalk_body(ALERT)
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == ALERT.subject
    assert ding["markdown"]["text"].startswith("### Pangu NLP chat is down")
    assert "- Cause: 2 failed probes: APIG.0303" in ding["markdown"]["text"]
    wecom = formats.wecom_body(ALERT)
    assert wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"].startswith("**Pangu NLP chat is down**\n")
    assert f"[Open in Access Portal]({ALERT.link})" in wecom["markdown"]["content"]


def test_email_text_has_subject_prefix_and_every_fact():
    subject, body = formats.email_text(ALERT)
    assert subject == "[Access Portal] Pangu NLP chat is down"
    assert "Deployment: Pangu NLP chat" in body and "Time: 2026-11-29 16:30 UTC" in body
    test = formats.Alert(**{**ALERT.__dict__, "test": True, "link": ""})
    assert formats.email_text(test)[0].startswith("[Test] ")
    assert "https://" not in formats.email_text(test)[1]


def test_generic_request_is_signed_over_timestamp_and_body():
    secret = "s3cret-for-signing"
    request = formats.webhook_request("webhook", ALERT, url="https://h/x", secret=secret, now=NOW)
    stamp = request.headers["X-Portal-Timestamp"]
    assert stamp == str(int(NOW.timestamp()))
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha256)
    assert request.headers["X-Portal-Signature"] == "sha256=" + expected.hexdigest()
    assert request.headers["X-Portal-Delivery"] == ALERT.code
    assert json.loads(request.body)["id"] == ALERT.code


def test_feishu_request_signs_when_a_secret_is_set():
    plain = formats.webhook_request("feishu", ALERT, url="https://h/x", secret="", now=NOW)
    assert "sign" not in json.loads(plain.body)
    signed = json.loads(
        formats.webhook_request("feishu", ALERT, url="https://h/x", secret="abc", now=NOW).body
    )
    seconds = int(NOW.timestamp())
    key = f"{seconds}\nabc".encode()
    assert signed["timestamp"] == str(seconds)
    assert signed["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_dingtalk_request_signs_in_the_query():
    url = "https://oapi.example.test/robot/send?access_token=T"
    request = formats.webhook_request("dingtalk", ALERT, url=url, secret="SEC", now=NOW)
    query = parse_qs(urlsplit(request.url).query)
    millis = int(NOW.timestamp()) * 1000
    digest = hmac.new(b"SEC", f"{millis}\nSEC".encode(), hashlib.sha256).digest()
    assert query["access_token"] == ["T"]
    assert query["timestamp"] == [str(millis)]
    assert query["sign"] == [base64.b64encode(digest).decode()]
    unsigned = formats.webhook_request("dingtalk", ALERT, url=url, secret="", now=NOW)
    assert unsigned.url == url


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        formats.webhook_request("email", ALERT, url="https://h/", secret="", now=NOW)


@pytest.mark.parametrize(
    ("kind", "status", "body", "ok", "permanent"),
    [
        ("webhook", 200, b"", True, False),
        ("webhook", 204, b"", True, False),
        ("webhook", 400, b"", False, True),
        ("webhook", 404, b"", False, True),
        ("webhook", 408, b"", False, False),
        ("webhook", 429, b"", False, False),
        ("webhook", 500, b"", False, False),
        ("webhook", 503, b"", False, False),
        ("slack", 200, b"ok", True, False),
        ("slack", 403, b"invalid_token", False, True),
        ("feishu", 200, b'{"code":0,"msg":"success"}', True, False),
        ("feishu", 200, b'{"StatusCode":0}', True, False),
        ("feishu", 200, b'{"code":19021,"msg":"sign match fail"}', False, True),
        ("feishu", 200, b'{"code":9499,"msg":"too many requests"}', False, False),
        ("dingtalk", 200, b'{"errcode":0,"errmsg":"ok"}', True, False),
        ("dingtalk", 200, b'{"errcode":310000,"errmsg":"sign not match"}', False, True),
        ("dingtalk", 200, b'{"errcode":130101,"errmsg":"send too fast"}', False, False),
        ("wecom", 200, b'{"errcode":93000,"errmsg":"invalid webhook url"}', False, True),
        ("wecom", 200, b'{"errcode":45009,"errmsg":"api freq out of limit"}', False, False),
        ("wecom", 200, b"not json", True, False),
    ],
)
def test_judge(kind, status, body, ok, permanent):
    outcome = formats.judge(kind, status, body)
    assert (outcome.ok, outcome.permanent) == (ok, permanent)
    if not ok:
        assert outcome.error


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 60), (2, 120), (3, 240), (4, 480), (20, 6 * 3600)],
)
def test_retry_delay_doubles_up_to_a_cap(attempts, seconds):
    assert retry_delay(attempts, 60) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("left", "threshold"),
    [
        (timedelta(days=40), None),
        (timedelta(days=30, seconds=1), None),
        (timedelta(days=30), 30),
        (timedelta(days=8), 30),
        (timedelta(days=7), 7),
        (timedelta(days=2), 7),
        (timedelta(hours=24), 1),
        (timedelta(minutes=5), 1),
        (timedelta(0), None),
        (timedelta(days=-1), None),
    ],
)
def test_crossed_threshold(left, threshold):
    assert crossed_threshold(NOW + left, NOW) == threshold


@pytest.mark.parametrize(
    "url",
    [
        "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
        "https://oapi.dingtalk.com/robot/send?access_token=x",
        "http://127.0.0.1:8080/hook",
        "http://localhost:9000/x",
        "https://[::1]:8443/h",
    ],
)
def test_webhook_urls_accepted(settings, url):
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = True
    validate_webhook_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.test/x",
        "https://user:pw@example.test/x",
        "https://exa mple.test/",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/x",
        "http://0.0.0.0:80/",
        "http://2852039166/x",  # 169.254.169.254 as one number
        "http://0xa9.0xfe.0xa9.0xfe/x",
        "http://[::ffff:169.254.169.254]/x",
        "http://10.0.0.5/hook",  # private ranges need PORTAL_UPSTREAM_ALLOW_PRIVATE
        "http://127.0.0.1:8080/hook",  # loopback refused in this configuration
        "http://localhost/hook",
        "https://example.test:99999/",
        "not a url",
    ],
)
def test_webhook_urls_refused(settings, url):
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = False
    settings.PORTAL_UPSTREAM_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError):
        validate_webhook_url(url)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.slack.com/services/T0/B0/XYZsecret", "https://hooks.slack.com/…"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K", "https://qyapi.weixin.qq.com/…"),
        ("https://example.test/", "https://example.test/"),
        ("https://example.test/?key=K", "https://example.test/…"),
        ("https://example.test#K", "https://example.test/…"),
    ],
)
def test_mask_url_hides_the_path(url, shown):
    assert mask_url(url) == shown


def test_generated_secrets_are_long_and_fresh():
    one, two = signing.generate_secret(), signing.generate_secret()
    assert one != two and len(one) >= 40
