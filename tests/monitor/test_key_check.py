"""Check key: asked on the access page, made by the monitor process, followed live."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from accessportal.models import AuditEvent
from chat.hints import hint_for
from monitor.models import KeyCheck
from tests import factories
from tests.monitor.helpers import raised_events, run_pass


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def status(client, demo, access) -> dict:
    return client.get(f"/w/{demo.code}/access/{access.code}/check/status/").json()


def test_check_key_runs_on_the_monitor_and_the_page_follows_it(demo, monkeypatch):
    client = client_for("demo-member")
    access = demo.accesses.get(name="fault-lab")
    response = client.post(f"/w/{demo.code}/access/{access.code}/check/", follow=True)
    # The request only asked: nothing was called yet, the page says it is checking.
    page = response.content.decode()
    assert "Checking… 0 of" in page and 'data-pending="1"' in page
    running = access.deployments.filter(status="running")
    expected = sum(len(d.versions) for d in running)
    assert KeyCheck.objects.get().items.count() == expected
    assert status(client, demo, access)["done"] is False

    with raised_events(monkeypatch) as events:
        run_pass()
    live = status(client, demo, access)
    assert live["done"] is True
    html = live["html"]
    # Every version of every covered running deployment, with its code and plain hint.
    assert html.count("<tr>") == expected + 1
    assert "APIG.0308" in html and str(hint_for("APIG.0308", 429)) in html
    assert "message warning" in html and "failed" in html and "message success" not in html
    access.refresh_from_db()
    matrix = {row["name"]: row for row in access.last_check.values()}
    assert set(matrix) == set(running.values_list("name", flat=True))
    assert matrix["Fault: throttle"]["error_code"] == "APIG.0308"
    assert set(matrix["Fault: throttle"]["versions"]) == {"v1", "v2"}
    assert matrix["Fault: error_502"]["status"] == 502
    audit = AuditEvent.objects.get(action="access.check", target="fault-lab")
    assert audit.actor.username == "demo-member"
    assert [e["kind"] for e in events] == ["key_check_failed"] and events[0]["in_transaction"]
    assert access.api_key() not in str(events)
    throttled = demo.deployments.get(name="Fault: throttle")
    deployment_page = client.get(f"/w/{demo.code}/deployments/{throttled.code}/").content.decode()
    assert "last check" in deployment_page and "APIG.0308" in deployment_page


def test_a_good_key_gets_a_success_banner_only_when_every_call_answers(demo):
    client = client_for("demo")
    access = demo.accesses.get(name="edge-team")
    client.post(f"/w/{demo.code}/access/{access.code}/check/")
    run_pass()
    html = status(client, demo, access)["html"]
    assert "message success" in html and "all reachable" in html
    access.refresh_from_db()
    assert access.last_check and all(row["ok"] for row in access.last_check.values())
    # Both versions of the deployments that serve both were checked.
    assistant = demo.deployments.get(name="Edge node assistant")
    assert set(access.last_check[str(assistant.code)]["versions"]) == {"v1", "v2"}


def test_a_key_the_platform_refuses_everywhere_gets_an_error_banner(demo):
    client = client_for("demo")
    chat = demo.deployments.get(name="Pangu NLP chat")
    access = factories.make_access(
        demo, key="NotKnownToThePlatform0123456789", name="stale", deployments=[chat]
    )
    client.post(f"/w/{demo.code}/access/{access.code}/check/")
    run_pass()
    html = status(client, demo, access)["html"]
    assert "message error" in html and "all failed" in html
    assert "APIG.0303" in html and str(hint_for("APIG.0303", 401)) in html
    assert "Key refused by the platform" in html  # the drift flag on the access


def test_check_key_counts_against_the_rate_limit(demo, settings):
    from tests.playground_helpers import start_of_a_rate_window

    settings.PORTAL_PLAYGROUND_RATE_LIMIT = (
        4  # edge-team: five calls (2 deployments with 2 versions, 1 with one)
    )
    client = client_for("demo-member")
    access = demo.accesses.get(name="edge-team")
    start_of_a_rate_window()
    page = client.post(f"/w/{demo.code}/access/{access.code}/check/", follow=True)
    assert "over your limit of 4 test calls" in page.content.decode()
    assert not KeyCheck.objects.exists()


def test_a_result_is_not_kept_for_a_key_rotated_meanwhile(demo):
    from django.utils import timezone

    client = client_for("demo")
    access = demo.accesses.get(name="edge-team")
    client.post(f"/w/{demo.code}/access/{access.code}/check/")
    access.key_rotated_at = timezone.now()
    access.save()
    run_pass()
    access.refresh_from_db()
    assert access.last_check == {}


def test_a_disabled_access_is_not_checked(demo):
    client = client_for("demo")
    access = demo.accesses.get(name="edge-team")
    access.disabled = True
    access.save()
    page = client.post(f"/w/{demo.code}/access/{access.code}/check/", follow=True)
    assert "enable it first" in page.content.decode() and not KeyCheck.objects.exists()
    assert (
        client_for("demo-viewer").post(f"/w/{demo.code}/access/{access.code}/check/").status_code
        == 403
    )


def test_a_key_checks_calls_are_in_the_test_call_history_as_the_askers(demo):
    from chat.models import Origin, TestCall

    client = client_for("demo-member")
    access = demo.accesses.get(name="fault-lab")
    client.post(f"/w/{demo.code}/access/{access.code}/check/")
    run_pass()
    item_count = KeyCheck.objects.get().items.count()
    calls = TestCall.objects.filter(origin=Origin.KEY_CHECK)
    assert calls.count() == item_count and TestCall.objects.count() == item_count
    throttled = calls.get(deployment__name="Fault: throttle", api_version="v2")
    assert (throttled.username, throttled.access, throttled.error_code) == (
        "demo-member",
        access,
        "APIG.0308",
    )
    assert throttled.outcome == "error" and throttled.status_code == 429
    # The history lists them under their origin, and no page or export shows the key.
    listing = client.get(
        f"/w/{demo.code}/playground/history/", {"origin": "key_check"}
    ).content.decode()
    assert "Fault: throttle" in listing and "Key check" in listing
    assert client.get(
        f"/w/{demo.code}/playground/history/", {"origin": "playground"}
    ).content.decode().count("Fault: throttle") < listing.count("Fault: throttle")
    detail = client.get(f"/w/{demo.code}/playground/history/{throttled.code}/").content.decode()
    export = client.get(f"/w/{demo.code}/playground/history/export.csv").getvalue().decode()
    for text in (listing, detail, export, str(list(calls.values()))):
        assert access.api_key() not in text


def test_scheduled_probes_stay_out_of_the_test_call_history(demo):
    from chat.models import TestCall
    from monitor.models import Probe

    run_pass()
    assert Probe.objects.exists() and not TestCall.objects.exists()
