"""Deliveries over real sockets: signed webhooks to a loopback receiver in every format,
email through a loopback SMTP server, retries with backoff, permanent failures, and
claims that keep two senders from sending one delivery twice."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from accessportal import crypto
from alerts.delivery import claim, claim_expiry, deliver_due, deliver_one
from alerts.models import Delivery, DeliveryStatus, EventKind
from alerts.services import raise_event
from tests import factories
from tests.test_gunicorn import postgres_url  # noqa: F401 (a fixture: a fresh database)

BASE_DIR = Path(__file__).resolve().parents[2]
SECRET = "whsec-0123456789abcdefghij"
FACTS = {"Deployment": "Pangu NLP chat", "Cause": "2 failed probes"}


def down(workspace) -> int:
    return raise_event(
        workspace=workspace,
        kind=EventKind.DEPLOYMENT_DOWN,
        subject="Pangu NLP chat is down",
        facts=FACTS,
        link="/w/x/deployments/y/",
    )


def only_delivery() -> Delivery:
    return Delivery.objects.get()


def test_generic_webhook_is_signed_and_carries_the_event(world, receiver, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.test"
    factories.make_channel(world.alpha, url=receiver.url, secret=SECRET)
    assert down(world.alpha) == 1
    assert deliver_due() == 1

    [request] = receiver.requests
    stamp = request.headers["x-portal-timestamp"]
    mac = hmac.new(SECRET.encode(), stamp.encode() + b"." + request.body, hashlib.sha256)
    assert request.headers["x-portal-signature"] == f"sha256={mac.hexdigest()}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-portal-event"] == "deployment_down"
    body = json.loads(request.body)
    delivery = only_delivery()
    assert body["id"] == request.headers["x-portal-delivery"] == str(delivery.code)
    assert body["event"] == "deployment_down" and body["facts"] == FACTS
    assert body["workspace"] == "Alpha"
    assert body["link"] == "https://portal.example.test/w/x/deployments/y/"
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    assert delivery.last_status == 200 and delivery.sent_at is not None


def test_a_wrong_secret_does_not_verify(world, receiver):
    factories.make_channel(world.alpha, url=receiver.url, secret=SECRET)
    down(world.alpha)
    deliver_due()
    request = receiver.requests[0]
    stamp = request.headers["x-portal-timestamp"]
    forged = hmac.new(b"not-the-secret", stamp.encode() + b"." + request.body, hashlib.sha256)
    assert request.headers["x-portal-signature"] != f"sha256={forged.hexdigest()}"


def _feishu(request, secret):
    body = json.loads(request.body)
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "Pangu NLP chat is down"
    assert [{"tag": "text", "text": "Deployment: Pangu NLP chat"}] in post["content"]
    key = f"{body['timestamp']}\n{secret}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _dingtalk(request, secret):
    body = json.loads(request.body)
    assert body["msgtype"] == "markdown"
    assert "Cause: 2 failed probes" in body["markdown"]["text"]
    stamp = request.query["timestamp"][0]
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert request.query["sign"] == [base64.b64encode(digest).decode()]
    assert request.query["access_token"] == ["tok"]


def _wecom(request, secret):
    body = json.loads(request.body)
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["content"].startswith("**Pangu NLP chat is down**")


def _slack(request, secret):
    body = json.loads(request.body)
    assert body["text"] == "Pangu NLP chat is down"
    assert body["blocks"][1]["fields"][0]["text"] == "*Deployment*\nPangu NLP chat"


@pytest.mark.parametrize(
    ("kind", "check", "answer"),
    [
        ("feishu", _feishu, b'{"code":0,"msg":"success"}'),
        ("dingtalk", _dingtalk, b'{"errcode":0,"errmsg":"ok"}'),
        ("wecom", _wecom, b'{"errcode":0,"errmsg":"ok"}'),
        ("slack", _slack, b"ok"),
    ],
)
def test_each_chat_format_reaches_the_receiver(world, receiver, kind, check, answer):
    receiver.answer((200, answer))
    url = receiver.url + ("?access_token=tok" if kind == "dingtalk" else "")
    factories.make_channel(world.alpha, kind=kind, url=url, secret=SECRET)
    down(world.alpha)
    assert deliver_due() == 1
    [request] = receiver.requests
    check(request, SECRET)
    assert only_delivery().status == DeliveryStatus.SENT


def test_a_platform_refusal_in_a_200_body_fails_for_good(world, receiver):
    receiver.answer((200, b'{"errcode":310000,"errmsg":"sign not match"}'))
    factories.make_channel(world.alpha, kind="dingtalk", url=receiver.url, secret=SECRET)
    down(world.alpha)
    deliver_due()
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.FAILED
    assert "310000" in delivery.last_error


def test_retries_back_off_exponentially_then_deliver(world, receiver, settings):
    settings.PORTAL_ALERTS_RETRY_SECONDS = 60
    receiver.answer((500, b"boom"), (503, b"busy"))
    factories.make_channel(world.alpha, url=receiver.url, secret=SECRET)
    down(world.alpha)
    start = timezone.now()

    assert deliver_due(now=start) == 1
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.due_at == start + timedelta(seconds=60)
    assert delivery.last_status == 500 and "500" in delivery.last_error

    assert deliver_due(now=start + timedelta(seconds=59)) == 0  # not yet due
    assert deliver_due(now=start + timedelta(seconds=60)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_status == 503
    assert delivery.due_at == start + timedelta(seconds=60 + 120)

    assert deliver_due(now=start + timedelta(seconds=180)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert delivery.last_error == ""
    assert len(receiver.requests) == 3
    # The same delivery id each time: the receiver can tell a retry from a new alert.
    assert len({r.headers["x-portal-delivery"] for r in receiver.requests}) == 1


def test_attempts_are_capped_and_the_last_error_kept(world, receiver, settings):
    settings.PORTAL_ALERTS_MAX_ATTEMPTS = 3
    receiver.answer(*[(502, b"")] * 5)
    factories.make_channel(world.alpha, url=receiver.url, secret=SECRET)
    down(world.alpha)
    moment = timezone.now()
    for _ in range(5):
        deliver_due(now=moment)
        moment += timedelta(days=1)
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert delivery.last_status == 502 and len(receiver.requests) == 3


@pytest.mark.parametrize(
    ("status", "final"),
    [
        (400, DeliveryStatus.FAILED),
        (401, DeliveryStatus.FAILED),
        (404, DeliveryStatus.FAILED),
        (410, DeliveryStatus.FAILED),
        (408, DeliveryStatus.PENDING),
        (429, DeliveryStatus.PENDING),
        (500, DeliveryStatus.PENDING),
    ],
)
def test_client_errors_are_permanent_except_408_and_429(world, receiver, status, final):
    receiver.answer((status, b""))
    factories.make_channel(world.alpha, url=receiver.url, secret=SECRET)
    down(world.alpha)
    deliver_due()
    delivery = only_delivery()
    assert delivery.status == final and delivery.attempts == 1


def test_a_refused_connection_is_retried(world, receiver):
    factories.make_channel(world.alpha, url="http://127.0.0.1:9/hook", secret=SECRET)
    down(world.alpha)
    deliver_due()
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.PENDING
    assert "127.0.0.1:9" in delivery.last_error and "/hook" not in delivery.last_error


def test_an_address_the_policy_refuses_fails_for_good(world, settings):
    factories.make_channel(world.alpha, url="http://127.0.0.1:9/hook", secret=SECRET)
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = False  # e.g. production after a config change
    down(world.alpha)
    deliver_due()
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.FAILED and "loopback" in delivery.last_error


def test_two_senders_cannot_claim_the_same_delivery(world):
    factories.make_channel(world.alpha)
    down(world.alpha)
    now = timezone.now()
    # Both senders read the row in the same state...
    pk, attempts = Delivery.objects.values_list("pk", "attempts").get()
    # ...and only the first conditional UPDATE changes it.
    assert claim(pk, attempts, now=now) is True
    assert claim(pk, attempts, now=now) is False
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.SENDING and delivery.attempts == 1
    assert deliver_due(now=now) == 0  # claimed rows are not due until the claim expires


def test_a_sender_killed_mid_send_loses_nothing(world, receiver):
    factories.make_channel(world.alpha, url=receiver.url, secret=SECRET)
    down(world.alpha)
    now = timezone.now()
    pk, attempts = Delivery.objects.values_list("pk", "attempts").get()
    assert claim(pk, attempts, now=now)  # this sender dies here, before sending
    stale = Delivery.objects.select_related("event__workspace", "channel").get()

    later = now + claim_expiry() + timedelta(seconds=1)
    assert deliver_due(now=later) == 1  # the claim expired: another sender takes over
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    # The first sender wakes up and tries to record a failure: it no longer owns the row.
    receiver.answer((500, b""))
    deliver_one(stale, now=later)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


SEED = """
from accessportal.models import Workspace
from alerts.models import Channel, WebhookTarget, SUBSCRIBABLE
from alerts.services import raise_event
ws = Workspace.objects.create(name="Two", project_id="p", inference_endpoint="https://x.test",
                              iam_endpoint="https://y.test")
channel = Channel(workspace=ws, kind="webhook", name="hook", events=list(SUBSCRIBABLE))
channel.set_target(WebhookTarget(url=URL, secret="s" * 20))
channel.save()
for n in range(COUNT):
    raise_event(workspace=ws, kind="drift_found", subject=f"drift {n}", facts={})
"""


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_two_sendalerts_processes_send_each_delivery_once(receiver, tmp_path, request, database):
    """Two real processes on one database, racing over the same due rows."""
    count = 40
    receiver.delay = 0.01  # each send takes a moment, so the two passes overlap
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'alerts.sqlite3'}"
        if database == "sqlite"
        else request.getfixturevalue("postgres_url"),
        PORTAL_ENCRYPTION_KEYS=crypto.generate_key(),
        PORTAL_UPSTREAM_ALLOW_LOOPBACK="true",
        DJANGO_SETTINGS_MODULE="accessportal.settings",
        REDIS_URL="",
    )
    manage = [sys.executable, "manage.py"]
    run = functools.partial(subprocess.run, cwd=BASE_DIR, env=env, check=True, timeout=120)
    run([*manage, "migrate", "--noinput", "-v", "0"])
    script = SEED.replace("URL", repr(receiver.url)).replace("COUNT", str(count))
    run([*manage, "shell", "-c", script])
    senders = [
        subprocess.Popen(
            [*manage, "sendalerts", "--once"], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [sender.communicate(timeout=120)[0].decode() for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0], outputs
    ids = [r.headers["x-portal-delivery"] for r in receiver.requests]
    assert len(ids) == count and len(set(ids)) == count
    claimed = [int(out.split("sendalerts: ")[1].split()[0]) for out in outputs]
    assert sum(claimed) == count, outputs  # every row claimed once, by one of the two


def test_email_goes_through_a_real_smtp_server(world, smtp):
    factories.make_channel(
        world.alpha, kind="email", recipients="ops@example.test\nlead@example.test"
    )
    down(world.alpha)
    assert deliver_due() == 1
    [message] = smtp.messages
    assert message["Subject"] == "[Access Portal] Pangu NLP chat is down"
    assert message["From"] == "portal@example.test"
    assert sorted(smtp.envelopes[0].rcpt_tos) == ["lead@example.test", "ops@example.test"]
    delivery = only_delivery()
    assert message["X-Portal-Delivery"] == str(delivery.code)
    text = message.get_payload(decode=True).decode()
    assert "Deployment: Pangu NLP chat" in text and "UTC" in text
    assert delivery.status == DeliveryStatus.SENT


@pytest.mark.parametrize(("code", "final"), [(550, "failed"), (451, "pending")])
def test_smtp_refusals(world, smtp, code, final):
    smtp.refuse = code
    factories.make_channel(world.alpha, kind="email")
    down(world.alpha)
    deliver_due()
    delivery = only_delivery()
    assert delivery.status == final and str(code) in delivery.last_error


def test_unreachable_mail_server_is_retried(world, settings):
    from tests.alerts.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    factories.make_channel(world.alpha, kind="email")
    down(world.alpha)
    deliver_due()
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "Could not reach the mail server."


def test_a_channel_disabled_before_sending_sends_nothing(world, receiver):
    channel = factories.make_channel(world.alpha, url=receiver.url, secret=SECRET)
    down(world.alpha)
    channel.enabled = False
    channel.save()
    deliver_due()
    assert receiver.requests == []
    assert only_delivery().status == DeliveryStatus.FAILED


def test_sendalerts_once_sends_what_is_due(world, receiver):
    factories.make_channel(world.alpha, url=receiver.url, secret=SECRET)
    down(world.alpha)
    call_command("sendalerts", once=True)
    assert only_delivery().status == DeliveryStatus.SENT and len(receiver.requests) == 1


def test_prune_forgets_old_finished_deliveries_only(world, receiver, settings):
    from alerts.delivery import prune
    from alerts.models import Event

    settings.PORTAL_ALERTS_RETENTION_DAYS = 90
    factories.make_channel(world.alpha, url=receiver.url, secret=SECRET)
    receiver.answer((200, b""), (500, b""))
    down(world.alpha)
    deliver_due()  # delivered
    down(world.alpha)
    deliver_due()  # still retrying
    later = timezone.now() + timedelta(days=91)
    assert prune(now=later) > 0
    assert list(Delivery.objects.values_list("status", flat=True)) == ["pending"]
    assert Event.objects.count() == 1
    assert prune(now=timezone.now()) == 0


def test_an_undecryptable_channel_fails_that_delivery_only(world, receiver, settings):
    from alerts.models import Channel

    broken = factories.make_channel(world.alpha, url=receiver.url, secret=SECRET, name="broken")
    factories.make_channel(world.alpha, url=receiver.url, secret=SECRET, name="fine")
    Channel.objects.filter(pk=broken.pk).update(
        target_ciphertext=factories.make_channel(world.beta).target_ciphertext  # another row's
    )
    down(world.alpha)
    assert deliver_due() == 2
    by_channel = dict(Delivery.objects.values_list("channel__name", "status"))
    assert by_channel == {"broken": "failed", "fine": "sent"}
    assert "cannot be decrypted" in Delivery.objects.get(channel=broken).last_error


def test_failures_are_logged_without_the_url(world, receiver, caplog):
    receiver.answer((500, b""))
    factories.make_channel(world.alpha, url=receiver.url + "/tok-SECRET-PATH", secret=SECRET)
    down(world.alpha)
    deliver_due()
    assert "The receiver answered HTTP 500." in caplog.text
    assert "tok-SECRET-PATH" not in caplog.text and SECRET not in caplog.text


def test_a_receivers_error_text_with_nul_is_kept_as_postgresql_can_store_it(settings):
    """A receiver's errmsg is its own text: a NUL in it made the delivery's update fail."""
    from alerts.delivery import outcome_fields
    from alerts.formats import Outcome

    fields = outcome_fields(
        Outcome(ok=False, error="bad\x00token", status=200), 1, now=timezone.now()
    )
    assert fields["last_error"] == "bad\ufffdtoken"
    assert fields["status"] == DeliveryStatus.PENDING
