"""The monitor's events reach the alerts app's channels: raised with the change, sent by
the monitor's own pass, never holding a key."""

from __future__ import annotations

from django.core import mail

from alerts.models import Delivery
from tests import factories
from tests.monitor.helpers import only_due, run_pass


def test_an_outage_and_its_recovery_are_emailed_by_the_monitor(demo, flapping_clock, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    factories.make_channel(demo, kind="email", recipients="oncall@example.test")
    flapping = demo.deployments.get(name="Fault: flapping")
    only_due(flapping)
    run_pass()
    flapping_clock.down()
    for _ in range(2):
        only_due(flapping)
        run_pass()
    assert Delivery.objects.filter(event__kind="deployment_down").count() == 1
    flapping_clock.up()
    only_due(flapping)
    run_pass()
    subjects = [m.subject for m in mail.outbox]
    assert any("Fault: flapping is down" in s for s in subjects), subjects
    assert any("Fault: flapping recovered" in s for s in subjects), subjects
    keys = [a.api_key() for a in demo.accesses.all()]
    for message in mail.outbox:
        assert message.to == ["oncall@example.test"]
        assert not any(key in message.body for key in keys)
        assert "APIG.0201" in message.body or "recovered" in message.subject


def test_drift_is_announced_once(demo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    factories.make_channel(demo, kind="email")
    legacy = demo.deployments.get(name="Legacy chat")
    legacy.status = "running"
    legacy.save()
    for _ in range(2):
        only_due(legacy)
        run_pass()
    drift = [m for m in mail.outbox if "Drift on Legacy chat" in m.subject]
    assert len(drift) == 1 and "PANGU.3259" in drift[0].body
