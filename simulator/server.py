"""A threaded HTTP/1.1 WSGI server for the simulator, and start_background() for tests.

wsgiref alone answers HTTP/1.0 and closes every connection, which would hide
whether a client pools connections. This server keeps connections alive,
frames bodies of unknown length (streams) with chunked transfer encoding for
HTTP/1.1 clients (HTTP/1.0 clients get a close-delimited body), writes and
flushes each chunk as the app yields it, and counts accepted connections.

    sim = start_background(DEFAULT_STATE_PATH, first_token_ms=5, chunks=8)
    ... requests.post(sim.url + "/api/v2/chat/completions", ...)
    sim.stop()
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from wsgiref.handlers import SimpleHandler
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from simulator.app import Pacing, SimulatorApp
from simulator.state import DEFAULT_STATE_PATH, State, load_state
from simulator.stats import Stats
from simulator.wire import ENV_CLIENT_GONE, ENV_CLOSE_AFTER_RESPONSE, ENV_RESET_CONNECTION

log = logging.getLogger("simulator")

# Socket timeout: how long an idle keep-alive connection (or a stuck peer) may
# hold a thread before the server drops it.
IDLE_TIMEOUT_SECONDS = 30
DEFAULT_PACING = Pacing()


class _ServerHandler(ServerHandler):
    """Runs one WSGI request; adds keep-alive and chunked framing to wsgiref's handler."""

    server_software = "modelarts-simulator"
    http_version = "1.1"
    # wsgiref copies os.environ into every request's environ; a variable like
    # HTTP_AUTHORIZATION would then pose as a request header (and secrets from
    # the process environment would travel with each request). Start empty.
    os_environ: dict[str, str] = {}
    request_handler: _RequestHandler
    chunked = False
    # (status, bytes sent) once the response went out completely; None if aborted.
    outcome: tuple[str, int] | None = None

    def cleanup_headers(self) -> None:
        super().cleanup_headers()  # sets Content-Length for single-block bodies
        handler = self.request_handler
        if "Content-Length" not in self.headers:
            if handler.request_version == "HTTP/1.1":
                self.chunked = True
                self.headers["Transfer-Encoding"] = "chunked"
            else:  # an HTTP/1.0 client knows the body ended when the connection closes
                handler.close_connection = True
        if handler.close_connection:
            self.headers["Connection"] = "close"
        elif handler.request_version == "HTTP/1.0":
            self.headers["Connection"] = "keep-alive"

    def write(self, data: bytes) -> None:
        if not self.status:
            raise AssertionError("write() before start_response()")
        if not self.headers_sent:
            self.bytes_sent = len(data)  # set_content_length() reads it
            self.send_headers()
        else:
            self.bytes_sent += len(data)
        # An empty chunk would end a chunked body, so empty writes only flush headers.
        if data:
            self._write(b"%x\r\n%s\r\n" % (len(data), data) if self.chunked else data)
        self._flush()

    def finish_content(self) -> None:
        if not self.headers_sent:
            super().finish_content()
        elif self.chunked:
            self._write(b"0\r\n\r\n")
            self._flush()

    def close(self) -> None:
        self.outcome = (self.status, self.bytes_sent)  # BaseHandler.close() wipes them
        # SimpleHandler, not ServerHandler: the request handler writes the log line.
        SimpleHandler.close(self)

    def log_exception(self, exc_info: Any) -> None:
        log.error("error while sending a response", exc_info=exc_info)


class _RequestHandler(WSGIRequestHandler):
    """One TCP connection: serves requests on it until either side closes it."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_SECONDS
    server: _ThreadingWSGIServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    # BaseHTTPRequestHandler.handle loops over handle_one_request while the
    # connection stays open; WSGIRequestHandler replaced it with one request.
    handle = BaseHTTPRequestHandler.handle

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():  # it already answered with an error
                return
            started = time.monotonic()
            handler = _ServerHandler(
                self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
            )
            handler.request_handler = self
            handler.run(self.server.get_app())
            if handler.outcome is None:  # client gone or connection reset mid-response
                self.close_connection = True
            self._log_exchange(handler, started)
        except (TimeoutError, OSError):
            self.close_connection = True

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ[ENV_CLIENT_GONE] = self._client_gone
        environ[ENV_RESET_CONNECTION] = self._reset
        environ[ENV_CLOSE_AFTER_RESPONSE] = self._close_after_response
        return environ

    def _client_gone(self) -> bool:
        try:
            # poll(), unlike select(), works for descriptors above 1023.
            poller = select.poll()
            poller.register(self.connection, select.POLLIN)
            # Readable with nothing to read means the peer closed; a pipelined
            # request would be real data, so peek instead of reading.
            return bool(poller.poll(0)) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _reset(self) -> None:
        """Close with SO_LINGER 0, so the kernel sends RST instead of FIN."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # drops the makefile() reference, so close() is real
        self.connection.close()

    def _close_after_response(self) -> None:
        self.close_connection = True

    def _log_exchange(self, handler: _ServerHandler, started: float) -> None:
        # Method, path (no query), status and size only: never headers or bodies,
        # which carry keys, tokens and passwords.
        status, size = handler.outcome or (handler.status, handler.bytes_sent)
        log.info(
            '%s "%s %s" %s %dB %.3fs%s',
            self.client_address[0],
            self.command,
            self.path.split("?", 1)[0],
            (status or "-").split(" ", 1)[0],
            size or 0,
            time.monotonic() - started,
            "" if handler.outcome else " aborted",
        )

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        # Only reached for requests the parser rejected (send_error).
        log.info('%s "%s" %s', self.client_address[0], self.command or "-", code)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.client_address[0], format % args)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # stop() shuts open connections down itself and waits with a deadline.
    block_on_close = False
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], stats: Stats, stopping: threading.Event) -> None:
        self.stats = stats
        self.stopping = stopping
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would resolve the host name (getfqdn): a DNS
        # lookup nobody needs.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
        self.setup_environ()

    def process_request(self, request: Any, client_address: Any) -> None:
        self.stats.increment("connections")
        super().process_request(request, client_address)

    def track(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.add(connection)
        if self.stopping.is_set():
            _shut(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(connection)

    def shut_open_connections(self) -> int:
        with self._open_lock:
            open_now = list(self._open)
        for connection in open_now:
            _shut(connection)
        return len(open_now)

    def open_connections(self) -> int:
        with self._open_lock:
            return len(self._open)


def _shut(connection: socket.socket) -> None:
    # shutdown() wakes a thread blocked reading the next keep-alive request.
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


class Simulator:
    """The platform stand-in on one port: IAM, V1, V2, edge prefixes and /_sim/."""

    def __init__(
        self,
        state: State,
        host: str = "127.0.0.1",
        port: int = 0,
        pacing: Pacing = DEFAULT_PACING,
    ) -> None:
        self.state = state
        self.stats = Stats()
        stopping = threading.Event()
        self.app = SimulatorApp(state, pacing, self.stats, stopping)
        self._httpd = _ThreadingWSGIServer((host, port), self.stats, stopping)
        self._httpd.set_app(self.app)
        self.host = host
        self.port: int = self._httpd.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None
        self._stopped = False

    def start(self) -> Simulator:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, end every wait and stream, close connections, free the port."""
        if self._stopped:
            return
        self._stopped = True
        self.app.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout)
        deadline = time.monotonic() + timeout
        while self._httpd.shut_open_connections() and time.monotonic() < deadline:
            time.sleep(0.02)
        self._httpd.server_close()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_background(
    state: str | os.PathLike[str] | Mapping[str, Any] | State | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    first_token_ms: float = DEFAULT_PACING.first_token_ms,
    chunk_delay_ms: float = DEFAULT_PACING.chunk_delay_ms,
    chunks: int = DEFAULT_PACING.chunks,
) -> Simulator:
    """Serve in a daemon thread; port 0 picks a free port (see .port and .url)."""
    pacing = Pacing(first_token_ms, chunk_delay_ms, chunks)
    loaded = load_state(DEFAULT_STATE_PATH if state is None else state)
    return Simulator(loaded, host, port, pacing).start()
