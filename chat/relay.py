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
import uuid
from collections.abc import Iterator

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import translation

from chat.calls import CallRun, record
from chat.disconnects import client_socket, watching
from chat.streams import sse_event

logger = logging.getLogger(__name__)


class Relay:
    """The events as SSE bytes; the call is recorded when the server closes the response.

    A WSGI server calls ``close()`` once the last byte was written (gunicorn after the
    body's terminating chunk), or when the browser went away; so the
    answer reaches the browser before the history row is written, and the row is written
    whatever happened. The end event names the row's code, chosen before it is written.
    """

    def __init__(
        self, run: CallRun, client: socket.socket | None = None, language: str | None = None
    ) -> None:
        self.run = run
        # The stream outlives the view: its hints are worded in the request's language.
        self.language = language
        self.code = uuid.uuid4()
        self.ended = False  # the end event was handed to the server
        self.recorded = False
        self._client = client
        self._events = self._relay()

    def __iter__(self) -> Iterator[bytes]:
        return self._events

    def _relay(self) -> Iterator[bytes]:
        events = self.run.events()
        with (
            translation.override(self.language),
            watching(self._client, self.run.cancellation.cancel),
        ):
            try:
                for name, data in events:
                    if name == "end":
                        self.ended = True
                        data = data | {"test_call": str(self.code)}
                    yield sse_event(name, data)
            finally:
                events.close()  # closes the upstream if we stopped early

    def close(self) -> None:
        self._events.close()
        if self.recorded:
            return
        self.recorded = True
        call = record(self.run, aborted=not self.ended, code=self.code)
        if not self.ended:
            logger.info("Test call stopped by the client after %s ms", call.latency_ms)


def sse_response(run: CallRun, request: HttpRequest) -> StreamingHttpResponse:
    stream = Relay(run, client_socket(request.META), translation.get_language())
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response
