"""Whatever a user or an upstream sends, the portal answers with a message, not a 500,
and the call is still recorded."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accessportal.models import ApplicationAccess
from chat.models import TestCall
from chat.streams import parse_completion, parse_stream
from tests.playground_helpers import auth_of, named, send


@pytest.fixture
def member(demo):
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    return client


@pytest.mark.parametrize(
    "payload",
    ['{"messages": [{"content": "hi"}], "max_tokens": ' + "9" * 5000 + "}", "[" * 100000],
    ids=["huge-number", "deep-nesting"],
)
def test_unreadable_bodies_are_a_400(demo, member, payload):
    chat = demo.deployments.get(name="Pangu NLP chat")
    response, _ = send(
        member,
        demo,
        deployment=chat,
        auth=auth_of(demo.accesses.get(name="team-all")),
        payload=payload,
    )
    assert (
        response.status_code == 400 and "not JSON the portal can read" in response.content.decode()
    )


@pytest.mark.parametrize(
    "usage",
    [{"prompt_tokens": -1, "completion_tokens": 99999999999, "total_tokens": "12345678901234"}],
)
def test_absurd_token_counts_are_dropped(usage):
    body = {"choices": [{"index": 0, "message": {"content": "x"}}], "usage": usage}
    parsed = parse_completion(json.dumps(body))
    assert parsed.text == "x" and parsed.usage is None
    events = parse_stream(["data:" + json.dumps(body), "data:" + "[" * 100000])
    assert any(getattr(e, "code", "") == "malformed" for e in events)


def test_an_undecryptable_key_is_an_error_event_and_recorded(demo, member):
    team = demo.accesses.get(name="team-all")
    ApplicationAccess.objects.filter(pk=team.pk).update(api_key_ciphertext="v1:00000000:AAAA")
    response, events = send(
        member,
        demo,
        deployment=demo.deployments.get(name="Pangu NLP chat"),
        auth=auth_of(team),
        stream=True,
    )
    assert response.status_code == 200
    error = named(events, "error")[0]
    assert error["code"] == "portal.decrypt" and "PORTAL_ENCRYPTION_KEYS" in error["hint"]
    assert TestCall.objects.get().outcome == "error"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("access/", "?q=a%00b&scope=nonsense"),
        ("playground/history/", "?deployment=a%00b&user=%00&version=v9&outcome=zz"),
    ],
)
def test_odd_filters_are_ignored(demo, member, path, query):
    assert member.get(f"/w/{demo.code}/{path}{query}").status_code == 200


def test_a_crash_report_inside_the_client_shows_no_secret(demo, monkeypatch, rf):
    """Django's error report of an exception deep in the outbound client hides every
    local there (the headers hold the key): the callers are sensitive_variables()."""
    import sys

    from django.views.debug import ExceptionReporter

    from chat import upstream
    from chat.calls import CallPlan, CallRun, policy_from_settings
    from chat.forms import final_body

    team = demo.accesses.get(name="team-all")
    deployment = demo.deployments.get(name="Pangu NLP chat")

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(upstream, "_send", boom)
    plan = CallPlan(
        deployment=deployment,
        version="v1",
        user=User.objects.get(username="demo-member"),
        body=final_body({"messages": [{"content": "hi"}]}, deployment=deployment, version="v1"),
        access=team,
    )
    run = CallRun(plan, policy_from_settings())
    request = rf.get("/")
    try:
        list(run.events())
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert "RuntimeError" in report
    assert team.api_key() not in report
