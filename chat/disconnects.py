"""Noticing that a browser went away while its test call waits for the upstream.

A server learns that a client left only when it writes to it, and while the portal waits
for a slow upstream (before the first token, or between two chunks) nothing is written.
So one daemon thread per process looks at the sockets of the browsers whose calls are
running, every POLL_SECONDS; when one has closed its side, the call's ``on_gone`` runs
(it cancels the upstream call, which frees the worker thread at once).

Works where the server lets the application find the client socket: gunicorn
(``gunicorn.socket``) and the wsgiref-based servers (runserver, the test live server).
Elsewhere nothing is watched and a disconnect shows at the next write, as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.1
# Linux reports a peer's FIN as POLLRDHUP even with unread data in the buffer.
_RDHUP = getattr(select, "POLLRDHUP", 0)
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL | _RDHUP


def client_socket(environ: Mapping[str, Any]) -> socket.socket | None:
    """The request's client socket, if the server lets us find it."""
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        return sock
    # wsgiref (runserver, the live test server) publishes no socket, but its wsgi.input
    # wraps the connection: Django's LimitedStream -> BufferedReader -> SocketIO -> socket.
    found: Any = environ.get("wsgi.input")
    for _ in range(4):
        if isinstance(found, socket.socket):
            return found
        found = (
            getattr(getattr(found, "_read", None), "__self__", None)
            or getattr(found, "raw", None)
            or getattr(found, "_sock", None)
        )
    return None


def has_left(sock: socket.socket) -> bool:
    """True once the peer closed or reset the connection (never blocks)."""
    try:
        poller = select.poll()  # poll(), unlike select(), takes descriptors above 1023
        poller.register(sock, select.POLLIN | _RDHUP)
        events = poller.poll(0)
        if not events:
            return False
        if events[0][1] & _GONE:
            return True
        # Readable: either the end of the stream or data (a pipelined request), which
        # a peek tells apart without taking it. An SSLSocket refuses flags: ask the
        # plain socket underneath, which sees the TCP end all the same.
        return socket.socket.recv(sock, 1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except (OSError, ValueError):
        return True


class _Watcher:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[object, tuple[socket.socket, Callable[[], None]]] = {}
        self._wake = threading.Event()
        self._pid = 0

    def add(self, sock: socket.socket, on_gone: Callable[[], None]) -> object:
        key = object()
        with self._lock:
            self._watched[key] = (sock, on_gone)
            if self._pid != os.getpid():  # first use in this (possibly forked) process
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="client-watch", daemon=True).start()
        self._wake.set()
        return key

    def remove(self, key: object) -> None:
        with self._lock:
            self._watched.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._lock:
                watched = list(self._watched.items())
            if not watched:
                self._wake.wait()
                self._wake.clear()
                continue
            for key, (sock, on_gone) in watched:
                if has_left(sock):
                    self.remove(key)
                    try:
                        on_gone()
                    except Exception:
                        logger.exception("Ending a call whose client left failed")
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()


_watcher = _Watcher()


@contextlib.contextmanager
def watching(sock: socket.socket | None, on_gone: Callable[[], None]) -> Iterator[None]:
    """Run ``on_gone`` (once, in another thread) if the client leaves inside the block."""
    if sock is None:
        yield
        return
    key = _watcher.add(sock, on_gone)
    try:
        yield
    finally:
        _watcher.remove(key)
