"""Each notification format to the character, and the receivers' answers judged in full:
what a person reads in the chat, the mail and the delivery's last error (pure functions).

Kept apart from test_formats.py (the shapes, signatures and address rules) so these read
as one table of exact answers.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from alerts import formats
from alerts.formats import Outcome
from tests.alerts.test_formats import ALERT, NOW

LINES = (
    "Deployment: Pangu NLP chat\n"
    "Cause: 2 failed probes: APIG.0303\n"
    "Workspace: Demo <team> & co\n"
    "Time: 2026-11-29 16:30 UTC"
)
HEADERS = {"Content-Type": "application/json", "X-Portal-Delivery": ALERT.code}


@pytest.fixture
def server_far_from_utc(monkeypatch):
    """The process's local zone set to one far from UTC, as on a server left in its
    region's zone; put back afterwards."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_utc_whatever_the_servers_zone(server_far_from_utc):
    alert = formats.Alert(
        **{**ALERT.__dict__, "created_at": NOW.astimezone(ZoneInfo("Asia/Shanghai"))}
    )
    assert formats.plain_lines(alert)[-1] == "Time: 2026-11-29 16:30 UTC"
    assert formats.generic_body(alert)["created_at"] == "2026-11-29T16:30:00+00:00"


def test_times_are_written_in_the_channels_zone_naming_it(server_far_from_utc):
    alert = formats.Alert(**{**ALERT.__dict__, "zone": ZoneInfo("Asia/Shanghai")})
    written = "2026-11-30 00:30 UTC+08:00 (Asia/Shanghai)"
    assert formats.plain_lines(alert)[-1] == f"Time: {written}"
    context = formats.slack_body(alert)["blocks"][-1]["elements"][0]["text"]
    assert context.startswith(f"Demo &lt;team&gt; &amp; co · {written}")


def test_email_text_in_full():
    subject, body = formats.email_text(ALERT)
    assert subject == "[Access Portal] Pangu NLP chat is down"
    assert body == (
        "Pangu NLP chat is down\n\n" + LINES + "\n\nhttps://portal.example.test/w/x/deployments/y/"
        "\n\n— Access Portal. Admins choose these notifications on the workspace's "
        "Notifications page.\n"
    )


def test_email_without_a_link_has_no_empty_link_line():
    alert = formats.Alert(**{**ALERT.__dict__, "link": ""})
    assert formats.email_text(alert)[1] == (
        "Pangu NLP chat is down\n\n" + LINES + "\n\n— Access Portal. Admins choose these "
        "notifications on the workspace's Notifications page.\n"
    )


def test_dingtalk_and_wecom_markdown_in_full():
    bullets = "\n".join(f"- {line}" for line in LINES.splitlines())
    link = f"[Open in Access Portal]({ALERT.link})"
    assert formats.dingtalk_body(ALERT)["markdown"]["text"] == (
        f"### Pangu NLP chat is down\n\n{bullets}\n\n{link}"
    )
    assert formats.wecom_body(ALERT)["markdown"]["content"] == (
        f"**Pangu NLP chat is down**\n\n{bullets}\n\n{link}"
    )


def test_slack_headline_and_context_blocks():
    alert = formats.Alert(**{**ALERT.__dict__, "subject": "a <b> & c"})
    blocks = formats.slack_body(alert)["blocks"]
    assert blocks[0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*a &lt;b&gt; &amp; c*"},
    }
    assert blocks[-1] == {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": "Demo &lt;team&gt; &amp; co · 2026-11-29 16:30 UTC · "
                f"<{ALERT.link}|Open in Access Portal>",
            }
        ],
    }


def test_generic_request_names_the_event_in_a_header():
    request = formats.webhook_request("webhook", ALERT, url="https://h/x", secret="s", now=NOW)
    assert request.url == "https://h/x"
    assert request.headers["X-Portal-Event"] == "deployment_down"
    assert request.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("wecom", formats.wecom_body),
        ("slack", formats.slack_body),
        ("feishu", formats.feishu_body),
        ("dingtalk", formats.dingtalk_body),
    ],
)
def test_chat_requests_post_their_body_as_compact_json_to_the_url(kind, body):
    url = "https://hooks.example.test/send?key=K"
    request = formats.webhook_request(kind, ALERT, url=url, secret="", now=NOW)
    assert (request.url, request.headers) == (url, HEADERS)
    assert (
        request.body == json.dumps(body(ALERT), ensure_ascii=False, separators=(",", ":")).encode()
    )


def test_non_ascii_text_is_sent_as_utf8_not_escaped():
    # The chat platforms cap a message in bytes: "\u4e0b" escapes take six bytes per
    # character where UTF-8 takes three, and some platforms show the escapes as typed.
    alert = formats.Alert(**{**ALERT.__dict__, "subject": "盘古部署已停止"})
    for kind in ("webhook", "feishu", "dingtalk", "wecom", "slack"):
        request = formats.webhook_request(kind, alert, url="https://h/x", secret="", now=NOW)
        assert "盘古部署已停止".encode() in request.body, kind


def test_dingtalk_signature_starts_the_query_when_the_url_has_none():
    request = formats.webhook_request("dingtalk", ALERT, url="https://h/send", secret="S", now=NOW)
    parts = urlsplit(request.url)
    assert request.url.startswith("https://h/send?timestamp=")
    assert set(parse_qs(parts.query)) == {"timestamp", "sign"}


def test_an_unknown_kind_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"^not a webhook kind: email$"):
        formats.webhook_request("email", ALERT, url="https://h/", secret="", now=NOW)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome(ok=True, status=200)),
        (299, Outcome(ok=True, status=299)),
        (300, Outcome(False, "The receiver answered HTTP 300.", permanent=False, status=300)),
        (410, Outcome(False, "The receiver answered HTTP 410.", permanent=True, status=410)),
        (502, Outcome(False, "The receiver answered HTTP 502.", permanent=False, status=502)),
    ],
)
def test_http_outcome_in_full(status, outcome):
    assert formats.http_outcome(status) == outcome


def refused(code, message="", permanent=True):
    text = f"The receiver refused the message: code {code} {message}".strip()
    return Outcome(False, text, permanent=permanent, status=200)


@pytest.mark.parametrize(
    ("kind", "body", "outcome"),
    [
        ("feishu", b'{"code":19021,"msg":"sign match fail"}', refused(19021, "sign match fail")),
        ("feishu", b'{"StatusCode":19024,"StatusMessage":"x"}', refused(19024)),
        ("feishu", b'{"code":9499,"msg":"too many"}', refused(9499, "too many", permanent=False)),
        (
            "dingtalk",
            b'{"errcode":310000,"errmsg":"sign not match"}',
            refused(310000, "sign not match"),
        ),
        ("wecom", b'{"errcode":93000,"msg":"","errmsg":"bad key"}', refused(93000, "bad key")),
        ("wecom", b'{"errcode":93000}', refused(93000)),
        ("wecom", b'{"errcode":93000,"errmsg":"' + b"x" * 300 + b'"}', refused(93000, "x" * 200)),
        # nothing to say no: delivered
        ("feishu", b"{}", Outcome(ok=True, status=200)),
        ("feishu", b'{"StatusCode":0}', Outcome(ok=True, status=200)),
        ("feishu", b"[19021]", Outcome(ok=True, status=200)),
        ("feishu", b'{"code":"19021"}', Outcome(ok=True, status=200)),
        # a generic webhook's or Slack's body is not read for codes
        ("webhook", b'{"code":19021,"msg":"x"}', Outcome(ok=True, status=200)),
        ("slack", b'{"errcode":93000}', Outcome(ok=True, status=200)),
    ],
)
def test_judge_in_full(kind, body, outcome):
    assert formats.judge(kind, 200, body) == outcome
