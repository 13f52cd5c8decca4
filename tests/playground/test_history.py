"""The history: a call on its own page, replayed in the playground, filtered, exported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from chat.models import TestCall
from tests import factories
from tests.playground_helpers import auth_of, send


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def member(demo):
    return client_of("demo-member")


def playground_call(demo, member, *, version="v2", stream=True) -> TestCall:
    access = demo.accesses.get(name="team-all")
    deployment = demo.deployments.get(name="Pangu NLP chat")
    response, events = send(
        member, demo, deployment=deployment, version=version, auth=auth_of(access), stream=stream
    )
    assert response.status_code == 200
    return TestCall.objects.get(code=events[-1][1]["test_call"])


def test_a_call_opens_on_its_own_page_with_the_request_masked(demo, member):
    call = playground_call(demo, member)
    key = demo.accesses.get(name="team-all").api_key()
    assert call.origin == "playground"
    assert call.request_headers["Authorization"] != f"Bearer {key}"
    page = member.get(f"/w/{demo.code}/playground/history/{call.code}/").content.decode()
    assert key not in page
    assert call.request_url in page and "Authorization: Bearer" in page
    assert "pangu-nlp-n1-32k" in page  # V2's model, as sent
    assert "data: " in page and "[DONE]" in page  # the raw stream
    assert "demo-member" in page and "UTC" in page
    assert f"?replay={call.code}" in page


def test_a_viewer_reads_a_call_but_is_not_offered_a_replay(demo, member):
    call = playground_call(demo, member, stream=False)
    factories.add_member(demo, User.objects.create_user("watcher"), "viewer")
    page = client_of("watcher").get(f"/w/{demo.code}/playground/history/{call.code}/")
    assert page.status_code == 200 and "Open in playground" not in page.content.decode()


def test_open_in_playground_preselects_the_call(demo, member):
    call = playground_call(demo, member)
    page = member.get(f"/w/{demo.code}/playground/?replay={call.code}").content.decode()
    start = page.index('id="playground-replay"')
    replay = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert replay["deployment"] == str(call.deployment.code)
    assert replay["version"] == "v2"
    assert replay["auth"] == f"access:{call.access.code}"
    # The portal's own additions are left for the portal to add again.
    assert "model" not in replay["body"] and "stream_options" not in replay["body"]
    assert replay["body"]["stream"] is True


def test_a_foreign_or_odd_replay_code_opens_a_plain_playground(demo, member, world):
    foreign = factories.make_test_call(world.beta)
    for code in (foreign.code, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = member.get(f"/w/{demo.code}/playground/?replay={code}")
        assert response.status_code == 200
        assert "playground-replay" not in response.content.decode()


def test_no_prompts_kept_means_no_body_and_no_answer_kept(demo, member, settings):
    settings.PORTAL_TESTCALL_PROMPT_CHARS = 0
    call = playground_call(demo, member)
    assert call.request_body is None and call.response_raw == ""
    assert call.request_headers  # masked headers hold no prompt
    page = member.get(f"/w/{demo.code}/playground/history/{call.code}/").content.decode()
    assert "The body is not kept" in page


@pytest.fixture
def history(world):
    ws = world.alpha
    now = timezone.now()
    rows = {
        "old": factories.make_test_call(
            ws, created_at=now - dt.timedelta(days=10), username="ann", deployment_name="a"
        ),
        "err": factories.make_test_call(
            ws, outcome="error", status_code=401, username="bob", deployment_name="b"
        ),
        "check": factories.make_test_call(
            ws, origin="key_check", username="ann", auth_label="other (x******y)"
        ),
        "api": factories.make_test_call(ws, origin="api", api_version="v2", username="=cmd"),
    }
    factories.make_test_call(world.beta, username="ann")  # never seen from Alpha
    return rows


FILTERS = [
    ({}, {"old", "err", "check", "api"}),
    ({"user": "ann"}, {"old", "check"}),
    ({"deployment": "b"}, {"err"}),
    ({"outcome": "error"}, {"err"}),
    ({"origin": "key_check"}, {"check"}),
    ({"origin": "api", "version": "v2"}, {"api"}),
    ({"credential": "other (x******y)"}, {"check"}),
    ({"date_to": "{old}"}, {"old"}),
    ({"date_from": "{today}"}, {"err", "check", "api"}),
    ({"outcome": "nonsense", "user": "bob"}, {"err"}),  # an odd value drops out, not a 500
    ({"date_from": "yesterday-ish"}, {"old", "err", "check", "api"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_filters_narrow_the_list_and_the_export_alike(
    world, member_client, history, query, expected
):
    days = {
        "old": history["old"].created_at.date().isoformat(),
        "today": timezone.now().date().isoformat(),
    }
    query = {k: v.format(**days) for k, v in query.items()}
    base = f"/w/{world.alpha.code}/playground/history/"
    page = member_client.get(base, query)
    assert page.status_code == 200
    shown = {name for name, call in history.items() if str(call.code) in page.content.decode()}
    assert shown == expected
    export = member_client.get(base + "export.csv", query)
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert {row["test_call"] for row in rows} == {str(history[n].code) for n in expected}


def test_the_export_is_streamed_csv_and_formula_safe(world, viewer_client, history):
    export = viewer_client.get(f"/w/{world.alpha.code}/playground/history/export.csv")
    assert export.status_code == 200 and export.streaming
    assert export["Content-Type"].startswith("text/csv")
    assert "attachment" in export["Content-Disposition"]
    text = b"".join(export.streaming_content).decode()
    assert "'=cmd" in text and ",=cmd" not in text


def test_the_canary_key_is_in_no_page_or_export(demo, member):
    call = playground_call(demo, member, version="v1", stream=False)
    key = demo.accesses.get(name="team-all").api_key()
    ws = f"/w/{demo.code}/playground"
    pages = [
        member.get(f"{ws}/history/").content,
        member.get(f"{ws}/history/{call.code}/").content,
        member.get(f"{ws}/?replay={call.code}").content,
        b"".join(member.get(f"{ws}/history/export.csv").streaming_content),
    ]
    assert all(key.encode() not in page for page in pages)
    assert "X-Apig-AppCode" in pages[1].decode()
