"""The outbound client against tiny local servers on 127.0.0.1 / ::1 (real sockets).

Nothing here sends traffic anywhere else: addresses that must be refused are checked
with socket.socket.connect patched to record (and fail), so a regression shows up as a
recorded connect attempt, never as a packet leaving the machine.
"""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import struct
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from chat import upstream
from chat.streams import parse_error_body
from chat.upstream import (
    UpstreamError,
    UpstreamPolicy,
    check_address,
    classify_address,
    open_stream,
    post_json,
)

LOCAL = UpstreamPolicy(connect_timeout=2, read_timeout=5, total_deadline=10, allow_loopback=True)
JSON_HEADERS = {"Content-Type": "application/json", "X-Apig-AppCode": "s3cr3t-app-code"}
BODY = b'{"messages":[{"role":"user","content":"hi"}]}'

Handler = Callable[[BaseHTTPRequestHandler], None]


# ---------------------------------------------------------------------- test servers


class LocalServer:
    """A threaded HTTP/1.1 server whose every request is answered by ``handle``.

    Counts accepted TCP connections and requests, and records what it received.
    """

    def __init__(
        self,
        handle: Handler,
        *,
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.accepts = 0
        self.hits = 0
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.stop = threading.Event()
        self.events: dict[str, threading.Event] = {
            name: threading.Event() for name in ("release", "disconnected", "finished")
        }
        self.sent = 0
        outer = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body leave in separate writes; without this, Nagle plus
                # the client's delayed ACK costs 40 ms per call.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.hits += 1
                outer.received.append((self.path, dict(self.headers.items()), body))
                try:
                    handle(self)
                except OSError:
                    outer.events["disconnected"].set()
                    self.close_connection = True

            do_GET = do_POST

        family = socket.AF_INET6 if ":" in host else socket.AF_INET

        class Server(ThreadingHTTPServer):
            address_family = family
            daemon_threads = True
            block_on_close = False

            def process_request(self, request: object, client_address: object) -> None:
                outer.accepts += 1
                super().process_request(request, client_address)  # type: ignore[arg-type]

            def handle_error(self, request: object, client_address: object) -> None:
                pass

        self.httpd = Server((host, 0), RequestHandler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.host = host
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/v1/p/deployments/d/chat/completions", host: str = "") -> str:
        shown = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"http://{shown}:{self.port}{path}"

    def close(self) -> None:
        self.stop.set()
        for event in self.events.values():
            event.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., LocalServer]]:
    servers: list[LocalServer] = []

    def start(handle: Handler, **kwargs: object) -> LocalServer:
        server = LocalServer(handle, **kwargs)  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def reply(
    h: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b'{"ok":true}',
    headers: dict[str, str] | None = None,
) -> None:
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)


def start_chunked(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()


def start_event_stream(h: BaseHTTPRequestHandler, *, chunked: bool) -> None:
    """A 200 event stream, chunked or ending when the connection closes."""
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    if chunked:
        h.send_header("Transfer-Encoding", "chunked")
    else:
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()


def write_chunk(h: BaseHTTPRequestHandler, data: bytes) -> None:
    h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
    h.wfile.flush()


def end_chunked(h: BaseHTTPRequestHandler) -> None:
    h.wfile.write(b"0\r\n\r\n")
    h.wfile.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def record_connects(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every connect attempt is recorded and fails: nothing can leave the machine."""
    attempts: list[object] = []

    def fake_connect(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise ConnectionRefusedError(111, "refused by test")

    def fake_create_connection(address: object, *args: object, **kwargs: object) -> None:
        attempts.append(address)
        raise ConnectionRefusedError(111, "refused by test")

    monkeypatch.setattr(socket.socket, "connect", fake_connect)
    monkeypatch.setattr(socket, "create_connection", fake_create_connection)
    return attempts


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Make the given names resolve to the given IPs; returns the names looked up."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[object]:
        if host in answers:
            lookups.append(host)
            result = []
            for ip in answers[host]:
                if ":" in ip:
                    result.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0)))
                else:
                    result.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)))
            return result
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


# ------------------------------------------------------------------------- basics


def test_post_json_success(serve: Callable[..., LocalServer]) -> None:
    server = serve(lambda h: reply(h, 200, b'{"choices":[]}', {"X-Request-Id": "r-1"}))

    response = post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)

    assert response.status == 200
    assert response.body == b'{"choices":[]}'
    assert response.headers["x-request-id"] == "r-1"
    assert response.headers["content-type"] == "application/json"
    assert response.elapsed > 0
    path, headers, body = server.received[0]
    assert path == "/v1/p/deployments/d/chat/completions"
    assert body == BODY
    assert headers["Host"] == f"127.0.0.1:{server.port}"
    assert headers["X-Apig-AppCode"] == "s3cr3t-app-code"
    assert headers["Accept-Encoding"] == "identity"
    assert headers["Content-Type"] == "application/json"


def test_accept_encoding_is_always_identity(serve: Callable[..., LocalServer]) -> None:
    server = serve(lambda h: reply(h))
    headers = {**JSON_HEADERS, "accept-encoding": "gzip, br"}
    post_json(server.url(), headers=headers, body=BODY, policy=LOCAL)
    assert server.received[0][1]["Accept-Encoding"] == "identity"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 502, 504])
def test_non_2xx_is_returned_with_its_body(serve: Callable[..., LocalServer], status: int) -> None:
    error = b'{"error_msg":"Incorrect app authentication information","error_code":"APIG.0303"}'
    server = serve(lambda h: reply(h, status, error))

    response = post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)

    assert response.status == status
    assert parse_error_body(response.body) == (
        "APIG.0303",
        "Incorrect app authentication information",
    )


def test_caller_cannot_override_host_or_framing(serve: Callable[..., LocalServer]) -> None:
    server = serve(lambda h: reply(h))
    headers = {**JSON_HEADERS, "Host": "other.test", "Content-Length": "1", "Connection": "close"}
    post_json(server.url(), headers=headers, body=BODY, policy=LOCAL)
    received = server.received[0]
    assert received[1]["Host"] == f"127.0.0.1:{server.port}"
    assert received[2] == BODY


def test_stream_lines_split_across_reads_and_line_endings(
    serve: Callable[..., LocalServer],
) -> None:
    pieces = [
        b"data: a\r",
        b"\ndata: b\rdata: c\n",
        b"da",
        b"ta: ",
        b"\xe4\xbd",
        b"\xa0\n",
        b"tail",
    ]

    def handle(h: BaseHTTPRequestHandler) -> None:
        start_chunked(h)
        for piece in pieces:
            write_chunk(h, piece)
            time.sleep(0.005)
        end_chunked(h)

    server = serve(handle)
    with open_stream(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL) as stream:
        assert list(stream.iter_lines()) == ["data: a", "data: b", "data: c", "data: 你", "tail"]
        assert stream.bytes_read == sum(map(len, pieces))


def test_cookies_are_never_sent_back(serve: Callable[..., LocalServer]) -> None:
    server = serve(lambda h: reply(h, headers={"Set-Cookie": "session=abc; Path=/"}))
    for _ in range(2):
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert "Cookie" not in server.received[1][1]


# ---------------------------------------------------------------------- redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("streaming", [False, True], ids=["post_json", "open_stream"])
def test_redirect_is_not_followed(
    serve: Callable[..., LocalServer], status: int, streaming: bool
) -> None:
    target = serve(lambda h: reply(h))
    origin = serve(lambda h: reply(h, status, b"moved", {"Location": target.url("/steal")}))

    call = open_stream if streaming else post_json
    with pytest.raises(UpstreamError) as caught:
        call(origin.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)

    assert caught.value.kind == "redirect"
    assert caught.value.status == status
    assert "steal" not in caught.value.message
    assert origin.hits == 1
    # The target never saw a connection, let alone the AppCode header.
    assert (target.accepts, target.hits, target.received) == (0, 0, [])


def test_a_huge_redirect_body_is_not_read(serve: Callable[..., LocalServer]) -> None:
    """requests reads a 3xx body in full even with allow_redirects=False; we must not."""
    ref: list[LocalServer] = []

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", "http://127.0.0.1:1/")
        h.send_header("Content-Length", str(20 * 1024 * 1024))
        h.end_headers()
        h.close_connection = True
        for _ in range(320):
            h.wfile.write(b"z" * 65536)
            if ref[0].stop.wait(0.01):  # slow enough that reading it all would take seconds
                return
        ref[0].events["finished"].set()

    server = serve(handle)
    ref.append(server)
    with pytest.raises(UpstreamError) as caught:
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert caught.value.kind == "redirect"
    assert not server.events["finished"].is_set()  # the body was not read to its end


# ----------------------------------------------------------------------- byte cap


def big_body_handler(server_ref: list[LocalServer], *, declare_length: bool) -> Handler:
    block = b"x" * 65536
    total = 20 * 1024 * 1024

    def handle(h: BaseHTTPRequestHandler) -> None:
        server = server_ref[0]
        h.send_response(200)
        if declare_length:
            h.send_header("Content-Length", str(total))
        else:
            h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        for _ in range(total // len(block)):
            h.wfile.write(block)
            server.sent += len(block)
        server.events["finished"].set()

    return handle


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "until-close"])
def test_byte_cap_stops_reading_early(
    serve: Callable[..., LocalServer], declare_length: bool
) -> None:
    ref: list[LocalServer] = []
    server = serve(big_body_handler(ref, declare_length=declare_length))
    ref.append(server)
    policy = UpstreamPolicy(allow_loopback=True, max_bytes=1024 * 1024, read_timeout=5)

    tracemalloc.start()
    try:
        with pytest.raises(UpstreamError) as caught:
            post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=policy)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert caught.value.kind == "too_large"
    assert peak < 4 * 1024 * 1024  # bounded by the cap, not by the 20 MB on offer
    assert server.events["disconnected"].wait(5)  # we hung up ...
    assert not server.events["finished"].is_set()  # ... before the server got it all out


def test_byte_cap_on_a_stream(serve: Callable[..., LocalServer]) -> None:
    def handle(h: BaseHTTPRequestHandler) -> None:
        start_chunked(h)
        for _ in range(1000):
            write_chunk(h, b"data:" + b"y" * 1000 + b"\n\n")
        end_chunked(h)

    server = serve(handle)
    policy = UpstreamPolicy(allow_loopback=True, max_bytes=64 * 1024)

    lines = []
    with (
        pytest.raises(UpstreamError) as caught,
        open_stream(server.url(), headers=JSON_HEADERS, body=BODY, policy=policy) as s,
    ):
        lines.extend(s.iter_lines())
    assert caught.value.kind == "too_large"
    assert 0 < sum(len(line) for line in lines) <= 64 * 1024


# ------------------------------------------------------------------------ timeouts


def test_read_timeout_waiting_for_the_answer(serve: Callable[..., LocalServer]) -> None:
    ref: list[LocalServer] = []

    def handle(h: BaseHTTPRequestHandler) -> None:
        ref[0].stop.wait(3)
        reply(h)

    server = serve(handle)
    ref.append(server)
    policy = UpstreamPolicy(allow_loopback=True, read_timeout=0.3)

    with pytest.raises(UpstreamError) as caught:
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=policy)
    assert caught.value.kind == "read_timeout"  # without it the answer came after 3 s


def test_read_timeout_in_the_middle_of_a_stream(serve: Callable[..., LocalServer]) -> None:
    ref: list[LocalServer] = []

    def handle(h: BaseHTTPRequestHandler) -> None:
        start_chunked(h)
        write_chunk(h, b"data: first\n\n")
        ref[0].stop.wait(3)

    server = serve(handle)
    ref.append(server)
    policy = UpstreamPolicy(allow_loopback=True, read_timeout=0.3)

    with open_stream(server.url(), headers=JSON_HEADERS, body=BODY, policy=policy) as stream:
        lines = stream.iter_lines()
        assert next(lines) == "data: first"
        with pytest.raises(UpstreamError) as caught:
            list(lines)
    assert caught.value.kind == "read_timeout"


def drip_handler(server_ref: list[LocalServer], *, chunked: bool = True) -> Handler:
    def handle(h: BaseHTTPRequestHandler) -> None:
        server = server_ref[0]
        if chunked:
            start_chunked(h)
        else:
            h.send_response(200)
            h.send_header("Content-Length", "100000")
            h.end_headers()
        while not server.stop.wait(0.05):
            if chunked:
                write_chunk(h, b"data:.\n")
            else:
                h.wfile.write(b".")
                h.wfile.flush()

    return handle


def test_total_deadline_on_a_slow_drip_stream(serve: Callable[..., LocalServer]) -> None:
    ref: list[LocalServer] = []
    server = serve(drip_handler(ref))
    ref.append(server)
    policy = UpstreamPolicy(allow_loopback=True, read_timeout=5, total_deadline=0.6)

    started = time.monotonic()
    count = 0
    with (
        pytest.raises(UpstreamError) as caught,
        open_stream(server.url(), headers=JSON_HEADERS, body=BODY, policy=policy) as s,
    ):
        for _ in s.iter_lines():
            count += 1
    took = time.monotonic() - started
    assert caught.value.kind == "deadline"
    assert count >= 3  # the drip did arrive: each read was well inside read_timeout
    assert took > 0.5  # not before the deadline; the kind says it was the deadline


def test_total_deadline_on_a_slow_drip_body(serve: Callable[..., LocalServer]) -> None:
    ref: list[LocalServer] = []
    server = serve(drip_handler(ref, chunked=False))
    ref.append(server)
    policy = UpstreamPolicy(allow_loopback=True, read_timeout=5, total_deadline=0.5)

    with pytest.raises(UpstreamError) as caught:
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=policy)
    assert caught.value.kind == "deadline"


def test_deadline_cuts_a_silent_read_short(serve: Callable[..., LocalServer]) -> None:
    """A read never waits past the deadline, even when read_timeout is far longer."""
    ref: list[LocalServer] = []

    def handle(h: BaseHTTPRequestHandler) -> None:
        start_chunked(h)
        write_chunk(h, b"data: one\n")
        ref[0].stop.wait(5)

    server = serve(handle)
    ref.append(server)
    policy = UpstreamPolicy(allow_loopback=True, read_timeout=30, total_deadline=0.5)

    with (
        pytest.raises(UpstreamError) as caught,
        open_stream(server.url(), headers=JSON_HEADERS, body=BODY, policy=policy) as s,
    ):
        list(s.iter_lines())
    assert caught.value.kind == "deadline"


# ------------------------------------------------------------------ broken network


def test_connect_refused_on_a_closed_port() -> None:
    with pytest.raises(UpstreamError) as caught:
        post_json(
            f"http://127.0.0.1:{free_port()}/x", headers=JSON_HEADERS, body=BODY, policy=LOCAL
        )
    assert caught.value.kind == "connect_refused"


def test_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_connect(self: socket.socket, address: object) -> None:
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket.socket, "connect", slow_connect)
    with pytest.raises(UpstreamError) as caught:
        post_json("http://127.0.0.1:9/x", headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert caught.value.kind == "connect_timeout"


def test_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(UpstreamError) as caught:
        post_json("http://nowhere.test/x", headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert caught.value.kind == "dns"
    assert "nowhere.test" in caught.value.message


def rst(h: BaseHTTPRequestHandler) -> None:
    """Abort the connection with a TCP reset instead of a clean close."""
    h.wfile.flush()
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()
    h.close_connection = True


@pytest.mark.parametrize("abort", ["reset", "close"])
def test_connection_broken_mid_body(serve: Callable[..., LocalServer], abort: str) -> None:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        h.wfile.write(b"x" * 100)
        if abort == "reset":
            rst(h)
        else:
            h.wfile.flush()
            h.close_connection = True

    server = serve(handle)
    with pytest.raises(UpstreamError) as caught:
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert caught.value.kind == "reset"


def test_connection_reset_before_the_answer(serve: Callable[..., LocalServer]) -> None:
    server = serve(rst)
    with pytest.raises(UpstreamError) as caught:
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert caught.value.kind == "reset"


def test_not_http_at_all(serve: Callable[..., LocalServer]) -> None:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"SSH-2.0-OpenSSH_9.0\r\n\r\n")
        h.close_connection = True

    server = serve(handle)
    with pytest.raises(UpstreamError) as caught:
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert caught.value.kind == "protocol"


# ------------------------------------------------------------------------- streams


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "until-close"])
def test_stream_lines_arrive_as_they_are_sent(
    serve: Callable[..., LocalServer], chunked: bool
) -> None:
    ref: list[LocalServer] = []

    def handle(h: BaseHTTPRequestHandler) -> None:
        server = ref[0]
        start_event_stream(h, chunked=chunked)
        send = (lambda d: write_chunk(h, d)) if chunked else (lambda d: h.wfile.write(d))
        send(b'data:{"n":1}\r\n\r\n')
        h.wfile.flush()
        # The rest comes only after the client has shown it read the first line.
        server.events["release"].wait(5)
        send(b"data: [DONE]\n\n")
        if chunked:
            end_chunked(h)

    server = serve(handle)
    ref.append(server)

    with open_stream(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"] == "text/event-stream"
        # The server holds the rest for up to 5 s until the client read the first line:
        # a reader that waited for the whole body would take those 5 s.
        assert stream.time_to_first_byte < 4
        started = time.monotonic()
        lines = stream.iter_lines()
        assert next(lines) == 'data:{"n":1}'
        assert time.monotonic() - started < 4  # not held back until the body ended
        server.events["release"].set()
        assert list(lines) == ["", "data: [DONE]", ""]


def test_closing_a_stream_disconnects_the_upstream(serve: Callable[..., LocalServer]) -> None:
    ref: list[LocalServer] = []
    server = serve(drip_handler(ref))
    ref.append(server)

    stream = open_stream(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    lines = stream.iter_lines()
    next(lines), next(lines)
    stream.close()

    assert server.events["disconnected"].wait(3)


def test_stream_error_body_on_non_2xx(serve: Callable[..., LocalServer]) -> None:
    error = b'{"error_code":"PANGU.3321","error_msg":"n can only be 1 when streaming"}'
    server = serve(lambda h: reply(h, 400, error))
    with open_stream(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL) as stream:
        assert stream.status == 400
        assert parse_error_body(stream.read_body()) == (
            "PANGU.3321",
            "n can only be 1 when streaming",
        )


# ------------------------------------------------------------------------ cancellation


def cancel_when(event: threading.Event, cancellation: upstream.Cancellation) -> None:
    """Cancel from another thread, as the disconnect watcher does, once ``event`` is set."""
    threading.Thread(target=lambda: event.wait(5) and cancellation.cancel(), daemon=True).start()


def test_cancel_ends_a_wait_for_the_answer_at_once(serve: Callable[..., LocalServer]) -> None:
    ref: list[LocalServer] = []
    waiting = threading.Event()

    def handle(h: BaseHTTPRequestHandler) -> None:
        waiting.set()
        ref[0].stop.wait(30)  # never answers in time
        reply(h)

    server = serve(handle)
    ref.append(server)
    cancellation = upstream.Cancellation()
    cancel_when(waiting, cancellation)
    with pytest.raises(UpstreamError) as caught:
        post_json(
            server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL, cancellation=cancellation
        )
    assert caught.value.kind == "cancelled"


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
def test_cancel_ends_a_stream_between_two_lines(
    serve: Callable[..., LocalServer], chunked: bool
) -> None:
    """Also a body that ends when the connection closes: a shut-down socket must not pass
    for the end of the answer."""
    ref: list[LocalServer] = []

    def handle(h: BaseHTTPRequestHandler) -> None:
        start_event_stream(h, chunked=chunked)
        line = b"data: first\n\n"
        h.wfile.write(b"%x\r\n%s\r\n" % (len(line), line) if chunked else line)
        h.wfile.flush()
        ref[0].stop.wait(30)

    server = serve(handle)
    ref.append(server)
    cancellation = upstream.Cancellation()
    first_line = threading.Event()
    cancel_when(first_line, cancellation)
    stream = open_stream(
        server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL, cancellation=cancellation
    )
    lines = stream.iter_lines()
    assert next(lines) == "data: first"
    first_line.set()
    with pytest.raises(UpstreamError) as caught:
        list(lines)
    assert caught.value.kind == "cancelled" and caught.value.status == 200


def test_a_cancellation_after_the_end_leaves_the_pooled_connection_alone(
    serve: Callable[..., LocalServer],
) -> None:
    server = serve(lambda h: reply(h))
    cancellation = upstream.Cancellation()
    policy = LOCAL
    assert (
        post_json(
            server.url(), headers=JSON_HEADERS, body=BODY, policy=policy, cancellation=cancellation
        ).status
        == 200
    )
    cancellation.cancel()  # the browser left after the answer was complete
    assert post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=policy).status == 200
    assert server.accepts == 1  # the kept connection was not shut down
    with pytest.raises(UpstreamError) as caught:  # and a cancelled call does not start
        post_json(
            server.url(), headers=JSON_HEADERS, body=BODY, policy=policy, cancellation=cancellation
        )
    assert caught.value.kind == "cancelled" and server.hits == 2


# ------------------------------------------------------------------- connection reuse


def test_sequential_calls_reuse_one_connection(serve: Callable[..., LocalServer]) -> None:
    server = serve(lambda h: reply(h))
    for _ in range(50):
        assert post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL).status == 200
    assert server.hits == 50
    assert server.accepts == 1


def test_finished_streams_give_their_connection_back(serve: Callable[..., LocalServer]) -> None:
    def handle(h: BaseHTTPRequestHandler) -> None:
        if h.path == "/stream":
            start_chunked(h)
            write_chunk(h, b"data: a\n\ndata: [DONE]\n\n")
            end_chunked(h)
        else:
            reply(h)

    server = serve(handle)
    for _ in range(5):
        with open_stream(server.url("/stream"), headers=JSON_HEADERS, body=BODY, policy=LOCAL) as s:
            assert list(s.iter_lines()) == ["data: a", "", "data: [DONE]", ""]
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert server.hits == 10
    assert server.accepts == 1


def test_a_stream_closed_midway_does_not_poison_the_pool(
    serve: Callable[..., LocalServer],
) -> None:
    ref: list[LocalServer] = []
    drip = drip_handler(ref)

    def handle(h: BaseHTTPRequestHandler) -> None:
        if h.path == "/stream":
            drip(h)
        else:
            reply(h)

    server = serve(handle)
    ref.append(server)
    with open_stream(server.url("/stream"), headers=JSON_HEADERS, body=BODY, policy=LOCAL) as s:
        next(s.iter_lines())
    for _ in range(3):
        assert post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL).status == 200
    assert server.accepts == 2  # the abandoned stream's connection was dropped, not reused


# ------------------------------------------------------------------ address checks

ALWAYS_BLOCKED_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://169.254.1.1/",
    "http://0.0.0.0:8080/",
    "http://0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://255.255.255.255/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 form of the metadata address
    "http://[2002:a9fe:a9fe::1]/",  # 6to4 form of the metadata address
    "http://2852039166/",  # 169.254.169.254 as one decimal number
]


@pytest.mark.parametrize("url", ALWAYS_BLOCKED_URLS)
def test_always_blocked_even_when_everything_else_is_allowed(
    url: str, record_connects: list[object]
) -> None:
    permissive = UpstreamPolicy(allow_loopback=True, allow_private=True)
    for call in (post_json, open_stream):
        with pytest.raises(UpstreamError) as caught:
            call(url, headers=JSON_HEADERS, body=BODY, policy=permissive)
        assert caught.value.kind == "blocked_address"
    assert record_connects == []


def test_a_name_resolving_to_metadata_is_blocked_before_connecting(
    monkeypatch: pytest.MonkeyPatch, record_connects: list[object]
) -> None:
    fake_dns(monkeypatch, {"models.internal.test": ["169.254.169.254"]})
    with pytest.raises(UpstreamError) as caught:
        post_json("http://models.internal.test/v1", headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert caught.value.kind == "blocked_address"
    assert "models.internal.test" in caught.value.message
    assert "metadata" in caught.value.message
    assert record_connects == []


def test_one_bad_answer_blocks_the_whole_name(
    monkeypatch: pytest.MonkeyPatch, record_connects: list[object]
) -> None:
    fake_dns(monkeypatch, {"mixed.test": ["127.0.0.1", "::ffff:169.254.169.254"]})
    with pytest.raises(UpstreamError) as caught:
        post_json("http://mixed.test/", headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert caught.value.kind == "blocked_address"
    assert record_connects == []


def test_loopback_refused_unless_allowed(serve: Callable[..., LocalServer]) -> None:
    server = serve(lambda h: reply(h))
    with pytest.raises(UpstreamError) as caught:
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=UpstreamPolicy())
    assert caught.value.kind == "blocked_address"
    assert server.accepts == 0

    response = post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert response.status == 200


def test_localhost_name_is_loopback(serve: Callable[..., LocalServer]) -> None:
    server = serve(lambda h: reply(h))
    with pytest.raises(UpstreamError) as caught:
        post_json(
            server.url(host="localhost"), headers=JSON_HEADERS, body=BODY, policy=UpstreamPolicy()
        )
    assert caught.value.kind == "blocked_address"
    assert server.accepts == 0


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
def test_ipv6_loopback(serve: Callable[..., LocalServer]) -> None:
    try:
        server = serve(lambda h: reply(h), host="::1")
    except OSError:
        pytest.skip("cannot bind ::1")
    with pytest.raises(UpstreamError):
        post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=UpstreamPolicy())
    response = post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert response.status == 200
    assert server.received[0][1]["Host"] == f"[::1]:{server.port}"


@pytest.mark.parametrize("ip", ["10.1.2.3", "172.16.5.4", "192.168.1.10", "100.64.0.7", "fd12::1"])
def test_private_refused_unless_allowed(
    monkeypatch: pytest.MonkeyPatch, record_connects: list[object], ip: str
) -> None:
    fake_dns(monkeypatch, {"edge-node.test": [ip]})
    url = "http://edge-node.test:8443/v1/chat"

    with pytest.raises(UpstreamError) as caught:
        post_json(url, headers=JSON_HEADERS, body=BODY, policy=UpstreamPolicy())
    assert caught.value.kind == "blocked_address"
    assert record_connects == []

    # Allowed: the connect goes to exactly the checked address (the recorder refuses it,
    # so nothing leaves the machine).
    with pytest.raises(UpstreamError) as caught:
        post_json(url, headers=JSON_HEADERS, body=BODY, policy=UpstreamPolicy(allow_private=True))
    assert caught.value.kind == "connect_refused"
    assert [address[0] for address in record_connects] == [ip]  # type: ignore[index]


def test_resolved_once_and_connected_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch, serve: Callable[..., LocalServer]
) -> None:
    """DNS rebinding: a second lookup would now answer the metadata address."""
    server = serve(lambda h: reply(h))
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host: str, port: int, *args: object, **kwargs: object) -> object:
        if host == "rebind.test":
            lookups.append(host)
            ip = "127.0.0.1" if len(lookups) == 1 else "169.254.169.254"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = server.url(host="rebind.test")
    for _ in range(3):
        assert post_json(url, headers=JSON_HEADERS, body=BODY, policy=LOCAL).status == 200
    assert lookups == ["rebind.test"]  # one lookup per connection, and one connection
    assert server.received[0][1]["Host"] == f"rebind.test:{server.port}"


@pytest.mark.parametrize(
    ("ip", "category"),
    [
        ("169.254.169.254", "metadata"),
        ("::ffff:169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("169.254.10.10", "link_local"),
        ("fe80::1%1", "link_local"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.0.1", "private"),
        ("100.64.0.1", "private"),
        ("fc00::1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::10.0.0.1", "private"),
        ("2002:0a00:0001::1", "private"),
        ("::10.0.0.1", "private"),
        ("8.8.8.8", "public"),
        ("172.32.0.1", "public"),
        ("2001:4860:4860::8888", "public"),
        ("::ffff:8.8.8.8", "public"),
    ],
)
def test_classify_address(ip: str, category: str) -> None:
    assert classify_address(ip) == category


def test_check_address_follows_the_policy() -> None:
    check_address("8.8.8.8", UpstreamPolicy())
    check_address("10.0.0.1", UpstreamPolicy(allow_private=True))
    check_address("127.0.0.1", UpstreamPolicy(allow_loopback=True))
    for ip, policy in [
        ("10.0.0.1", UpstreamPolicy(allow_loopback=True)),
        ("127.0.0.1", UpstreamPolicy(allow_private=True)),
        ("169.254.169.254", UpstreamPolicy(allow_loopback=True, allow_private=True)),
        ("fd00:ec2::254", UpstreamPolicy(allow_private=True)),
    ]:
        with pytest.raises(UpstreamError) as caught:
            check_address(ip, policy)
        assert caught.value.kind == "blocked_address"


# ------------------------------------------------------------- environment, inputs


def test_proxy_environment_is_ignored(
    monkeypatch: pytest.MonkeyPatch, serve: Callable[..., LocalServer]
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.setenv("NO_PROXY", "")
    server = serve(lambda h: reply(h))
    assert post_json(server.url(), headers=JSON_HEADERS, body=BODY, policy=LOCAL).status == 200
    assert server.hits == 1


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "http://user:pass@127.0.0.1/x",
        "http:///no-host",
        "not a url",
        "http://127.0.0.1:99999/",
        "http://127.0.0.1/a b",
        "",
    ],
)
def test_invalid_urls(url: str, record_connects: list[object]) -> None:
    with pytest.raises(UpstreamError) as caught:
        post_json(url, headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    assert caught.value.kind == "invalid_url"
    assert "pass" not in caught.value.message
    assert record_connects == []


def test_messages_never_carry_secrets_or_query_strings() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1/x?signature=q-secret"
    with pytest.raises(UpstreamError) as caught:
        post_json(url, headers=JSON_HEADERS, body=BODY, policy=LOCAL)
    text = f"{caught.value} {caught.value!r} {caught.value.message}"
    assert "s3cr3t" not in text
    assert "q-secret" not in text and "signature" not in text


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Apig-AppCode": "s3cr3t\r\nX-Injected: 1"},
        {"Authorization": "Bearer s3cr3t\n"},
        {"X-Auth-Token": "s3cr3t-ключ"},
    ],
)
def test_bad_header_values_are_refused_without_echoing_them(
    serve: Callable[..., LocalServer], headers: dict[str, str]
) -> None:
    server = serve(lambda h: reply(h))
    with pytest.raises(UpstreamError) as caught:
        post_json(server.url(), headers=headers, body=BODY, policy=LOCAL)
    assert caught.value.kind == "invalid_request"
    assert "s3cr3t" not in str(caught.value)
    assert server.hits == 0


# ----------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throw-away CA and a leaf certificate for the name "api.test"."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Access Portal test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "api.test")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("api.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    files = {
        "ca": directory / "ca.pem",
        "cert": directory / "cert.pem",
        "key": directory / "key.pem",
    }
    files["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(leaf_cert.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


@pytest.fixture
def tls_server(serve: Callable[..., LocalServer], tls_files: dict[str, Path]) -> LocalServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files["cert"], tls_files["key"])
    server_names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)  # type: ignore[assignment,return-value]
    server = serve(lambda h: reply(h), tls=context)
    server.server_names = server_names  # type: ignore[attr-defined]
    return server


def test_https_keeps_host_sni_and_verification_while_pinning(
    monkeypatch: pytest.MonkeyPatch, tls_server: LocalServer, tls_files: dict[str, Path]
) -> None:
    lookups = fake_dns(monkeypatch, {"api.test": ["127.0.0.1"]})
    policy = UpstreamPolicy(allow_loopback=True, ca_bundle=str(tls_files["ca"]))
    url = f"https://api.test:{tls_server.port}/api/v2/chat/completions"

    for _ in range(3):
        assert post_json(url, headers=JSON_HEADERS, body=BODY, policy=policy).status == 200

    assert lookups == ["api.test"]
    assert tls_server.accepts == 1
    assert tls_server.server_names == ["api.test"]  # type: ignore[attr-defined]
    assert tls_server.received[0][1]["Host"] == f"api.test:{tls_server.port}"


def test_https_certificate_for_another_name_is_refused(
    monkeypatch: pytest.MonkeyPatch, tls_server: LocalServer, tls_files: dict[str, Path]
) -> None:
    fake_dns(monkeypatch, {"other.test": ["127.0.0.1"]})
    policy = UpstreamPolicy(allow_loopback=True, ca_bundle=str(tls_files["ca"]))
    with pytest.raises(UpstreamError) as caught:
        post_json(
            f"https://other.test:{tls_server.port}/", headers=JSON_HEADERS, body=BODY, policy=policy
        )
    assert caught.value.kind == "tls"
    assert tls_server.hits == 0


def test_https_untrusted_certificate_is_refused(
    monkeypatch: pytest.MonkeyPatch, tls_server: LocalServer
) -> None:
    fake_dns(monkeypatch, {"api.test": ["127.0.0.1"]})
    with pytest.raises(UpstreamError) as caught:
        post_json(
            f"https://api.test:{tls_server.port}/", headers=JSON_HEADERS, body=BODY, policy=LOCAL
        )
    assert caught.value.kind == "tls"
    assert tls_server.hits == 0


def test_upstream_module_does_not_import_django() -> None:
    source = Path(upstream.__file__).read_text()
    assert "django" not in source.lower().replace("no django", "")
    json.dumps(UpstreamPolicy().__dict__)  # plain values the lead can build from settings
