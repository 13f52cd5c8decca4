"""The least a Python relay can do: the floor under the portal's latency figures.

A WSGI application with no Django and no checks (no session, user, membership, key,
scope, rate limit, address rules, byte cap or record): it reads the POST, sends the
benchmark's chat body to the simulator through one pooled ``requests`` session (the
portal's client library), and answers the reply as three server-sent events, as the
playground does. bench/servers.py runs it under the portal's own gunicorn.conf.py (same
worker class, workers and threads), so ``bare relay ÷ direct`` is what gunicorn, a
Python HTTP client and two loopback hops cost before any portal code runs.

Configured by the environment: BARE_RELAY_URL (the simulator's V2 chat URL),
BARE_RELAY_KEY (the simulator's demo API key) and BARE_RELAY_BODY (the JSON to send).
"""

from __future__ import annotations

import os

import requests

_URL = os.environ.get("BARE_RELAY_URL", "")
_HEADERS = {
    "Authorization": f"Bearer {os.environ.get('BARE_RELAY_KEY', '')}",
    "Content-Type": "application/json",
    "Accept-Encoding": "identity",
}
_BODY = os.environ.get("BARE_RELAY_BODY", "{}").encode()
_session = requests.Session()  # one keep-alive pool for the worker's threads
_session.trust_env = False  # as the portal's client: no proxy or .netrc lookups


def application(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    start_response("200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
    return _events()


def _events():
    # As the playground: the start event goes out before the upstream call.
    yield b"event: start\ndata: {}\n\n"
    reply = _session.post(_URL, data=_BODY, headers=_HEADERS, timeout=10)
    yield b"event: answer\ndata: " + reply.content.replace(b"\n", b" ") + b"\n\n"
    yield b'event: end\ndata: {"status": %d}\n\n' % reply.status_code
