"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py accessportal.wsgi``.

Every knob comes from the environment (or the .env beside manage.py, like the Django
settings); .env.example lists them. Defaults suit a 2-core host behind a reverse proxy on
the same machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win


def number(name: str, default: float) -> int:
    """An integer knob; empty means the default, so a copied .env.example still starts."""
    return int(float(env.str(name, default="") or default))


# --- Workers --------------------------------------------------------------------------------
# gthread: a playground stream holds one thread for up to PORTAL_UPSTREAM_DEADLINE seconds
# while the worker's main loop keeps answering the arbiter, so a long stream neither gets
# the worker killed (as a sync worker past its timeout would) nor blocks the dashboard,
# which other threads keep serving. Requests mostly wait on the database or the upstream,
# so threads carry the concurrency and one process per core uses the cores.
worker_class = "gthread"
workers = number("GUNICORN_WORKERS", max(2, os.cpu_count() or 1))
threads = number("GUNICORN_THREADS", 8)

# --- Where to listen ------------------------------------------------------------------------
_port = env.str("PORT", default="")
bind = env.list("GUNICORN_BIND", default=[]) or [f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000"]

# --- Time limits ----------------------------------------------------------------------------
_deadline = number("PORTAL_UPSTREAM_DEADLINE", 120)
# Above the playground's own deadline, so the portal always ends a slow call itself (and
# records it) before gunicorn would give up on the worker.
timeout = number("GUNICORN_TIMEOUT", _deadline + 30)
# On restart or shutdown, let a running stream reach its deadline before it is cut.
graceful_timeout = number("GUNICORN_GRACEFUL_TIMEOUT", _deadline + 10)
keepalive = number("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then (slow leaks in any library); the jitter keeps them from
# all restarting at the same moment.
max_requests = number("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = number("GUNICORN_MAX_REQUESTS_JITTER", 100)

# --- Behind a proxy -------------------------------------------------------------------------
# Only these peers may say the request came over https (X-Forwarded-Proto); the proxy's
# own address, never "*" unless nothing else can reach the workers.
forwarded_allow_ips = env.str("FORWARDED_ALLOW_IPS", default="") or "127.0.0.1,::1"

# --- Logging --------------------------------------------------------------------------------
# Path without the query string (%(U)s, not %(r)s), no referrer: a URL never carries a
# secret into the log. Status, bytes, duration in milliseconds, user agent.
accesslog = env.str("GUNICORN_ACCESS_LOG", default="") or "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = (env.str("LOG_LEVEL", default="") or "info").lower()

# --- Control socket -------------------------------------------------------------------------
# gunicorn 25+ opens a control socket under $XDG_RUNTIME_DIR or ~/.gunicorn by default;
# signals are how the portal is managed (HUP reloads, TERM stops gracefully).
control_socket_disable = True

# --- No server banner -----------------------------------------------------------------------
# gunicorn writes "Server: gunicorn" on every answer and has no setting to leave it out. The
# name tells a scanner which exploits to try and nobody else anything; each worker drops the
# line from the headers it writes (its bare error pages for malformed requests carry none).


def post_fork(server, worker) -> None:
    from gunicorn.http import wsgi

    with_banner = wsgi.Response.default_headers

    def default_headers(self) -> list[str]:
        return [line for line in with_banner(self) if not line.lower().startswith("server:")]

    wsgi.Response.default_headers = default_headers
