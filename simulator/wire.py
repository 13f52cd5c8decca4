"""Request and response values as the WSGI app sees them.

The server (simulator/server.py) puts a few callables into the WSGI environ so
that faults can act on the raw connection: see the ENV_* names below. When the
app runs under some other WSGI server they fall back to harmless defaults.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import parse_qs

ENV_CLIENT_GONE = "simulator.client_gone"
ENV_RESET_CONNECTION = "simulator.reset_connection"
ENV_CLOSE_AFTER_RESPONSE = "simulator.close_after_response"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    # Lower-cased header names; a header sent empty is present with "".
    headers: dict[str, str]
    body: bytes
    environ: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any], body: bytes) -> Request:
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        return cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path=environ.get("PATH_INFO", "/") or "/",
            query=query,
            headers=headers,
            body=body,
            environ=environ,
        )

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def client_gone(self) -> bool:
        """True once the client has closed its end (checked without reading its data)."""
        check: Callable[[], bool] = self.environ.get(ENV_CLIENT_GONE, lambda: False)
        return check()

    def reset_connection(self) -> NoReturn:
        """Drop the TCP connection abruptly (RST); never returns."""
        reset: Callable[[], None] | None = self.environ.get(ENV_RESET_CONNECTION)
        if reset is not None:
            reset()
        raise ConnectionAbortedError("connection reset by the simulator")

    def close_after_response(self) -> None:
        """Ask the server not to keep this connection alive (e.g. body left unread)."""
        self.environ.get(ENV_CLOSE_AFTER_RESPONSE, lambda: None)()


@dataclass
class Response:
    status: int
    body: bytes | Iterable[bytes] = b""
    content_type: str | None = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def streaming(self) -> bool:
        return not isinstance(self.body, bytes)


def encode_json(payload: Any) -> bytes:
    """Compact JSON as the platform sends it (no spaces, UTF-8, not ASCII-escaped)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, encode_json(payload), "application/json", list(headers))


def event_stream(frames: Iterable[bytes]) -> Response:
    """A text/event-stream response; headers go out at once, before the first event."""

    def body() -> Iterator[bytes]:
        yield b""  # the server sends the headers on the first write, even an empty one
        yield from frames

    return Response(200, body(), "text/event-stream", [("Cache-Control", "no-cache")])
