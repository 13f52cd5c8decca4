"""Faults injected per deployment, over V1 and V2."""

from __future__ import annotations

import json
import logging
import socket
import time
import tracemalloc
from typing import Any

import pytest
import requests

from simulator.faults import HUGE_BODY_BYTES

QUESTION = {"messages": [{"role": "user", "content": "How should I plan a small garden?"}]}
BOTH = pytest.mark.parametrize("version", ["v1", "v2"])


def _call(api: Any, version: str, fault: str, stream: bool = False, **kwargs: Any) -> Any:
    model = "fault-" + fault.replace("_", "-")
    body = {**QUESTION, "stream": stream}
    if version == "v1":
        return api.v1(model, body, stream=stream, **kwargs)
    return api.v2({**body, "model": model}, stream=stream, **kwargs)


@BOTH
@pytest.mark.parametrize(
    ("fault", "status", "code", "keys"),
    [
        ("error_500", 500, "PANGU.0031", {"error_code", "error_msg"}),
        ("error_502", 502, "APIG.0201", {"error_code", "error_msg", "request_id"}),
        ("error_504", 504, "APIG.0201", {"error_code", "error_msg", "request_id"}),
        ("throttle", 429, "APIG.0308", {"error_code", "error_msg", "request_id"}),
    ],
)
def test_error_faults(
    api: Any, version: str, fault: str, status: int, code: str, keys: set[str]
) -> None:
    for stream in (False, True):
        response = _call(api, version, fault, stream=stream)
        assert response.status_code == status
        body = response.json()
        assert set(body) == keys
        assert body["error_code"] == code


def test_faults_come_after_auth(api: Any) -> None:
    response = api.v1("fault-error-500", QUESTION, headers={"X-Apig-AppCode": "nope"})
    assert response.status_code == 401


@BOTH
def test_slow_outlasts_the_client_and_is_abandoned(
    api: Any, version: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="simulator")
    with pytest.raises(requests.exceptions.ReadTimeout):
        _call(api, version, "slow", timeout=(5, 0.5))
    # The server notices the client left and gives the request up quickly.
    path = api.dep("fault-slow").deployment_id if version == "v1" else "/api/v2/"
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if any("aborted" in r.getMessage() and path in r.getMessage() for r in caplog.records):
            break
        time.sleep(0.05)
    else:
        pytest.fail("the slow request was not abandoned")


@BOTH
def test_malformed_json(api: Any, version: str) -> None:
    response = _call(api, version, "malformed_json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.text.startswith('{"id":"chat-')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


@BOTH
def test_malformed_json_stream_has_one_broken_line(api: Any, version: str) -> None:
    response = _call(api, version, "malformed_json", stream=True)
    data = [line for line in api.lines(response) if line.startswith("data:")]
    assert data[-1].replace(" ", "") == "data:[DONE]"
    broken = []
    for line in data[:-1]:
        try:
            json.loads(line[len("data:") :])
        except json.JSONDecodeError:
            broken.append(line)
    assert len(broken) == 1
    assert broken[0] == data[1]  # right after the first event


@BOTH
def test_reset_mid_stream(api: Any, version: str) -> None:
    response = _call(api, version, "reset_mid_stream", stream=True)
    assert response.status_code == 200
    received = []
    with pytest.raises(requests.exceptions.RequestException):
        for line in response.iter_lines():
            if line:
                received.append(line)
    data = [line for line in received if line.startswith(b"data:")]
    assert 1 <= len(data) < 8
    assert not any(b"[DONE]" in line for line in data)


def test_reset_mid_body_sends_rst(sim: Any, api: Any) -> None:
    """A raw socket sees part of the body and then a reset, not a clean end of stream."""
    body = json.dumps(QUESTION).encode()
    path = api.v1_url("fault-reset-mid-stream")[len(sim.url) :]
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Apig-AppCode: {api.key('all')}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    received = b""
    with socket.create_connection((sim.host, sim.port), timeout=5) as sock:
        sock.sendall(request)
        with pytest.raises(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
            pytest.fail("connection ended cleanly")
    head, _, partial = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    assert status_line.startswith("HTTP/1.1 200")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    assert 0 < len(partial) < int(headers["content-length"])


def test_reset_mid_body_with_requests(api: Any) -> None:
    with pytest.raises(requests.exceptions.RequestException):
        api.v1("fault-reset-mid-stream", QUESTION)


def test_huge_body_is_lazy_and_valid(api: Any) -> None:
    tracemalloc.start()
    try:
        # stream=True only makes requests read the body lazily; the call is non-stream.
        response = api.v1("fault-huge-body", QUESTION, stream=True)
        assert response.status_code == 200
        length = int(response.headers["Content-Length"])
        total, head, tail = 0, b"", b""
        for block in response.iter_content(1 << 16):
            head = head or block[:64]
            tail = (tail + block)[-64:]
            total += len(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == length >= HUGE_BODY_BYTES
    assert head.startswith(b'{"id":"chat-')
    assert tail.endswith(b'"prompt_logprobs":null}')
    assert peak < 8 * 1024 * 1024  # neither side held the body


@BOTH
def test_huge_body_stream_and_early_close(api: Any, version: str) -> None:
    response = _call(api, version, "huge_body", stream=True)
    assert response.headers["Content-Type"].startswith("text/event-stream")
    first = next(response.iter_content(1 << 16))
    assert first.startswith(b"data:{" if version == "v1" else b"data: {")
    response.close()  # like a client that hit its byte cap
    assert api.v1("chat-model", QUESTION).status_code == 200


def test_huge_body_stream_is_one_enormous_event(api: Any) -> None:
    response = api.v2({**QUESTION, "model": "fault-huge-body", "stream": True}, stream=True)
    total, tail = 0, b""
    for block in response.iter_content(1 << 16):
        total += len(block)
        tail = (tail + block)[-200:]
    assert total >= HUGE_BODY_BYTES
    assert tail.endswith(b'"finish_reason":"length"}]}\n\ndata: [DONE]\n\n')


@BOTH
def test_redirect_points_at_the_redirect_target(start_sim: Any, version: str) -> None:
    api = start_sim()
    response = _call(api, version, "redirect", allow_redirects=False)
    assert response.status_code == 307
    assert response.headers["Location"] == f"{api.sim.url}/_sim/redirect-target"
    assert api.stats()["redirect_target_hits"] == 0
    # A client that follows redirects carries its credentials along: the test
    # endpoint records that, so a portal test can prove it never happens.
    followed = _call(api, version, "redirect")
    assert followed.status_code == 200
    assert followed.json() == {"redirect_target": True}
    stats = api.stats()
    assert stats["redirect_target_hits"] == 1
    assert stats["redirect_target_auth_headers"] == 1
    api.http.get(api.sim.url + "/_sim/redirect-target")
    stats = api.stats()
    assert stats["redirect_target_hits"] == 2
    assert stats["redirect_target_auth_headers"] == 1
