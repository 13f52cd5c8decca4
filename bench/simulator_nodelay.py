"""``python -m simulator`` with Nagle's algorithm off on its connections (TCP_NODELAY).

The simulator writes a response in several small pieces (status line, headers, body or
each stream chunk). Without TCP_NODELAY the kernel holds a small piece back until the
previous one is acknowledged, and a keep-alive client's delayed ACK makes that up to
40 ms: on loopback a non-stream answer due at 50 ms arrives at ~92 ms on a reused
connection (~51 ms on a fresh one). A real gateway sets TCP_NODELAY (nginx's default),
and gunicorn and urllib3 do too, so the benchmark's stand-in does the same; otherwise
the figures would time the kernel's timers, not the portal. Everything else is the
simulator's own ``main``, with the same arguments.
"""

from __future__ import annotations

import socket
import sys

from simulator import __main__ as simulator_main
from simulator import server

_accept = server._ThreadingWSGIServer.get_request


def _get_request(self):
    connection, address = _accept(self)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection, address


server._ThreadingWSGIServer.get_request = _get_request

if __name__ == "__main__":
    sys.exit(simulator_main.main())
