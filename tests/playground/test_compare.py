"""Compare: three targets streamed at once through the live portal, each an ordinary
playground call over a real socket to a pacing simulator."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from accessportal import demo as seeding
from chat.models import TestCall
from simulator.server import start_background
from tests.conftest import PASSWORD
from tests.playground_helpers import body, start_of_a_rate_window

# 16 chunks 150 ms apart: each stream lasts well over two seconds, long enough that three
# streams started together overlap unless the portal made one wait for another.
CHUNKS, CHUNK_DELAY_MS = 16, 150


@pytest.fixture
def paced_sim():
    sim = start_background(
        None, port=0, first_token_ms=20, chunk_delay_ms=CHUNK_DELAY_MS, chunks=CHUNKS
    )
    yield sim
    sim.stop()


@pytest.fixture
def live(transactional_db, live_server, paced_sim, settings):
    """The live portal's base URL, the seeded workspace and a signed-in member's cookies."""
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = True
    workspace = seeding.seed(
        paced_sim.state, simulator_url=paced_sim.url, password=PASSWORD
    ).workspace
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    return live_server.url, workspace, client.cookies["sessionid"].value


def member_session(live) -> requests.Session:
    """One session per column, as the browser opens one request per column."""
    base, workspace, sessionid = live
    session = requests.Session()
    session.trust_env = False
    session.cookies.set("sessionid", sessionid)
    session.get(f"{base}/w/{workspace.code}/playground/compare/", timeout=10).raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    session.headers["Referer"] = base
    return session


def three_targets(workspace) -> list[dict]:
    """Deployment, version and credential, mixed: two deployments, both versions, a key
    and an IAM token."""
    team = workspace.accesses.get(name="team-all")
    iam = workspace.iam_credentials.first()
    chat = workspace.deployments.get(name="Pangu NLP chat")
    reasoner = workspace.deployments.get(name="DeepSeek R1 (reasoning)")
    return [
        {"deployment": str(chat.code), "version": "v1", "auth": f"access:{team.code}"},
        {"deployment": str(reasoner.code), "version": "v2", "auth": f"access:{team.code}"},
        {"deployment": str(chat.code), "version": "v1", "auth": f"credential:{iam.code}"},
    ]


def recorded_calls(workspace, expected: int, wait: float = 15.0) -> int:
    """How many test calls the workspace has once ``expected`` are recorded (or the wait is
    over): the relay writes a call's row when the server closes its response, just after
    the last byte reached the client."""
    deadline = time.monotonic() + wait
    while (count := TestCall.objects.filter(workspace=workspace).count()) < expected:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return count


def compare(live, targets: list[dict]) -> tuple[list[tuple[int, str]], list, list[bytes]]:
    """Open one stream per target at once, as compare.js does. Returns the events of all
    columns in the order they arrived ((column, event name)), each column's response and
    its raw bytes."""
    base, workspace, _ = live
    sessions = [member_session(live) for _ in targets]
    start = threading.Barrier(len(targets), timeout=30)
    arrived: list[tuple[int, str]] = []
    lock = threading.Lock()
    responses: list = [None] * len(targets)
    raw: list[bytes] = [b""] * len(targets)
    failures: list[BaseException] = []

    def column(i: int) -> None:
        try:
            start.wait()
            response = sessions[i].post(
                f"{base}/w/{workspace.code}/playground/send/",
                data=targets[i] | {"body": body(stream=True)},
                headers={"Accept": "text/event-stream"},
                stream=True,
                timeout=60,
            )
            responses[i] = response
            for line in response.iter_lines():
                raw[i] += line + b"\n"
                if line.startswith(b"event: "):
                    with lock:
                        arrived.append((i, line[7:].decode()))
        except BaseException as error:  # reported in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=column, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not failures, failures
    return arrived, responses, raw


def test_three_targets_stream_at_once_and_each_is_a_test_call(live):
    base, workspace, _ = live
    start_of_a_rate_window()
    arrived, responses, raw = compare(live, three_targets(workspace))

    assert [r.status_code for r in responses] == [200, 200, 200]
    for i in range(3):
        names = [name for column, name in arrived if column == i]
        assert names[0] == "start" and names[-1] == "end", names
        assert names.count("delta") >= 2, names
    # No stream is held back for another: every column had its first words (or thoughts,
    # for the reasoning model) before any column finished.
    first_end = next(n for n, (_, name) in enumerate(arrived) if name == "end")
    for i in range(3):
        first_words = next(
            n for n, event in enumerate(arrived) if event in ((i, "delta"), (i, "reasoning"))
        )
        assert first_words < first_end, arrived
    # The reasoning model's column alone has a reasoning panel.
    assert [b"event: reasoning" in r for r in raw] == [False, True, False]

    assert recorded_calls(workspace, 3) == 3
    calls = TestCall.objects.filter(workspace=workspace)
    assert {(c.deployment_name, c.api_version, c.outcome) for c in calls} == {
        ("Pangu NLP chat", "v1", "ok"),
        ("DeepSeek R1 (reasoning)", "v2", "ok"),
    }
    assert sorted(c.auth_label.startswith("IAM ") for c in calls) == [False, False, True]

    # The canary: the key of team-all is in no event and not in the page.
    key = workspace.accesses.get(name="team-all").api_key()
    page = member_session(live).get(f"{base}/w/{workspace.code}/playground/compare/").text
    assert all(key.encode() not in r for r in raw)
    assert key not in page and "Send to all" in page


def test_each_column_counts_against_the_rate_limit(live, settings):
    _, workspace, _ = live
    settings.PORTAL_PLAYGROUND_RATE_LIMIT = 2
    start_of_a_rate_window()
    _, responses, raw = compare(live, three_targets(workspace))

    # Two columns stream; the third is refused before it starts, with the reason.
    assert sorted(r.status_code for r in responses) == [200, 200, 429]
    refused = next(i for i, r in enumerate(responses) if r.status_code == 429)
    assert responses[refused].headers["Retry-After"]
    errors = json.loads(raw[refused])["errors"]
    assert "2 test calls a minute" in errors["__all__"][0]["message"]
    assert recorded_calls(workspace, 2) == 2


def test_the_compare_page_is_for_members(live):
    base, workspace, _ = live
    page = member_session(live).get(f"{base}/w/{workspace.code}/playground/compare/")
    assert page.status_code == 200
    assert 'id="playground-catalog"' in page.text
    viewer = Client()
    viewer.force_login(User.objects.get(username="demo-viewer"))
    assert viewer.get(f"/w/{workspace.code}/playground/compare/").status_code == 403
