"""The playground's stream to the browser: the portal's own small SSE events.

One browser parser serves V1 and V2 alike. Each event is yielded as soon as it is
known; under WSGI every yielded chunk is written and flushed. When the browser goes
away, the call stops at once and is recorded as stopped: while the portal waits for the
upstream, the disconnect watcher (chat/disconnects.py) cancels the upstream call; while
it writes, the server closes this generator. Either way the upstream connection closes.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import translation

from chat.calls import CallRun, record
from chat.disconnects import client_socket, watching
from chat.streams import sse_event

logger = logging.getLogger(__name__)


def relay(run: CallRun, client: socket.socket | None = None) -> Iterator[bytes]:
    events = run.events()
    finished = False
    with watching(client, run.cancellation.cancel):
        try:
            for name, data in events:
                if name == "end":
                    call = record(run)
                    finished = True
                    data = data | {"test_call": str(call.code)}
                yield sse_event(name, data)
        finally:
            events.close()  # closes the upstream if we stopped early
            if not finished:
                call = record(run, aborted=True)
                logger.info("Test call stopped by the client after %s ms", call.latency_ms)


def in_language(events: Iterator[bytes], language: str) -> Iterator[bytes]:
    """The stream outlives the view: its hints are worded in the request's language."""
    with translation.override(language):
        yield from events


def sse_response(run: CallRun, request: HttpRequest) -> StreamingHttpResponse:
    stream = in_language(relay(run, client_socket(request.META)), translation.get_language())
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response
