"""A small HTTP/1.1 client on a raw socket that notes when every byte arrived.

The benchmark uses this one client for both sides (direct to the simulator and through
the portal), so the client's own cost is the same on both. Each ``recv`` is one network
read with its arrival time; the body (de-chunked, and gunzipped when the server
compressed it) keeps, piece by piece, the read it arrived in. That is what tells whether
two stream events reached the client separately or coalesced into one read.

Standard library only: the benchmark's client process imports no Django.
"""

from __future__ import annotations

import json
import socket
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

READ_SIZE = 65536
MAX_HEAD = 64 * 1024
MAX_RESPONSE_SECONDS = 120.0  # no response the benchmark makes takes more than seconds
# gunicorn closes idle keep-alive connections after GUNICORN_KEEPALIVE (5 s): reconnect
# before that rather than racing the server's close.
MAX_IDLE_SECONDS = 3.0


class HTTPClientError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Piece:
    """Body bytes that arrived in read number ``read`` at ``t`` (perf_counter)."""

    read: int
    t: float
    data: bytes


@dataclass(frozen=True, slots=True)
class Event:
    """One server-sent event, complete at read number ``read`` (time ``t``)."""

    name: str
    data: str
    read: int
    t: float

    def json(self) -> dict:
        return json.loads(self.data)


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    pieces: list[Piece]
    t_sent: float  # request written
    t_head: float  # status line and headers read
    t_end: float  # last body byte read
    reads: int  # network reads that carried this response
    new_connection: bool

    def header(self, name: str, default: str = "") -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), default)

    def header_list(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    @property
    def body(self) -> bytes:
        return b"".join(p.data for p in self.pieces)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def elapsed(self) -> float:
        return self.t_end - self.t_sent

    def events(self) -> list[Event]:
        return list(parse_sse(self.pieces))


def parse_sse(pieces: list[Piece]) -> Iterator[Event]:
    """Server-sent events from timed body pieces; each complete when its blank line came."""
    buffer = b""
    for piece in pieces:
        buffer += piece.data.replace(b"\r\n", b"\n")
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            name, data = "message", []
            for line in block.decode("utf-8", "replace").split("\n"):
                field_name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field_name == "event":
                    name = value
                elif field_name == "data":
                    data.append(value)
            if data or name != "message":
                yield Event(name, "\n".join(data), piece.read, piece.t)


class _Body:
    """Turns the raw bytes after the head into body pieces: length, chunked or close."""

    def __init__(self, headers: list[tuple[str, str]], status: int, method: str) -> None:
        get = dict(headers).get
        self.chunked = "chunked" in get("transfer-encoding", "").lower()
        length = get("content-length")
        self.remaining = int(length) if length is not None and not self.chunked else None
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            self.remaining = 0
        self.until_close = not self.chunked and self.remaining is None
        self.done = self.remaining == 0
        self._buffer = b""
        self._chunk_left = 0
        self._state = "size"  # size, data, data_end, trailer
        encoding = get("content-encoding", "").lower()
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None

    def feed(self, data: bytes) -> bytes:
        """Decoded body bytes in ``data`` (may be empty); sets ``done`` at the end."""
        if self.until_close:
            out = data
        elif not self.chunked:
            out, self.remaining = data[: self.remaining], self.remaining - len(data)
            self.done = self.remaining <= 0
        else:
            out = self._dechunk(data)
        if self._inflate is not None:
            out = self._inflate.decompress(out)
        return out

    def _dechunk(self, data: bytes) -> bytes:
        self._buffer += data
        out = bytearray()
        while not self.done:
            if self._state == "size":
                line, sep, rest = self._buffer.partition(b"\r\n")
                if not sep:
                    break
                self._buffer = rest
                self._chunk_left = int(line.split(b";", 1)[0].strip(), 16)
                self._state = "data" if self._chunk_left else "trailer"
            elif self._state == "data":
                if not self._buffer:
                    break
                take = self._buffer[: self._chunk_left]
                self._buffer = self._buffer[len(take) :]
                self._chunk_left -= len(take)
                out += take
                if self._chunk_left == 0:
                    self._state = "data_end"
            elif self._state == "data_end":
                if len(self._buffer) < 2:
                    break
                self._buffer = self._buffer[2:]
                self._state = "size"
            else:  # trailer: lines until an empty one
                line, sep, rest = self._buffer.partition(b"\r\n")
                if not sep:
                    break
                self._buffer = rest
                if not line:
                    self.done = True
        return bytes(out)


@dataclass
class Connection:
    """One keep-alive connection to ``host:port``; reconnects when needed."""

    host: str
    port: int
    timeout: float = 60.0
    max_idle: float = MAX_IDLE_SECONDS
    sock: socket.socket | None = field(default=None, repr=False)
    connections_opened: int = 0
    _last_used: float = 0.0

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _ensure(self) -> bool:
        if self.sock is not None and time.monotonic() - self._last_used > self.max_idle:
            self.close()
        if self.sock is not None:
            return False
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.connections_opened += 1
        return True

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        for attempt in (1, 2):
            new = self._ensure()
            try:
                return self._exchange(method, path, headers or {}, body, new)
            except _StaleConnection:
                self.close()
                if new or attempt == 2:
                    raise HTTPClientError("the server closed the connection") from None
        raise AssertionError("unreachable")

    def _exchange(
        self, method: str, path: str, headers: dict[str, str], body: bytes, new: bool
    ) -> Response:
        sock = self.sock
        assert sock is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        t_sent = time.perf_counter()
        try:
            sock.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):
            raise _StaleConnection from None
        deadline = t_sent + MAX_RESPONSE_SECONDS
        buffer, reads = b"", 0
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEAD or time.perf_counter() > deadline:
                raise HTTPClientError("no complete response head")
            try:
                data = sock.recv(READ_SIZE)
            except ConnectionResetError:
                data = b""
            if not data:
                if not buffer and not new:
                    raise _StaleConnection
                raise HTTPClientError("connection closed before the response head")
            reads += 1
            buffer += data
        t_head = time.perf_counter()
        raw_head, rest = buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = raw_head.decode("latin-1").split("\r\n")
        version, status = status_line.split(" ", 2)[:2]
        response_headers = []
        for line in header_lines:
            name, _, value = line.partition(":")
            response_headers.append((name.strip().lower(), value.strip()))
        status_code = int(status)
        reader = _Body(response_headers, status_code, method)
        pieces: list[Piece] = []
        t_end = t_head
        if rest:
            pieces.append(Piece(reads, t_head, reader.feed(rest)))
        while not reader.done:
            if time.perf_counter() > deadline:
                raise HTTPClientError(f"the response took more than {MAX_RESPONSE_SECONDS:.0f} s")
            data = sock.recv(READ_SIZE)
            t_end = time.perf_counter()
            if not data:
                if reader.until_close:
                    break
                raise HTTPClientError("connection closed in the middle of the body")
            reads += 1
            out = reader.feed(data)
            if out:
                pieces.append(Piece(reads, t_end, out))
        connection_header = dict(response_headers).get("connection", "").lower()
        if reader.until_close or connection_header == "close" or version == "HTTP/1.0":
            self.close()
        self._last_used = time.monotonic()
        return Response(
            status=status_code,
            headers=response_headers,
            pieces=[p for p in pieces if p.data],
            t_sent=t_sent,
            t_head=t_head,
            t_end=t_end,
            reads=reads,
            new_connection=new,
        )


class _StaleConnection(Exception):
    """A kept-alive connection the server had already closed: retry on a new one."""


class Browser:
    """A signed-in user of the portal: cookies kept by hand (they are Secure, and the
    benchmark talks plain HTTP to gunicorn on loopback, as a TLS proxy would)."""

    def __init__(self, host: str, port: int) -> None:
        self.connection = Connection(host, port)
        self.cookies: dict[str, str] = {}
        self.origin = f"http://{host}:{port}"

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Response:
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.connection.request(method, path, all_headers, body)
        for header in response.header_list("set-cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers)

    def post_form(
        self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None
    ) -> Response:
        body = urlencode(fields | {"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        all_headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + path,
            **(headers or {}),
        }
        return self.request("POST", path, all_headers, body.encode())

    def sign_in(self, username: str, password: str) -> None:
        """The real sign-in: the login page (CSRF cookie), then the form POST."""
        page = self.get("/accounts/login/")
        if page.status != 200 or "csrftoken" not in self.cookies:
            raise HTTPClientError(f"login page answered {page.status} without a CSRF cookie")
        answer = self.post_form("/accounts/login/", {"username": username, "password": password})
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise HTTPClientError(f"sign-in answered {answer.status}: {answer.text[:300]}")

    def clone(self) -> Browser:
        """Another connection for the same signed-in user (a second browser tab)."""
        other = Browser(self.connection.host, self.connection.port)
        other.cookies = dict(self.cookies)
        return other

    def close(self) -> None:
        self.connection.close()
