"""The server itself: incremental streaming, concurrency, keep-alive, stats, stop, CLI."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

import simulator
from simulator.state import DEFAULT_STATE_PATH, load_state
from simulator.stats import COUNTERS

QUESTION = {"messages": [{"role": "user", "content": "How should I plan a small garden?"}]}
REPO_ROOT = Path(simulator.__file__).resolve().parent.parent


def _raw(sim: Any, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
    """One request on its own connection, so it never reuses the client's pool."""
    conn = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


# --- streaming behaviour -------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_chunks_arrive_before_the_stream_ends(start_sim: Any, version: str) -> None:
    api = start_sim(first_token_ms=5, chunk_delay_ms=300, chunks=4)
    started = time.monotonic()
    if version == "v1":
        response = api.v1("chat-model", {**QUESTION, "stream": True}, stream=True)
    else:
        response = api.v2({**QUESTION, "stream": True}, stream=True)
    arrivals = []
    for line in response.iter_lines():
        if line.startswith(b"data:") and b"[DONE]" not in line:
            arrivals.append(time.monotonic() - started)
    total = time.monotonic() - started
    assert len(arrivals) >= 4
    assert total > 0.85  # three delays of 300 ms
    # The first chunk is read long before the last: streamed, not buffered to the end.
    assert arrivals[-1] - arrivals[0] > 0.8


def test_non_stream_takes_the_time_to_first_token(start_sim: Any) -> None:
    api = start_sim(first_token_ms=300)
    started = time.monotonic()
    assert api.v1("chat-model", QUESTION).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_64_concurrent_streams(start_sim: Any) -> None:
    api = start_sim(first_token_ms=50, chunk_delay_ms=50, chunks=8)
    url, key = api.v1_url("chat-model"), api.key("all")

    def one_stream() -> tuple[str, str]:
        """(the streamed text, the last line)"""
        with requests.Session() as session:
            session.trust_env = False
            response = session.post(
                url,
                json={**QUESTION, "stream": True},
                headers={"X-Apig-AppCode": key},
                stream=True,
                timeout=30,
            )
            lines = [line.decode() for line in response.iter_lines() if line]
        chunks = [json.loads(line[5:]) for line in lines if line.startswith("data:{")]
        return "".join(c["choices"][0]["message"]["content"] for c in chunks), lines[-1]

    started = time.monotonic()
    single = one_stream()
    one_stream_seconds = time.monotonic() - started
    assert single[1] == "data:[DONE]"

    results: list[tuple[str, str]] = []
    barrier = threading.Barrier(64)

    def worker() -> None:
        barrier.wait()
        results.append(one_stream())

    threads = [threading.Thread(target=worker) for _ in range(64)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    elapsed = time.monotonic() - started
    assert results == [single] * 64
    # All 64 ran side by side: nowhere near 64 times one stream's time. The bound is the
    # point, so it is a ratio, and generous for a busy machine.
    assert one_stream_seconds >= 0.4
    assert elapsed < 16 * one_stream_seconds, elapsed


# --- connections and keep-alive --------------------------------------------------------


def test_connections_are_kept_alive_across_requests_and_streams(start_sim: Any) -> None:
    api = start_sim()
    assert _raw(api.sim, "POST", "/_sim/reset-stats")[0] == 200
    assert api.v1("chat-model", QUESTION).status_code == 200
    streamed = api.v1("chat-model", {**QUESTION, "stream": True}, stream=True)
    assert api.lines(streamed)[-1] == "data:[DONE]"
    assert api.v2({**QUESTION, "stream": True}, stream=True).content.endswith(b"data: [DONE]\n\n")
    assert api.iam().status_code == 201
    stats = _raw(api.sim, "GET", "/_sim/stats")[1]
    assert stats["requests"] == 4
    assert stats["connections"] == 2  # one for all four calls, one for this stats call
    assert stats["iam_tokens_issued"] == 1


def test_connection_close_is_honoured(start_sim: Any) -> None:
    api = start_sim()
    _raw(api.sim, "POST", "/_sim/reset-stats")
    for _ in range(3):
        response = api.v1(
            "chat-model",
            QUESTION,
            headers={"X-Apig-AppCode": api.key("all"), "Connection": "close"},
        )
        assert response.headers["Connection"] == "close"
    assert _raw(api.sim, "GET", "/_sim/stats")[1]["connections"] == 4


def _raw_exchange(sim: Any, request: bytes) -> bytes:
    with socket.create_connection((sim.host, sim.port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def _stream_request(api: Any, version: str, extra_headers: str = "") -> bytes:
    body = json.dumps({**QUESTION, "stream": True}).encode()
    path = api.v1_url("chat-model")[len(api.sim.url) :]
    return (
        f"POST {path} {version}\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Apig-AppCode: {api.key('all')}\r\nContent-Length: {len(body)}\r\n{extra_headers}\r\n"
    ).encode() + body


def test_http_1_1_streams_are_chunked(api: Any) -> None:
    received = _raw_exchange(api.sim, _stream_request(api, "HTTP/1.1", "Connection: close\r\n"))
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"Transfer-Encoding: chunked" in head
    assert b"Content-Length" not in head
    assert body.endswith(b"\r\n0\r\n\r\n")
    assert b"data:[DONE]" in body


def test_http_1_0_streams_end_with_the_connection(api: Any) -> None:
    received = _raw_exchange(api.sim, _stream_request(api, "HTTP/1.0"))
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding" not in head
    assert b"Connection: close" in head
    assert body.startswith(b"data:{")
    assert body.endswith(b"data:[DONE]\n\n")


def test_chunked_request_bodies_are_read(api: Any) -> None:
    pieces = iter([b'{"messages": [{"content": ', b'"Hello there"}]}'])
    response = api.http.post(
        api.v1_url("chat-model"), data=pieces, headers={"X-Apig-AppCode": api.key("all")}
    )
    assert response.status_code == 200
    assert "Hello there" in response.json()["choices"][0]["message"]["content"]


def test_oversized_request_body_is_413(api: Any) -> None:
    from simulator.app import MAX_BODY_BYTES

    response = api.http.post(
        api.v1_url("chat-model"),
        data=b"x" * (MAX_BODY_BYTES + 1),
        headers={"X-Apig-AppCode": api.key("all")},
    )
    assert response.status_code == 413
    assert response.json()["error_code"] == "APIG.0201"


# --- /_sim/ endpoints -------------------------------------------------------------------


def test_stats_endpoints(start_sim: Any) -> None:
    api = start_sim()
    stats = api.stats()
    assert set(stats) == set(COUNTERS)
    api.v1("chat-model", QUESTION)
    api.v1("chat-model", QUESTION, headers={})  # rejected calls count as requests too
    api.iam()
    stats = api.stats()
    assert stats["requests"] == 3
    assert stats["iam_tokens_issued"] == 1
    assert stats["connections"] >= 1
    assert api.sim_post("reset-stats").status_code == 200
    assert api.stats() == dict.fromkeys(COUNTERS, 0)
    assert api.http.get(api.sim.url + "/_sim/reset-stats").status_code == 405
    assert api.http.post(api.sim.url + "/_sim/stats").status_code == 405
    assert api.http.get(api.sim.url + "/_sim/nothing").status_code == 404
    assert api.stats()["requests"] == 0  # /_sim/ calls are not counted


# --- stopping -------------------------------------------------------------------------


def test_stop_ends_waits_streams_and_idle_connections(start_sim: Any) -> None:
    api = start_sim()
    idle = socket.create_connection((api.sim.host, api.sim.port))
    errors: list[BaseException] = []

    def slow_call() -> None:
        try:
            api.v1("fault-slow", QUESTION, timeout=30)
        except requests.RequestException as exc:
            errors.append(exc)

    caller = threading.Thread(target=slow_call)
    caller.start()
    deadline = time.monotonic() + 10
    while api.sim.stats.snapshot()["requests"] < 1:  # the slow call is being answered
        assert time.monotonic() < deadline, "the slow call never reached the simulator"
        time.sleep(0.01)
    started = time.monotonic()
    api.sim.stop()
    assert time.monotonic() - started < 60  # not the slow answer's 180 s
    caller.join(5)
    assert not caller.is_alive()
    assert len(errors) == 1
    idle.settimeout(5)
    assert idle.recv(1) == b""  # the server closed the idle keep-alive connection
    idle.close()
    with pytest.raises(OSError):
        socket.create_connection((api.sim.host, api.sim.port), timeout=2)
    api.sim.stop()  # idempotent


# --- the command line --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_the_demo_state_and_logs_no_secrets(tmp_path: Path, signum: int) -> None:
    port = _free_port()
    log_path = tmp_path / "simulator.log"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--first-token-ms", "1", "--chunk-delay-ms", "1", "--chunks", "4"]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        http = requests.Session()
        http.trust_env = False
        deadline = time.monotonic() + 15
        while True:
            try:
                http.get(base + "/_sim/stats", timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the simulator did not start"
                time.sleep(0.05)

        demo = load_state(DEFAULT_STATE_PATH)
        chat = next(
            d
            for d in demo.deployments
            if d.running and d.mode == "cloud" and not demo.fault_for(d.deployment_id)
        )
        key = next(a.key for a in demo.app_accesses if a.services == "all")
        user = demo.iam_users[0]
        v1_url = f"{base}/v1/{demo.project_id}/deployments/{chat.deployment_id}/chat/completions"
        assert http.post(v1_url, json=QUESTION, headers={"X-Apig-AppCode": key}).status_code == 200
        streamed = http.post(
            base + "/api/v2/chat/completions",
            json={**QUESTION, "model": chat.model, "stream": True},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert streamed.text.endswith("data: [DONE]\n\n")
        iam = http.post(
            base + "/v3/auth/tokens",
            json={
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {
                                "name": user.name,
                                "password": user.password,
                                "domain": {"name": user.domain},
                            }
                        },
                    }
                }
            },
        )
        token = iam.headers["X-Subject-Token"]
        assert http.post(v1_url, json=QUESTION, headers={"X-Auth-Token": token}).ok
        wrong = "WrongKeyThatMustNotBeLogged0123"
        assert (
            http.post(v1_url, json=QUESTION, headers={"X-Apig-AppCode": wrong}).status_code == 401
        )
        http.close()
    finally:
        process.send_signal(signum)
        returncode = process.wait(timeout=10)
    log = log_path.read_text()
    assert returncode == 0, log
    assert f"listening on http://127.0.0.1:{port}" in log
    assert log.count('"POST ') == 5  # one line per request
    assert "Traceback" not in log
    for secret in [*(a.key for a in demo.app_accesses), user.password, token, token[:40], wrong]:
        assert secret not in log
