"""End to end: the playground calls the simulator over a real socket."""

from __future__ import annotations

import logging

import pytest
import requests
from django.contrib.auth.models import User

from accessportal.models import ApplicationAccess, AuditEvent, Deployment, IamCredential
from chat.models import TestCall
from simulator.state import load_state
from tests import factories
from tests.playground_helpers import auth_of, body, named, send, start_of_a_rate_window


@pytest.fixture
def member(demo):
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    return client


def dep(demo, name) -> Deployment:
    return demo.deployments.get(name=name)


def access(demo, name) -> ApplicationAccess:
    return demo.accesses.get(name=name)


def sim_stats(simulator) -> dict:
    return requests.get(simulator.url + "/_sim/stats", timeout=5).json()


CASES = [
    ("Pangu NLP chat", "v1", "key"),
    ("Pangu NLP chat", "v1", "token"),
    ("Pangu NLP chat", "v2", "key"),
    ("Edge via ELB", "v1", "key"),
    ("Edge via ELB", "v2", "key"),
    ("Edge on node", "v1", "key"),
]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize(("name", "version", "auth"), CASES)
def test_calls_answer_with_text_usage_and_a_record(demo, member, name, version, auth, stream):
    deployment = dep(demo, name)
    chosen = (
        auth_of(credential=demo.iam_credentials.get())
        if auth == "token"
        else auth_of(access(demo, "team-all"))
    )
    response, events = send(
        member, demo, deployment=deployment, version=version, auth=chosen, stream=stream
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache" and response["X-Accel-Buffering"] == "no"
    names = [e for e, _ in events]
    assert names[0] == "start" and names[-1] == "end" and "error" not in names
    if stream:
        assert names.count("delta") > 1  # chunk by chunk, not one lump
    text = "".join(d["text"] for d in named(events, "delta"))
    assert len(text) > 10
    usage = named(events, "usage")[-1]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    start, end = named(events, "start")[0], named(events, "end")[0]
    assert start["url"] == deployment.call_paths()[version]
    assert end["status"] == 200
    if stream:
        assert end["ttft_ms"] is not None and end["ttft_ms"] <= end["latency_ms"]
    call = TestCall.objects.get(code=end["test_call"])
    assert (call.status_code, call.outcome, call.api_version, call.stream) == (
        200,
        "ok",
        version,
        stream,
    )
    assert call.total_tokens == usage["total_tokens"]
    assert call.auth_mode == ("token" if auth == "token" else "api_key")


def test_masked_headers_in_start_and_last_used(demo, member):
    team = access(demo, "team-all")
    _, events = send(member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=auth_of(team))
    start = named(events, "start")[0]
    assert start["headers"] == {"Content-Type": "application/json", "X-Apig-AppCode": team.key_hint}
    team.refresh_from_db()
    assert team.last_used_at is not None


def test_v2_model_comes_from_the_catalog(demo, member):
    deployment = dep(demo, "Pangu NLP chat")
    _, events = send(
        member,
        demo,
        deployment=deployment,
        version="v2",
        auth=auth_of(access(demo, "team-all")),
        payload=body(model="someone-elses-model"),
    )
    assert named(events, "start")[0]["body"]["model"] == deployment.model_name
    assert not named(events, "error")


def test_one_iam_token_serves_many_calls_and_is_renewed_when_revoked(demo, member, simulator):
    credential = demo.iam_credentials.get()
    chat = dep(demo, "Pangu NLP chat")
    before = sim_stats(simulator)["iam_tokens_issued"]
    for _ in range(3):
        send(member, demo, deployment=chat, auth=auth_of(credential=credential))
    assert sim_stats(simulator)["iam_tokens_issued"] == before + 1
    for renewals, stream in enumerate((True, False), start=2):
        # The platform invalidates the token (say, a password change): APIG.0307 once,
        # then a fresh token and one retry.
        requests.post(simulator.url + "/_sim/revoke-tokens", timeout=5)
        _, events = send(
            member, demo, deployment=chat, auth=auth_of(credential=credential), stream=stream
        )
        assert not named(events, "error") and named(events, "end")[0]["status"] == 200
        assert sim_stats(simulator)["iam_tokens_issued"] == before + renewals


def test_wrong_iam_password_is_explained(demo, member):
    credential = demo.iam_credentials.get()
    credential.set_password("not-the-password")
    credential.save()
    _, events = send(
        member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=auth_of(credential=credential)
    )
    error = named(events, "error")[0]
    assert error["code"] == "IAM.401" and "check the user" in error["hint"]


FAULTS = [
    ("Fault: error_500", False, "PANGU.0031", 500),
    ("Fault: error_502", False, "APIG.0201", 502),
    ("Fault: error_504", True, "APIG.0201", 504),
    ("Fault: throttle", False, "APIG.0308", 429),
    ("Fault: malformed_json", False, "upstream.malformed", 200),
    ("Fault: malformed_json", True, "upstream.malformed", 200),
    ("Fault: reset_mid_stream", True, "upstream.reset", 200),
    ("Fault: huge_body", False, "upstream.too_large", 200),
    ("Fault: redirect", False, "upstream.redirect", 307),
]


@pytest.mark.parametrize(("name", "stream", "code", "status"), FAULTS)
def test_every_fault_is_an_error_event_with_a_hint_never_a_500(
    demo, member, name, stream, code, status
):
    response, events = send(
        member,
        demo,
        deployment=dep(demo, name),
        auth=auth_of(access(demo, "team-all")),
        stream=stream,
    )
    assert response.status_code == 200
    error = named(events, "error")[0]
    assert error["code"] == code, error
    assert error["hint"]
    assert named(events, "end")[0]["status"] == status
    call = TestCall.objects.get()
    assert call.outcome == "error" and call.error_code == code


def test_slow_deployment_times_out(demo, member, settings):
    settings.PORTAL_UPSTREAM_READ_TIMEOUT = 0.5
    _, events = send(
        member, demo, deployment=dep(demo, "Fault: slow"), auth=auth_of(access(demo, "team-all"))
    )
    assert named(events, "error")[0]["code"] in ("upstream.read_timeout", "upstream.deadline")
    assert "Timed out" in named(events, "error")[0]["hint"]


def test_refused_connection(demo, member):
    deployment = dep(demo, "Edge on node")
    deployment.host_port = 1  # nothing listens there
    deployment.save()
    _, events = send(member, demo, deployment=deployment, auth=auth_of(access(demo, "team-all")))
    assert named(events, "error")[0]["code"] == "upstream.connect_refused"


def test_key_not_covering_is_refused_by_the_portal(demo, member, simulator):
    before = sim_stats(simulator)["requests"]
    response, _ = send(
        member, demo, deployment=dep(demo, "Edge via ELB"), auth=auth_of(access(demo, "only-chat"))
    )
    assert response.status_code == 400 and "not associated" in response.content.decode()
    assert not TestCall.objects.exists()
    assert sim_stats(simulator)["requests"] == before


def test_upstream_auth_errors_carry_the_documented_hints(demo, member, simulator):
    team = access(demo, "team-all")
    team.set_api_key("WRONGkey0123456789abcdef")
    team.save()
    _, events = send(member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=auth_of(team))
    assert named(events, "error")[0] | {"message": ""} == {
        "code": "APIG.0303",
        "message": "",
        "hint": "The key is wrong or missing.",
        "status": 401,
    }
    # A scoped key the simulator binds elsewhere: the catalog says "all", the platform disagrees.
    state = load_state(simulator.state)
    only_chat = next(a for a in state.app_accesses if a.name == "only-chat")
    scoped = demo.accesses.get(name="only-chat")
    scoped.all_services = True
    scoped.save()
    _, events = send(member, demo, deployment=dep(demo, "Edge via ELB"), auth=auth_of(scoped))
    assert named(events, "error")[0]["code"] == "APIG.0304"
    assert "edit the application access" in named(events, "error")[0]["hint"]
    assert only_chat.key not in str(events)


def test_not_running_deployment_is_refused_with_the_reason(demo, member):
    response, _ = send(
        member, demo, deployment=dep(demo, "Legacy chat"), auth=auth_of(access(demo, "team-all"))
    )
    assert response.status_code == 400 and "stopped" in response.content.decode()


def test_platform_says_not_running(demo, member):
    """The catalog can be behind the platform: PANGU.3259 comes back with its hint."""
    deployment = dep(demo, "Legacy chat")
    Deployment.objects.filter(pk=deployment.pk).update(status="running")
    _, events = send(
        member, demo, deployment=dep(demo, "Legacy chat"), auth=auth_of(access(demo, "team-all"))
    )
    assert named(events, "error")[0]["code"] == "PANGU.3259"
    assert named(events, "error")[0]["hint"] == "The service is not running."


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"messages": []}', "non-empty list"),
        (
            '{"messages": [{"content": "hi"}], "url": "http://169.254.169.254/"}',
            "Unknown field(s) url",
        ),
        (
            '{"messages": [{"content": "hi"}], "headers": {"X-Apig-AppCode": "x"}}',
            "Unknown field(s) headers",
        ),
        ('{"messages": [{"content": "hi"}], "temperature": "hot"}', "temperature must be"),
        (
            '{"messages": [{"content": "hi"}], "temperature": 1.5}',
            "On V1, temperature must be a number from 0 to 1.",
        ),
        (
            '{"messages": [{"content": "hi"}], "top_p": 0}',
            "On V1, top_p must be a number greater than 0 and at most 1.",
        ),
        ('{"messages": [{"role": "robot", "content": "hi"}]}', "role must be"),
    ],
)
def test_bad_bodies_are_refused_before_any_call(demo, member, simulator, payload, message):
    before = sim_stats(simulator)["requests"]
    response, _ = send(
        member,
        demo,
        deployment=dep(demo, "Pangu NLP chat"),
        auth=auth_of(access(demo, "team-all")),
        payload=payload,
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert sim_stats(simulator)["requests"] == before


def test_v2_with_a_token_is_refused(demo, member):
    response, _ = send(
        member,
        demo,
        deployment=dep(demo, "Pangu NLP chat"),
        version="v2",
        auth=auth_of(credential=demo.iam_credentials.get()),
    )
    assert response.status_code == 400 and "API keys only" in response.content.decode()


def test_other_workspace_objects_are_404_without_a_call(demo, member, world, simulator):

    foreign_dep = factories.make_deployment(world.beta)
    foreign_key = factories.make_access(world.beta)
    before = sim_stats(simulator)["requests"]
    r1, _ = send(member, demo, deployment=foreign_dep, auth=auth_of(access(demo, "team-all")))
    r2, _ = send(member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=auth_of(foreign_key))
    foreign_credential = auth_of(credential=factories.make_credential(world.beta))
    r3, _ = send(member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=foreign_credential)
    assert (r1.status_code, r2.status_code, r3.status_code) == (404, 404, 404)
    assert sim_stats(simulator)["requests"] == before


def test_disabled_and_expired_keys_are_refused(demo, member):
    team = access(demo, "team-all")
    team.disabled = True
    team.save()
    response, _ = send(member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=auth_of(team))
    assert response.status_code == 400 and "disabled" in response.content.decode()


def test_rate_limit(demo, member, settings):
    settings.PORTAL_PLAYGROUND_RATE_LIMIT = 2
    team = access(demo, "team-all")
    start_of_a_rate_window()
    codes = [
        send(member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=auth_of(team))[
            0
        ].status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    response = send(member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=auth_of(team))[0]
    assert "test calls a minute" in response.content.decode() and int(response["Retry-After"]) > 0


def test_viewer_has_no_playground(demo):
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="demo-viewer"))
    assert client.get(f"/w/{demo.code}/playground/").status_code == 403
    assert client.post(f"/w/{demo.code}/playground/send/").status_code == 403


def test_canary_key_never_leaves(demo, member, caplog):
    caplog.set_level(logging.DEBUG)
    team = access(demo, "team-all")
    secret = team.api_key()
    outputs = []
    for name, stream in (
        ("Pangu NLP chat", True),
        ("Fault: error_502", False),
        ("Fault: redirect", False),
    ):
        _, events = send(
            member, demo, deployment=dep(demo, name), auth=auth_of(team), stream=stream
        )
        outputs.append(str(events))
    outputs.append(member.get(f"/w/{demo.code}/playground/").content.decode())
    outputs.append(member.get(f"/w/{demo.code}/playground/history/").content.decode())
    outputs.extend(str(row) for row in TestCall.objects.values())
    outputs.extend(str(row) for row in AuditEvent.objects.values())
    assert all(secret not in text for text in outputs)
    assert secret not in caplog.text
    password = next(
        u.password for u in load_state(__import__("simulator").state.DEFAULT_STATE_PATH).iam_users
    )
    assert all(password not in text for text in outputs)
    assert IamCredential.objects.filter(workspace=demo).exists()


def test_history_lists_and_filters(demo, member):
    team = access(demo, "team-all")
    send(member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=auth_of(team))
    send(member, demo, deployment=dep(demo, "Fault: throttle"), auth=auth_of(team))
    page = member.get(f"/w/{demo.code}/playground/history/?outcome=error").content.decode()
    assert "Fault: throttle" in page and "Pangu NLP chat</td>" not in page
    page = member.get(f"/w/{demo.code}/playground/history/").content.decode()
    assert "Pangu NLP chat" in page and "demo-member" in page


def test_copy_as_curl_reproduces_the_call_with_the_key_from_the_environment(demo, member):
    import os
    import subprocess

    team = access(demo, "team-all")
    _, events = send(
        member, demo, deployment=dep(demo, "Pangu NLP chat"), version="v2", auth=auth_of(team)
    )
    command = named(events, "start")[0]["curl"]
    assert "$PANGU_API_KEY" in command or "${PANGU_API_KEY" in command
    assert team.api_key() not in command
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    done = subprocess.run(
        ["sh", "-c", command],
        env=env | {"PANGU_API_KEY": team.api_key()},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert '"choices"' in done.stdout


@pytest.mark.parametrize(
    ("name", "words"),
    [("Fault: error_502", "backend is unavailable"), ("Fault: error_504", "backend timed out")],
)
def test_the_gateway_code_apig_0201_is_explained_by_its_status(demo, member, name, words):
    _, events = send(
        member, demo, deployment=dep(demo, name), auth=auth_of(access(demo, "team-all"))
    )
    assert words in named(events, "error")[0]["hint"]


def test_a_stream_tells_its_status_and_first_token_time_as_soon_as_known(demo, member):
    _, events = send(
        member,
        demo,
        deployment=dep(demo, "Pangu NLP chat"),
        auth=auth_of(access(demo, "team-all")),
        stream=True,
    )
    names = [e for e, _ in events]
    assert names.index("status") < names.index("delta")
    assert named(events, "status") == [{"status": 200}]
    first, *rest = named(events, "delta")
    assert first["ttft_ms"] == named(events, "end")[0]["ttft_ms"]
    assert all("ttft_ms" not in d for d in rest)


def test_a_call_without_streaming_has_no_time_to_first_token(demo, member):
    _, events = send(
        member, demo, deployment=dep(demo, "Pangu NLP chat"), auth=auth_of(access(demo, "team-all"))
    )
    assert named(events, "end")[0]["ttft_ms"] is None
    assert "status" not in [e for e, _ in events]  # the end tells it, with everything else
    assert TestCall.objects.get().ttft_ms is None


def test_the_history_puts_the_plain_sentence_before_the_code(demo, member):
    send(
        member,
        demo,
        deployment=dep(demo, "Fault: error_504"),
        auth=auth_of(access(demo, "team-all")),
    )
    page = member.get(f"/w/{demo.code}/playground/history/").content.decode()
    sentence = page.index("The backend timed out")
    assert sentence < page.index("<code>APIG.0201</code>")
