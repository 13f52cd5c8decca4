"""Faults injected per deployment (state file "faults": {deployment_id: name}).

They apply to V1 and V2 alike, after authentication and validation succeeded,
i.e. to a call that would otherwise have been answered:

- slow: answers only after SLOW_SECONDS (longer than any sane client timeout);
  the wait is abandoned as soon as the client goes away or the server stops.
- error_500 / error_502 / error_504: the service's PANGU.0031 (500) or the
  gateway's APIG.0201 (502 backend unavailable, 504 backend timeout).
- malformed_json: 200 with a truncated JSON body; streams get one broken
  `data:` line after the first event.
- reset_mid_stream: the TCP connection is reset (RST) halfway through the
  stream, or halfway through a non-stream body sent with its full Content-Length.
- throttle: APIG.0308, 429.
- huge_body: a ~40 MB answer (one huge content string), generated lazily.
- redirect: 307 to /_sim/redirect-target on this server, which records whether
  credentials followed the redirect.
- flapping (or flapping:<period seconds>, default 80): healthy for the first half of
  every period of the wall clock, then the gateway's 502 APIG.0201 for the second half:
  a deployment that goes down and comes back on a schedule (the demo's monitor shows it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from simulator.completions import (
    Api,
    ChatRequest,
    Choice,
    Completion,
    completion_body,
    done_frame,
    split_for_stream,
    sse_frame,
    v1_chunk,
    v2_chunk,
)
from simulator.errors import gateway_error, service_error
from simulator.wire import Request, Response, encode_json, event_stream

SLOW_SECONDS = 180.0
HUGE_BODY_BYTES = 40 * 1024 * 1024
REDIRECT_TARGET = "/_sim/redirect-target"
FLAPPING_PERIOD = 80  # down 40 s: a 10 s monitor sees at least three failures
# The clock flapping reads; tests in the same process may swap it.
clock: Callable[[], float] = time.time

_HUGE_MARKER = "@@HUGE-CONTENT@@"
_HUGE_BLOCK = b"lorem ipsum dolor sit amet " * 2427  # ~64 KiB, reused for every block

_ERRORS = {
    "error_500": lambda: service_error(500, "PANGU.0031", "Inner service exception."),
    "error_502": lambda: gateway_error(502, "APIG.0201", "Backend unavailable."),
    "error_504": lambda: gateway_error(504, "APIG.0201", "Backend timeout."),
    "throttle": lambda: gateway_error(
        429, "APIG.0308", "The throttling threshold has been reached."
    ),
}


@dataclass(frozen=True)
class FaultContext:
    request: Request
    api: Api
    chat: ChatRequest
    completion: Completion
    chunks: int
    # Sleeps, raising ConnectionAbortedError once the client left or the server stops.
    wait: Callable[[float], None]


def respond(fault: str | None, ctx: FaultContext, answer: Callable[[], Response]) -> Response:
    """The response of a deployment with this fault; answer() builds the healthy one."""
    if fault is None:
        return answer()
    if fault.startswith("flapping"):
        return answer() if flapping_is_up(fault) else _ERRORS["error_502"]().response
    if fault in _ERRORS:
        return _ERRORS[fault]().response
    if fault == "redirect":
        return Response(307, b"", None, [("Location", _redirect_url(ctx.request))])
    if fault == "huge_body":
        return _huge(ctx)
    if fault == "slow":
        ctx.wait(SLOW_SECONDS)
        return answer()
    healthy = answer()
    if fault == "malformed_json":
        return _malformed(healthy)
    if fault == "reset_mid_stream":
        return _reset_halfway(healthy, ctx)
    raise ValueError(f"unknown fault {fault!r}")  # load_state rejects these


def flapping_is_up(fault: str, now: float | None = None) -> bool:
    """Up in the first half of each period, down in the second."""
    _name, _, period = fault.partition(":")
    half = (int(period) if period else FLAPPING_PERIOD) / 2
    return int((clock() if now is None else now) // half) % 2 == 0


def _redirect_url(request: Request) -> str:
    name, port = request.environ.get("SERVER_NAME", ""), request.environ.get("SERVER_PORT", "")
    # The bound address is the same server for sure; a wildcard bind needs the Host header.
    host = f"{name}:{port}" if name not in ("", "0.0.0.0", "::") else request.header("host")  # noqa: S104
    return f"http://{host}{REDIRECT_TARGET}"


def _malformed(healthy: Response) -> Response:
    if isinstance(healthy.body, bytes):
        return replace(healthy, body=healthy.body[: len(healthy.body) // 2])

    def frames(body: Iterable[bytes]) -> Iterator[bytes]:
        broken_sent = False
        for frame in body:
            yield frame
            if frame.startswith(b"data") and not broken_sent:
                # A cut-off copy of a good event: starts like one, never parses.
                yield frame[: len(frame) // 2].rstrip(b"\n") + b"\n\n"
                broken_sent = True

    return replace(healthy, body=frames(healthy.body))


def _reset_halfway(healthy: Response, ctx: FaultContext) -> Response:
    request = ctx.request
    if isinstance(healthy.body, bytes):
        whole = healthy.body

        def half_body() -> Iterator[bytes]:
            yield whole[: len(whole) // 2]
            request.reset_connection()

        headers = [*healthy.headers, ("Content-Length", str(len(whole)))]
        return replace(healthy, body=half_body(), headers=headers)

    keep = max(1, len(split_for_stream(ctx.completion.choices[0], ctx.chunks)) // 2)

    def half_stream(body: Iterable[bytes]) -> Iterator[bytes]:
        sent = 0
        for frame in body:
            if sent >= keep:
                break
            yield frame
            sent += frame.startswith(b"data")
        request.reset_connection()

    return replace(healthy, body=half_stream(healthy.body))


def _huge(ctx: FaultContext) -> Response:
    completion = ctx.completion
    if ctx.chat.stream:
        chunk = (
            v1_chunk(completion, _HUGE_MARKER, "length", 1)
            if ctx.api == "v1"
            else v2_chunk(completion, {"content": _HUGE_MARKER}, "length")
        )
        head, tail = sse_frame(ctx.api, chunk).split(_HUGE_MARKER.encode())
        tail += done_frame(ctx.api)
    else:
        one_piece = replace(completion, choices=(Choice(0, (_HUGE_MARKER,), "length"),))
        head, tail = encode_json(completion_body(one_piece)).split(_HUGE_MARKER.encode())
    blocks = -(-HUGE_BODY_BYTES // len(_HUGE_BLOCK))  # rounded up: at least HUGE_BODY_BYTES

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(blocks):
            yield _HUGE_BLOCK
        yield tail

    if ctx.chat.stream:
        return event_stream(body())
    length = len(head) + blocks * len(_HUGE_BLOCK) + len(tail)
    return Response(200, body(), "application/json", [("Content-Length", str(length))])
