"""What a notification looks like on each channel: pure functions from an ``Alert`` to
the bytes sent, and from the receiver's answer to an ``Outcome``.

Every format carries the same things: the subject, the labelled facts, a link, the
workspace and the delivery's id (receivers can drop duplicates: delivery is at least once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlencode

from django.utils.translation import gettext

from accessportal import timefmt
from alerts import signing

JSON = "application/json"
# Codes the chat platforms answer with HTTP 200 when they throttle a bot: worth a retry.
THROTTLED_CODES = {
    "feishu": {9499, 11232, 11233},
    "dingtalk": {130101, 410100},
    "wecom": {45009, 45033},
}


@dataclass(frozen=True)
class Alert:
    code: str
    kind: str
    kind_label: str
    subject: str
    workspace: str
    created_at: datetime
    facts: dict[str, str] = field(default_factory=dict)
    link: str = ""  # absolute URL, or empty when PORTAL_BASE_URL is not set
    test: bool = False
    zone: tzinfo = UTC  # the channel's: every time in the text is written in it


@dataclass(frozen=True)
class OutboundRequest:
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str = ""
    permanent: bool = False  # retrying cannot help (bad address, refused credentials)
    status: int | None = None


def time_text(moment: datetime, zone: tzinfo = UTC) -> str:
    """A time as every notification shows it: minutes, with its zone
    (``2026-11-29 16:20 UTC+08:00 (Asia/Shanghai)``, ``2026-11-29 08:20 UTC``)."""
    return timefmt.absolute(moment, zone)


def _dumps(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def plain_lines(alert: Alert) -> list[str]:
    lines = [f"{label}: {value}" for label, value in alert.facts.items()]
    lines.append(f"{gettext('Workspace')}: {alert.workspace}")
    lines.append(f"{gettext('Time')}: {time_text(alert.created_at, alert.zone)}")
    return lines


# ----------------------------------------------------------------------------- bodies


def generic_body(alert: Alert) -> dict:
    return {
        "id": alert.code,
        "event": alert.kind,
        "subject": alert.subject,
        "workspace": alert.workspace,
        "facts": dict(alert.facts),
        "link": alert.link,
        "created_at": alert.created_at.astimezone(UTC).isoformat(),
        "test": alert.test,
    }


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(alert: Alert) -> dict:
    facts = [
        {"type": "mrkdwn", "text": f"*{_slack_escape(k)}*\n{_slack_escape(v)}"}
        for k, v in list(alert.facts.items())[:10]  # Slack allows ten fields per section
    ]
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_slack_escape(alert.subject)}*"}}
    ]
    if facts:
        blocks.append({"type": "section", "fields": facts})
    context = f"{_slack_escape(alert.workspace)} · {time_text(alert.created_at, alert.zone)}"
    if alert.link:
        context += f" · <{alert.link}|{_open_text()}>"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": alert.subject, "blocks": blocks}


def feishu_body(alert: Alert) -> dict:
    content = [[{"tag": "text", "text": line}] for line in plain_lines(alert)]
    if alert.link:
        content.append([{"tag": "a", "text": _open_text(), "href": alert.link}])
    return {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": alert.subject, "content": content}}},
    }


def _open_text() -> str:
    return gettext("Open in Access Portal")


def _markdown(alert: Alert, *, title: str) -> str:
    lines = [title, ""]
    lines += [f"- {line}" for line in plain_lines(alert)]
    if alert.link:
        lines += ["", f"[{_open_text()}]({alert.link})"]
    return "\n".join(lines)


def dingtalk_body(alert: Alert) -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": alert.subject,
            "text": _markdown(alert, title=f"### {alert.subject}"),
        },
    }


def wecom_body(alert: Alert) -> dict:
    # WeCom's markdown has no headings: the subject is bold instead.
    return {
        "msgtype": "markdown",
        "markdown": {"content": _markdown(alert, title=f"**{alert.subject}**")},
    }


def email_text(alert: Alert) -> tuple[str, str]:
    """(subject, plain-text body) of the email."""
    body = [alert.subject, "", *plain_lines(alert)]
    if alert.link:
        body += ["", alert.link]
    body += [
        "",
        gettext(
            "— Access Portal. Admins choose these notifications on the workspace's "
            "Notifications page."
        ),
    ]
    prefix = gettext("[Test] ") if alert.test else ""
    return f"{prefix}[Access Portal] {alert.subject}", "\n".join(body) + "\n"


# ---------------------------------------------------------------------------- requests


def webhook_request(
    kind: str, alert: Alert, *, url: str, secret: str, now: datetime
) -> OutboundRequest:
    """The exact request for a webhook channel of ``kind``, signed where it signs."""
    headers = {"Content-Type": JSON, "X-Portal-Delivery": alert.code}
    seconds = int(now.timestamp())
    if kind == "webhook":
        body = _dumps(generic_body(alert))
        headers["X-Portal-Event"] = alert.kind
        headers[signing.TIMESTAMP_HEADER] = str(seconds)
        headers[signing.SIGNATURE_HEADER] = signing.portal_signature(secret, seconds, body)
        return OutboundRequest(url, headers, body)
    if kind == "feishu":
        data = feishu_body(alert)
        if secret:
            data = {"timestamp": str(seconds), "sign": signing.feishu_sign(secret, seconds), **data}
        return OutboundRequest(url, headers, _dumps(data))
    if kind == "dingtalk":
        if secret:
            millis = seconds * 1000
            query = urlencode({"timestamp": millis, "sign": signing.dingtalk_sign(secret, millis)})
            url += ("&" if "?" in url else "?") + query
        return OutboundRequest(url, headers, _dumps(dingtalk_body(alert)))
    if kind == "wecom":
        return OutboundRequest(url, headers, _dumps(wecom_body(alert)))
    if kind == "slack":
        return OutboundRequest(url, headers, _dumps(slack_body(alert)))
    raise ValueError(f"not a webhook kind: {kind}")


def http_outcome(status: int) -> Outcome:
    """2xx delivered; 408, 429 and 5xx worth a retry; any other answer is permanent
    (the URL, the token or the payload is wrong, and sending it again will not help)."""
    if 200 <= status < 300:
        return Outcome(ok=True, status=status)
    permanent = 400 <= status < 500 and status not in (408, 429)
    error = gettext("The receiver answered HTTP %(status)s.") % {"status": status}
    return Outcome(ok=False, error=error, permanent=permanent, status=status)


def judge(kind: str, status: int, body: bytes) -> Outcome:
    """Feishu, DingTalk and WeCom answer 200 with an error code in the body."""
    outcome = http_outcome(status)
    if not outcome.ok or kind not in THROTTLED_CODES:
        return outcome
    try:
        data = json.loads(body)
    except ValueError:
        return outcome
    if not isinstance(data, dict):
        return outcome
    code = data.get("code", data.get("errcode", data.get("StatusCode", 0)))
    if not isinstance(code, int) or code == 0:
        return outcome
    message = str(data.get("msg") or data.get("errmsg") or "")[:200]
    return Outcome(
        ok=False,
        error=(
            gettext("The receiver refused the message: code %(code)s %(message)s")
            % {"code": code, "message": message}
        ).strip(),
        permanent=code not in THROTTLED_CODES[kind],
        status=status,
    )
