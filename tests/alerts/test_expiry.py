"""Expiry warnings at 30, 7 and 1 days, once each per access and expiry; the access list's
*expiring soon* filter and sort, and the count in the navigation."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accessportal.models import ApplicationAccess
from alerts.expiry import warn_expiring
from alerts.models import Event, ExpiryWarning
from tests import factories


def subjects() -> list[str]:
    return list(Event.objects.order_by("created_at", "id").values_list("subject", flat=True))


def test_each_threshold_is_warned_once(world):
    factories.make_channel(world.alpha, events=["key_expiring"])
    start = timezone.now()
    access = factories.make_access(world.alpha, name="ci", expires_at=start + timedelta(days=45))

    assert warn_expiring(now=start) == 0  # 45 days left: nothing yet
    assert warn_expiring(now=start + timedelta(days=15)) == 1  # 30 days left
    assert warn_expiring(now=start + timedelta(days=16)) == 0  # already told
    assert warn_expiring(now=start + timedelta(days=38)) == 1  # 7 days left
    assert warn_expiring(now=start + timedelta(days=44, hours=1)) == 1  # under a day
    assert warn_expiring(now=start + timedelta(days=44, hours=2)) == 0
    assert warn_expiring(now=start + timedelta(days=46)) == 0  # expired: no more warnings
    assert subjects() == [
        "The key of “ci” expires within 30 days",
        "The key of “ci” expires within 7 days",
        "The key of “ci” expires within 1 day",
    ]
    event = Event.objects.first()
    assert event.kind == "key_expiring"
    assert event.fact_dict() == {
        "Access": "ci",
        "Key": access.key_hint,
        "Expires": (start + timedelta(days=45)).strftime("%Y-%m-%d %H:%M UTC"),
    }


def test_only_the_nearest_threshold_for_a_late_registration(world):
    factories.make_channel(world.alpha, events=["key_expiring"])
    now = timezone.now()
    factories.make_access(world.alpha, name="late", expires_at=now + timedelta(days=5))
    assert warn_expiring(now=now) == 1
    assert warn_expiring(now=now + timedelta(days=1)) == 0
    assert subjects() == ["The key of “late” expires within 7 days"]


def test_a_changed_expiry_rearms_the_warnings(world):
    factories.make_channel(world.alpha, events=["key_expiring"])
    now = timezone.now()
    access = factories.make_access(world.alpha, expires_at=now + timedelta(days=3))
    assert warn_expiring(now=now) == 1
    access.expires_at = now + timedelta(days=20)  # extended on the platform, edited here
    access.save()
    assert warn_expiring(now=now) == 1
    assert ExpiryWarning.objects.count() == 2


def test_disabled_and_unexpiring_accesses_are_not_warned(world):
    factories.make_channel(world.alpha, events=["key_expiring"])
    now = timezone.now()
    factories.make_access(world.alpha, expires_at=now + timedelta(days=2), disabled=True)
    factories.make_access(world.alpha)
    assert warn_expiring(now=now) == 0


def test_warnings_are_recorded_even_without_a_channel(world):
    """Idempotence does not depend on channels: adding one later does not replay old
    thresholds."""
    now = timezone.now()
    factories.make_access(world.alpha, expires_at=now + timedelta(days=6))
    assert warn_expiring(now=now) == 1
    factories.make_channel(world.alpha, events=["key_expiring"])
    assert warn_expiring(now=now) == 0
    assert not Event.objects.exists()


def test_access_list_filters_and_sorts_by_expiry(world, viewer_client):
    now = timezone.now()
    factories.make_access(world.alpha, name="a-never")
    factories.make_access(world.alpha, name="b-soon", expires_at=now + timedelta(days=3))
    factories.make_access(world.alpha, name="c-later", expires_at=now + timedelta(days=90))
    factories.make_access(world.alpha, name="d-sooner", expires_at=now + timedelta(days=1))
    factories.make_access(world.alpha, name="e-gone", expires_at=now - timedelta(days=1))
    url = f"/w/{world.alpha.code}/access/"

    soon = viewer_client.get(url, {"expiry": "soon"}).content.decode()
    assert "b-soon" in soon and "d-sooner" in soon
    assert "a-never" not in soon and "c-later" not in soon and "e-gone" not in soon
    assert soon.count("expires soon</span>") == 2

    page = viewer_client.get(url, {"sort": "expires"}).content.decode()
    order = [page.index(name) for name in ("e-gone", "d-sooner", "b-soon", "c-later", "a-never")]
    assert order == sorted(order)
    # Nonsense in the query string is ignored, not an error.
    assert viewer_client.get(url, {"sort": "x", "expiry": "y"}).status_code == 200


def test_navigation_counts_keys_expiring_soon(world, viewer_client):
    now = timezone.now()
    for n in range(2):
        factories.make_access(world.alpha, expires_at=now + timedelta(days=10 + n))
    factories.make_access(world.beta, expires_at=now + timedelta(days=1))
    page = viewer_client.get(f"/w/{world.alpha.code}/deployments/").content.decode()
    assert '2<span class="visually-hidden"> expiring soon</span>' in page
    ApplicationAccess.objects.update(expires_at=None)
    page = viewer_client.get(f"/w/{world.alpha.code}/deployments/").content.decode()
    assert "expiring soon</span>" not in page


def test_a_process_that_lost_the_race_does_not_warn_twice(world, monkeypatch):
    """Two senders read "not warned yet" at the same moment; the unique row lets one win."""
    import alerts.expiry

    factories.make_channel(world.alpha, events=["key_expiring"])
    now = timezone.now()
    factories.make_access(world.alpha, expires_at=now + timedelta(days=3))
    assert warn_expiring(now=now) == 1

    class StaleRead:
        class objects:
            filter = staticmethod(lambda **kw: ExpiryWarning.objects.none())
            create = staticmethod(ExpiryWarning.objects.create)

    monkeypatch.setattr(alerts.expiry, "ExpiryWarning", StaleRead)
    assert warn_expiring(now=now) == 0
    assert Event.objects.count() == 1
