"""Sending one delivery: email through Django's mail settings, webhooks through the
portal's one outbound client (``chat/upstream.py``: address rules, deadline, byte cap).

Error texts kept on a delivery are plain and short; they never quote a URL (chat
platforms put their token in it), a header, a body or a password. The one piece of a
receiver's answer kept (Feishu's, DingTalk's and WeCom's error message) is scrubbed of the
channel's URL, its token and its signing secret first: a platform may echo them.
"""

from __future__ import annotations

import smtplib
from dataclasses import replace
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables

from alerts.formats import Alert, Outcome, email_text, judge, webhook_request
from alerts.models import Channel
from chat.calls import policy_from_settings
from chat.hints import upstream_message
from chat.scrub import Scrubber
from chat.upstream import UpstreamError, UpstreamPolicy, post_json

# Upstream error kinds a retry cannot fix: the address itself is refused or malformed.
PERMANENT_UPSTREAM = {"invalid_url", "invalid_request", "blocked_address", "redirect"}
RESPONSE_CAP = 64 * 1024  # a receiver's answer is read only to judge it
# The chat platforms' tokens are 24 to 64 characters (Slack's last path segment, Feishu's
# hook id, WeCom's key, DingTalk's access_token); the words of their APIs ("open-apis",
# "robot", "send") are shorter and must stay readable in an error.
TOKEN_CHARS = 16


def url_secrets(url: str) -> list[str]:
    """What in a webhook URL lets its holder post: the URL itself, and each path segment
    and query value long enough to be a token."""
    parts = urlsplit(url)
    pieces = parts.path.split("/") + [value for _name, value in parse_qsl(parts.query)]
    return [url, *(piece for piece in pieces if len(piece) >= TOKEN_CHARS)]


def webhook_policy() -> UpstreamPolicy:
    deadline = settings.PORTAL_ALERTS_SEND_DEADLINE
    return replace(
        policy_from_settings(),
        connect_timeout=min(deadline, settings.PORTAL_UPSTREAM_CONNECT_TIMEOUT),
        read_timeout=deadline,
        total_deadline=deadline,
        max_bytes=RESPONSE_CAP,
    )


@sensitive_variables("target")
def send_webhook(channel: Channel, alert: Alert, *, now: datetime) -> Outcome:
    target = channel.target()
    request = webhook_request(channel.kind, alert, url=target.url, secret=target.secret, now=now)
    try:
        response = post_json(
            request.url, headers=request.headers, body=request.body, policy=webhook_policy()
        )
    except UpstreamError as error:
        return Outcome(
            ok=False,
            error=upstream_message(error),  # in the channel's language (delivery.attempt)
            permanent=error.kind in PERMANENT_UPSTREAM,
            status=error.status,
        )
    outcome = judge(channel.kind, response.status, response.body)
    scrubber = Scrubber([*url_secrets(target.url), target.secret])
    return replace(outcome, error=scrubber.text(outcome.error))


def send_email(channel: Channel, alert: Alert) -> Outcome:
    subject, body = email_text(alert)
    message = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        channel.recipient_list(),
        headers={"X-Portal-Delivery": alert.code, "X-Portal-Event": alert.kind},
    )
    try:
        with get_connection(timeout=settings.PORTAL_ALERTS_SEND_DEADLINE) as connection:
            message.connection = connection
            message.send()
    except smtplib.SMTPRecipientsRefused:
        return Outcome(False, gettext("The mail server refused every recipient."), permanent=True)
    except smtplib.SMTPResponseException as error:
        # 5xx is the server's final word; 4xx means try later. The server's text may
        # echo what it was sent, so only the code is kept.
        code = error.smtp_code
        text = gettext("The mail server answered %(code)s.") % {"code": code}
        return Outcome(False, text, permanent=code >= 500, status=code)
    except (smtplib.SMTPException, OSError):
        return Outcome(False, gettext("Could not reach the mail server."))
    return Outcome(ok=True)


def send(channel: Channel, alert: Alert, *, now: datetime) -> Outcome:
    if channel.is_email:
        return send_email(channel, alert)
    return send_webhook(channel, alert, now=now)
