"""When the browser goes away the call ends at once: the upstream connection closes, the
worker thread is free, and the history says "Stopped" with the time the call ran.

Real sockets at both ends: the live portal (runserver's server) in front, the simulator
behind, and a browser played by a raw socket that hangs up mid-call. Before the first
token the portal writes nothing, so only the disconnect watcher can notice.
"""

from __future__ import annotations

import socket
import sqlite3
import time
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from accessportal import demo as seeding
from chat.models import Outcome, TestCall
from simulator.server import start_background
from tests.conftest import PASSWORD
from tests.playground_helpers import body
from tests.test_gunicorn import gunicorn_cluster, sqlite_env, static_root  # noqa: F401 (fixtures)

# Far longer than a test may wait: an upstream call still held would show.
LONG_MS = 120_000
WAIT_SECONDS = 10.0  # the defect held the call for the whole read timeout (60 s)


@pytest.fixture
def quiet_sim():
    """Answers the first token at once, then falls silent between chunks."""
    sim = start_background(None, port=0, first_token_ms=5, chunk_delay_ms=LONG_MS, chunks=4)
    yield sim
    sim.stop()


@pytest.fixture
def portal(transactional_db, live_server, quiet_sim, settings):
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = True
    settings.PORTAL_UPSTREAM_READ_TIMEOUT = 60
    workspace = seeding.seed(
        quiet_sim.state, simulator_url=quiet_sim.url, password=PASSWORD
    ).workspace
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    cookies = {"sessionid": client.cookies["sessionid"].value}
    page = requests.get(
        f"{live_server.url}/w/{workspace.code}/playground/", cookies=cookies, timeout=10
    )
    cookies["csrftoken"] = page.cookies["csrftoken"]
    return live_server.url, workspace, cookies


class HangingUpBrowser:
    """Sends the playground's POST over a plain socket and hangs up when told."""

    def __init__(
        self, base: str, path: str, form: dict[str, str], cookies: dict[str, str], **headers
    ) -> None:
        address = urlsplit(base)
        encoded = urlencode(form).encode()
        lines = {
            "Host": address.netloc,
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": cookies["csrftoken"],
            "Referer": f"{base}/",
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(encoded)),
            **headers,
        }
        head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in lines.items())
        self.sock = socket.create_connection((address.hostname, address.port), timeout=15)
        self.sock.sendall(head.encode() + b"\r\n" + encoded)
        self.received = b""

    @classmethod
    def calling(cls, portal, *, deployment: str, stream: bool) -> HangingUpBrowser:
        base, workspace, cookies = portal
        form = {
            "deployment": str(workspace.deployments.get(name=deployment).code),
            "version": "v1",
            "auth": f"access:{workspace.accesses.get(name='team-all').code}",
            "body": body(stream=stream),
        }
        return cls(base, f"/w/{workspace.code}/playground/send/", form, cookies)

    def read_until(self, marker: bytes) -> None:
        while marker not in self.received:
            chunk = self.sock.recv(65536)
            assert chunk, f"the portal closed before {marker!r}: {self.received[-500:]!r}"
            self.received += chunk

    def hang_up(self) -> None:
        self.sock.close()


def sim_stats(sim) -> dict[str, int]:
    return requests.get(f"{sim.url}/_sim/stats", timeout=5).json()


def wait_until_upstream_called(sim) -> None:
    """The portal may notice a hang-up before it has sent anything upstream (and then
    rightly sends nothing); these tests are about a call already waiting on the upstream."""
    deadline = time.monotonic() + WAIT_SECONDS
    while sim_stats(sim)["requests"] < 1:
        assert time.monotonic() < deadline, "the portal never called the upstream"
        time.sleep(0.02)


def wait_until_stopped(sim) -> tuple[TestCall | None, dict[str, int]]:
    """The recorded call once the simulator saw the portal hang up, or what there was."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        stats = sim_stats(sim)
        call = TestCall.objects.first()
        if (call is not None and stats["client_left"] >= 1) or time.monotonic() > deadline:
            return call, stats
        time.sleep(0.05)


def recorded_call() -> TestCall | None:
    deadline = time.monotonic() + WAIT_SECONDS
    while (call := TestCall.objects.first()) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return call


def assert_stopped(call: TestCall | None, stats: dict[str, int]) -> None:
    assert stats["client_left"] == 1, "the portal kept waiting for the upstream"
    assert call is not None, "the stopped call was not recorded"
    assert call.outcome == Outcome.ABORTED
    assert call.get_outcome_display() == "Stopped"
    assert call.error_code == ""  # not upstream.read_timeout
    assert call.latency_ms < WAIT_SECONDS * 1000  # the time it ran, not the read timeout


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "not-stream"])
def test_leaving_before_the_first_token_ends_the_upstream_call(portal, quiet_sim, stream):
    browser = HangingUpBrowser.calling(portal, deployment="Fault: slow", stream=stream)
    browser.read_until(b"event: start")
    wait_until_upstream_called(quiet_sim)  # the portal now waits for the slow upstream
    browser.hang_up()
    call, stats = wait_until_stopped(quiet_sim)
    assert_stopped(call, stats)
    assert call.stream is stream and call.status_code is None


def test_leaving_after_the_first_token_ends_the_upstream_call(portal, quiet_sim):
    browser = HangingUpBrowser.calling(portal, deployment="Pangu NLP chat", stream=True)
    browser.read_until(b"event: delta")  # then the upstream pauses for two minutes
    browser.hang_up()
    call, stats = wait_until_stopped(quiet_sim)
    assert_stopped(call, stats)
    assert call.status_code == 200 and call.ttft_ms is not None


def test_a_browser_that_stays_gets_the_whole_answer(portal, quiet_sim, settings):
    """The watcher never ends a call whose browser is still there (it only waits)."""
    browser = HangingUpBrowser.calling(portal, deployment="Edge on node", stream=False)
    browser.read_until(b"event: end")
    browser.hang_up()
    call = recorded_call()  # written once the answer's last byte was sent
    assert call is not None and call.outcome == Outcome.OK and call.status_code == 200
    assert sim_stats(quiet_sim)["client_left"] == 0


def test_under_gunicorn_the_one_thread_is_free_again_when_the_browser_leaves(
    gunicorn_cluster,  # noqa: F811 (a fixture of test_gunicorn, imported above)
    sqlite_env,  # noqa: F811
    quiet_sim,
):
    """Production serving: a gthread worker with a single thread. While the call holds it
    nobody else is answered, so a page answered right after the hang-up proves it free."""
    from tests.test_gunicorn import Browser, manage

    manage(sqlite_env, "seed_demo", "--simulator-url", quiet_sim.url, f"--password={PASSWORD}")
    (instance,) = gunicorn_cluster(
        sqlite_env | {"GUNICORN_THREADS": "1", "PORTAL_UPSTREAM_ALLOW_LOOPBACK": "true"}
    )
    database = sqlite_env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        deployment, workspace = db.execute(
            "SELECT d.code, w.code FROM accessportal_deployment d JOIN accessportal_workspace w"
            " ON w.id = d.workspace_id WHERE d.name = 'Fault: slow'"
        ).fetchone()
        (access,) = db.execute(
            "SELECT code FROM accessportal_applicationaccess WHERE name = 'team-all'"
        ).fetchone()
    member = Browser()
    assert member.sign_in(instance.base, "demo-member", PASSWORD).status_code == 302
    browser = HangingUpBrowser(
        instance.base,
        f"/w/{uuid.UUID(workspace)}/playground/send/",
        {
            "deployment": str(uuid.UUID(deployment)),
            "version": "v1",
            "auth": f"access:{uuid.UUID(access)}",
            "body": body(stream=False),
        },
        member.cookies,
        **{"X-Forwarded-Proto": "https", "Origin": f"https://{urlsplit(instance.base).netloc}"},
    )
    browser.read_until(b"event: start")
    browser.hang_up()
    # Answered by the same single thread: it no longer waits for the slow upstream.
    assert requests.get(f"{instance.base}/healthz", timeout=WAIT_SECONDS).status_code == 200
    deadline = time.monotonic() + WAIT_SECONDS
    while sim_stats(quiet_sim)["client_left"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sim_stats(quiet_sim)["client_left"] == 1
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT outcome, error_code, latency_ms FROM chat_testcall").fetchall()
    assert len(rows) == 1 and rows[0][:2] == ("aborted", ""), rows
    assert rows[0][2] < WAIT_SECONDS * 1000
