"""Raising events: who gets a delivery, in the raiser's transaction; the audit trail's
key events; and a canary key that reaches no notification."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from django.db import transaction

from accessportal import audit
from accessportal.models import ApplicationAccess, AuditAction
from alerts.delivery import deliver_due
from alerts.models import Delivery, Event, EventKind
from alerts.services import raise_event
from tests import factories
from tests.conftest import PASSWORD


def drift(workspace, **kw) -> int:
    return raise_event(
        workspace=workspace,
        kind=kw.pop("kind", EventKind.DRIFT_FOUND),
        subject="Drift on Pangu NLP chat",
        facts={"Deployment": "Pangu NLP chat"},
        **kw,
    )


def test_one_delivery_per_enabled_subscribed_channel_of_the_workspace(world):
    wants = factories.make_channel(world.alpha, name="wants")
    factories.make_channel(world.alpha, name="other events", events=["key_rotated"])
    factories.make_channel(world.alpha, name="off", enabled=False)
    factories.make_channel(world.beta, name="other workspace")
    assert drift(world.alpha) == 1
    assert list(Delivery.objects.values_list("channel__name", flat=True)) == [wants.name]
    event = Event.objects.get()
    assert event.kind == "drift_found" and event.facts == [["Deployment", "Pangu NLP chat"]]


def test_nothing_is_recorded_without_a_channel(world):
    assert drift(world.alpha) == 0
    assert not Event.objects.exists()


def test_a_rolled_back_change_notifies_no_one(world):
    factories.make_channel(world.alpha)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert drift(world.alpha) == 1
        raise RuntimeError("the change failed after raising")
    assert not Delivery.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "test"}, ValueError),  # only the Send test button sends those
        ({"kind": "nonsense"}, ValueError),
        ({"facts": {"Latency": 1.5}}, TypeError),
    ],
)
def test_bad_calls_are_programming_errors(world, kwargs, error):
    factories.make_channel(world.alpha)
    args = {"workspace": world.alpha, "kind": "drift_found", "subject": "s", "facts": {}}
    with pytest.raises(error):
        raise_event(**(args | kwargs))


def test_revealing_and_rotating_a_key_notify_through_the_audit_trail(world, admin_client):
    factories.make_channel(world.alpha, events=["key_revealed", "key_rotated"])
    access = factories.make_access(world.alpha, name="team-all")
    ws = f"/w/{world.alpha.code}"
    admin_client.post(f"{ws}/access/{access.code}/reveal/", {"password": PASSWORD})
    admin_client.post(f"{ws}/access/{access.code}/rotate/", {"api_key": "new-key-0123456789xyz"})
    revealed, rotated = Event.objects.order_by("created_at", "id")
    assert revealed.kind == "key_revealed"
    assert revealed.subject == "Key of “team-all” revealed by admin"
    assert revealed.fact_dict()["Access"] == "team-all"
    assert revealed.fact_dict()["By"] == "admin"
    assert revealed.fact_dict()["When"].endswith(" UTC")
    assert revealed.link == f"{ws}/access/{access.code}/"
    assert rotated.kind == "key_rotated"
    assert rotated.fact_dict()["Details"] == f"Key {access.key_hint} replaced by new******xyz"
    assert Delivery.objects.count() == 2


def test_a_failed_audit_write_takes_its_notification_with_it(world):
    factories.make_channel(world.alpha)
    access = factories.make_access(world.alpha)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(
            workspace=world.alpha,
            actor=world.admin,
            action=AuditAction.ACCESS_REVEAL,
            target=access.name,
        )
        raise RuntimeError
    assert not Delivery.objects.exists()


def test_a_canary_key_reaches_no_notification(world, admin_client, receiver, smtp, caplog):
    caplog.set_level(logging.DEBUG)
    canary, rotated = f"CANARY{uuid.uuid4().hex}", f"CANARY{uuid.uuid4().hex}"
    for kind in ("webhook", "feishu", "dingtalk", "wecom", "slack"):
        factories.make_channel(world.alpha, kind=kind, url=receiver.url, name=kind)
    factories.make_channel(world.alpha, kind="email", name="mail")
    ws = f"/w/{world.alpha.code}"
    admin_client.post(
        f"{ws}/access/new/",
        {"name": "canary", "scope": "all", "api_key": canary, "expires_at": "2099-01-01 00:00"},
    )
    access = ApplicationAccess.objects.get(name="canary")
    admin_client.post(f"{ws}/access/{access.code}/reveal/", {"password": PASSWORD})
    admin_client.post(f"{ws}/access/{access.code}/rotate/", {"api_key": rotated})
    for channel in world.alpha.alert_channels.all():
        admin_client.post(f"{ws}/notifications/{channel.code}/test/")
    drift(world.alpha)
    assert deliver_due(limit=100) == Delivery.objects.count() >= 6 * 4

    sent = [r.body.decode() + json.dumps(r.headers) + str(r.query) for r in receiver.requests]
    sent += [m.as_string() for m in smtp.messages]
    stored = [json.dumps([e.subject, e.facts, e.link]) for e in Event.objects.all()]
    stored += [d.last_error for d in Delivery.objects.all()]
    pages = [admin_client.get(f"{ws}/notifications/").content.decode()]
    pages += [
        admin_client.get(f"{ws}/notifications/{c.code}/").content.decode()
        for c in world.alpha.alert_channels.all()
    ]
    assert len(sent) >= 24
    for secret in (canary, rotated):
        assert not any(secret in text for text in sent + stored + pages)
        assert secret not in caplog.text
