"""The portal's one outbound HTTP client.

Everything that leaves the portal (playground test calls, IAM token requests) goes through
``post_json`` or ``open_stream``. The URLs come from the catalog, which admins fill in, so
the client treats them as semi-trusted: it refuses addresses that must never be reached
from a server (link-local, cloud metadata, multicast, unspecified), allows loopback and
private ranges only when the operator says so, follows no redirects, ignores proxy
environment variables, and bounds every call in time and in bytes.

The address check lives inside the connection itself (``_PinnedConnectionMixin._new_conn``):
the host is resolved once, every answer is checked, and the socket connects to one of the
checked addresses. Checking in a separate step before handing the URL to ``requests``
would leave a second DNS lookup between check and connect (DNS rebinding).

No Django imports: the lead builds an ``UpstreamPolicy`` from settings and passes it in.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager
from urllib3.util.connection import allowed_gai_family

from accessportal.addresses import CATEGORY_TEXT, classify_address, gettext_noop, refusal

__all__ = [
    "Cancellation",
    "UpstreamError",
    "UpstreamErrorKind",
    "UpstreamPolicy",
    "UpstreamResponse",
    "UpstreamStream",
    "check_address",
    "classify_address",
    "open_stream",
    "post_json",
]

USER_AGENT = "access-portal/1"
_READ_CHUNK = 64 * 1024
# After a stream's last event ([DONE]) only the chunked body's terminating chunk is left,
# sent with or right after it. Reading it lets urllib3 return the connection to the pool;
# an upstream that sends more, or keeps the body open, loses its connection instead.
_FINISH_WAIT = 1.0  # seconds
_FINISH_BYTES = 4 * 1024
POOL_MAXSIZE = 64  # idle keep-alive connections kept per upstream host and worker process

UpstreamErrorKind = Literal[
    "invalid_url",  # not an http(s) URL with a host, or carries credentials
    "invalid_request",  # a header or the body could not be sent as given
    "blocked_address",  # the host is or resolves to an address the policy refuses
    "dns",  # the host name did not resolve
    "connect_refused",
    "connect_timeout",
    "connect_failed",  # any other error while opening the TCP connection
    "tls",  # handshake or certificate verification failed
    "read_timeout",  # one read waited longer than policy.read_timeout
    "deadline",  # the whole call took longer than policy.total_deadline
    "reset",  # the connection broke or closed before the response was complete
    "protocol",  # the upstream did not speak valid HTTP, or its body did not decode
    "too_large",  # the body is bigger than policy.max_bytes
    "redirect",  # a 3xx answer; redirects are never followed
    "cancelled",  # Cancellation.cancel() ended the call (the browser went away)
]


@dataclass(frozen=True)
class UpstreamPolicy:
    """Limits for one outbound call. Times in seconds, sizes in bytes."""

    connect_timeout: float = 5.0
    read_timeout: float = 60.0  # per read: the longest silence tolerated
    total_deadline: float = 120.0  # from the call until the last byte
    max_bytes: int = 4 * 1024 * 1024  # response body, after content decoding
    allow_loopback: bool = False
    allow_private: bool = False  # RFC 1918, CGNAT 100.64/10, fc00::/7 (edge node IPs)
    ca_bundle: str | None = None  # extra trust anchors (PEM path); None = default store


class UpstreamError(Exception):
    """A failed outbound call. ``message`` is plain and safe to show to a member.

    It names at most the host and port, never a header, a body, a query string or
    the text of the underlying exception (those can embed anything). ``kind`` is the
    stable code; ``message`` is English (logs), ``template`` (marked with
    ``gettext_noop``) and ``params`` let the portal write it in the reader's language
    (``chat.hints.upstream_message``).
    """

    def __init__(
        self,
        kind: UpstreamErrorKind,
        message: str,
        *,
        status: int | None = None,
        params: dict[str, Any] | None = None,
    ):
        self.template = message
        self.params = dict(params or {})
        message = message % self.params if self.params else message
        super().__init__(message)
        self.kind: UpstreamErrorKind = kind
        self.message = message
        self.status = status  # the HTTP status when one was received (redirects)

    def __repr__(self) -> str:
        return f"UpstreamError(kind={self.kind!r}, message={self.message!r})"


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes  # at most policy.max_bytes
    elapsed: float  # seconds, request start to last body byte


class Cancellation:
    """Lets another thread end one call at once.

    A call waiting for a slow upstream sits in a blocking read that no flag can
    interrupt; ``cancel()`` shuts the call's socket down instead, so that read returns at
    once, the call raises UpstreamError("cancelled") and the upstream sees the connection
    close. The socket is known from the moment the request was sent (the connect phase
    is bounded by the connect timeout) until the body was read to its end.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self.cancelled = False

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            sock, self._socket = self._socket, None
        if sock is not None:
            _shut_down(sock)

    def _attach(self, sock: socket.socket) -> None:
        with self._lock:
            if not self.cancelled:
                self._socket = sock
                return
        _shut_down(sock)

    def _detach(self) -> None:
        # Once the body is read the connection goes back to the pool, to serve another
        # call: from then on this call must not touch it.
        with self._lock:
            self._socket = None

    def _check(self) -> None:
        if self.cancelled:
            raise UpstreamError("cancelled", gettext_noop("the call was stopped before it ended"))


def _shut_down(sock: socket.socket) -> None:
    # shutdown(), not close(): it wakes a read blocked in another thread, and the
    # owner of the socket still closes it.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


# --------------------------------------------------------------------------- addresses


def check_address(ip: str, policy: UpstreamPolicy) -> None:
    """Raise UpstreamError("blocked_address") if ``policy`` forbids connecting to ``ip``."""
    reason = refusal(ip, allow_loopback=policy.allow_loopback, allow_private=policy.allow_private)
    if reason is not None:
        raise UpstreamError(
            "blocked_address",
            gettext_noop("%(address)s is %(category)s"),
            params={"address": ip, "category": CATEGORY_TEXT[reason]},
        )


# ------------------------------------------------------------------ pinned connections


@dataclass(frozen=True)
class _AddressRules:
    allow_loopback: bool
    allow_private: bool


def _host_label(host: str, port: int | None) -> str:
    host = host.strip("[]")
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown


def _connect_checked(
    host: str,
    port: int,
    rules: _AddressRules,
    *,
    timeout: Any,
    source_address: tuple[str, int] | None,
    socket_options: Any,
) -> socket.socket:
    label = _host_label(host, port)
    host = host.strip("[]")
    try:
        # socket.getaddrinfo is looked up at call time on purpose (tests patch it).
        infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UpstreamError(
            "dns", gettext_noop("could not resolve %(target)s"), params={"target": label}
        ) from exc
    if not infos:
        raise UpstreamError(
            "dns", gettext_noop("could not resolve %(target)s"), params={"target": label}
        )

    # One refused answer refuses the host: a name that resolves to a public address
    # and to the metadata service is an attack, not a choice between two servers.
    for *_, sockaddr in infos:
        reason = refusal(
            str(sockaddr[0]), allow_loopback=rules.allow_loopback, allow_private=rules.allow_private
        )
        if reason is not None:
            raise UpstreamError(
                "blocked_address",
                gettext_noop("refusing to connect: %(target)s is %(category)s")
                if _is_ip_literal(host)
                else gettext_noop("refusing to connect: %(target)s resolves to %(category)s"),
                params={"target": label, "category": CATEGORY_TEXT[reason]},
            )

    # The connect budget is shared by all answers so a long answer list cannot
    # multiply the connect timeout.
    budget_end = time.monotonic() + timeout if isinstance(timeout, int | float) else None
    last_error: OSError | None = None
    for family, socktype, proto, _canonname, sockaddr in infos:
        sock = socket.socket(family, socktype, proto)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            if budget_end is not None:
                remaining = budget_end - time.monotonic()
                if remaining <= 0:
                    sock.close()
                    raise TimeoutError
                sock.settimeout(remaining)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)  # the checked address, never the name
            return sock
        except OSError as exc:
            sock.close()
            last_error = exc
            if isinstance(exc, TimeoutError):
                break
    if isinstance(last_error, TimeoutError):
        raise UpstreamError(
            "connect_timeout",
            gettext_noop("connecting to %(target)s timed out"),
            params={"target": label},
        )
    if isinstance(last_error, ConnectionRefusedError):
        raise UpstreamError(
            "connect_refused",
            gettext_noop("%(target)s refused the connection"),
            params={"target": label},
        )
    raise UpstreamError(
        "connect_failed", gettext_noop("could not connect to %(target)s"), params={"target": label}
    )


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


class _PinnedConnectionMixin:
    """Replaces urllib3's connect so the checked address is the one connected to.

    ``self.host`` stays the name from the URL, so the Host header, SNI and certificate
    hostname verification are unchanged; only the TCP peer is chosen here. UpstreamError
    is not an OSError, so urllib3 and requests let it through untouched (and urllib3
    still discards the half-made connection).
    """

    _address_rules: _AddressRules

    def __init__(self, *args: Any, address_rules: _AddressRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address_rules = address_rules

    def _new_conn(self) -> socket.socket:
        conn: Any = self
        sock = _connect_checked(
            conn._dns_host,
            conn.port,
            self._address_rules,
            timeout=conn.timeout,
            source_address=conn.source_address,
            socket_options=conn.socket_options,
        )
        sys.audit("http.client.connect", self, conn.host, conn.port)
        return sock

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        # The request went out on self.sock (new or pooled): the waiting starts here.
        cancellation: Cancellation | None = getattr(_local, "cancellation", None)
        conn: Any = self
        if cancellation is not None and conn.sock is not None:
            cancellation._attach(conn.sock)
        return super().getresponse(*args, **kwargs)


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _PinnedPoolManager(PoolManager):
    def __init__(self, address_rules: _AddressRules, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._address_rules = address_rules
        self.pool_classes_by_scheme = {
            "http": _PinnedHTTPConnectionPool,
            "https": _PinnedHTTPSConnectionPool,
        }

    def _new_pool(
        self,
        scheme: str,
        host: str,
        port: int,
        request_context: dict[str, Any] | None = None,
    ) -> HTTPConnectionPool:
        pool = super()._new_pool(scheme, host, port, request_context)
        # Given to the pool, not put in connection_pool_kw: the pool key is a fixed
        # namedtuple that would reject an unknown field.
        pool.conn_kw["address_rules"] = self._address_rules
        return pool


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, address_rules: _AddressRules) -> None:
        self._address_rules = address_rules  # before super(): it calls init_poolmanager
        # max_retries=0: a POST is not idempotent, and a retry would hide failures from
        # the playground. Stale keep-alive connections are still detected by urllib3
        # before reuse. pool_maxsize: idle connections kept per upstream host; the pool
        # is shared by all threads of a worker (_adapter_for), so it keeps as many as
        # the threads may use at once rather than closing the rest after a busy moment.
        super().__init__(pool_connections=16, pool_maxsize=POOL_MAXSIZE, max_retries=0)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = _PinnedPoolManager(
            self._address_rules,
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            **pool_kwargs,
        )

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        # A proxy would connect to an address this module never checked.
        raise UpstreamError("invalid_request", gettext_noop("proxies are not supported"))


# ------------------------------------------------------------------------- sessions

_local = threading.local()

# The connection pools are per process, shared by its threads (urllib3's pools are
# thread-safe); only the light requests.Session in front of them is per thread, as it is
# not thread-safe. With a pool per thread, a gthread worker whose requests rotate over
# many threads opened a new upstream connection for most calls: each thread's own kept
# connection had meanwhile idled out at the upstream (bench/run.py: 0.40 new connections
# per call over 50 sequential calls once concurrent streams had used 48 threads; shared:
# 0.00-0.02).
_adapters: dict[_AddressRules, _PinnedAdapter] = {}
_adapters_lock = threading.Lock()


def _adapter_for(rules: _AddressRules) -> _PinnedAdapter:
    """The process's one adapter (pool manager) for this address rule set."""
    with _adapters_lock:
        adapter = _adapters.get(rules)
        if adapter is None:
            adapter = _adapters[rules] = _PinnedAdapter(rules)
        return adapter


class _NoRedirectSession(requests.Session):
    def get_redirect_target(self, resp: requests.Response) -> None:
        # Even with allow_redirects=False, requests reads the whole body of a 3xx answer
        # (no byte cap, no deadline) to prepare Response.next. Seeing no redirect target
        # it leaves the body alone; _send turns the 3xx into an error itself.
        return None


def _build_session(rules: _AddressRules) -> requests.Session:
    session = _NoRedirectSession()
    # No HTTP(S)_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE or ~/.netrc from the environment.
    session.trust_env = False
    # One session serves every user of this thread: an upstream Set-Cookie must not
    # ride along on someone else's next call.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.headers.clear()
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "*/*"})
    adapter = _adapter_for(rules)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _session_for(policy: UpstreamPolicy) -> requests.Session:
    # One session per thread (requests.Session is not thread-safe) and per address
    # rule set: a pooled connection opened under allow_private must not be reused
    # by a call whose policy forbids private addresses. The pools behind the sessions
    # are shared by the threads (_adapter_for).
    sessions: dict[_AddressRules, requests.Session] | None = getattr(_local, "sessions", None)
    if sessions is None:
        sessions = _local.sessions = {}
    rules = _AddressRules(policy.allow_loopback, policy.allow_private)
    session = sessions.get(rules)
    if session is None:
        session = sessions[rules] = _build_session(rules)
    return session


# -------------------------------------------------------------------- error mapping


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (requests and urllib3 nest deeply)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen or len(seen) > 32:
            continue
        seen.add(id(current))
        yield current
        nested = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        nested.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        stack.extend(n for n in nested if isinstance(n, BaseException))


def _caused_by(exc: BaseException, types: type | tuple[type, ...]) -> bool:
    return any(isinstance(e, types) for e in _causes(exc))


def _broken_connection(exc: BaseException, label: str) -> UpstreamError:
    if _caused_by(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return UpstreamError(
            "reset",
            gettext_noop("%(target)s closed the connection unexpectedly"),
            params={"target": label},
        )
    if _caused_by(exc, http.client.IncompleteRead):
        return UpstreamError(
            "reset",
            gettext_noop("%(target)s closed the connection before the body ended"),
            params={"target": label},
        )
    if _caused_by(exc, http.client.HTTPException):
        return UpstreamError(
            "protocol",
            gettext_noop("%(target)s did not answer with valid HTTP"),
            params={"target": label},
        )
    return UpstreamError(
        "reset", gettext_noop("the connection to %(target)s broke"), params={"target": label}
    )


def _map_send_error(exc: BaseException, label: str, read_is_deadline: bool) -> UpstreamError:
    """Errors up to and including the response head."""
    for cause in _causes(exc):
        if isinstance(cause, UpstreamError):
            # A fresh copy: re-raising the wrapped one "from exc" would make a cycle.
            return UpstreamError(
                cause.kind, cause.template, status=cause.status, params=cause.params
            )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return UpstreamError(
            "connect_timeout",
            gettext_noop("connecting to %(target)s timed out"),
            params={"target": label},
        )
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return _timeout_error(label, read_is_deadline)
    if isinstance(exc, requests.exceptions.SSLError):
        return UpstreamError(
            "tls",
            gettext_noop("TLS with %(target)s failed (certificate or handshake)"),
            params={"target": label},
        )
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema
        | requests.exceptions.URLRequired,
    ):
        return UpstreamError("invalid_url", gettext_noop("the URL is not a valid http(s) URL"))
    if isinstance(exc, requests.exceptions.InvalidHeader):
        # requests' message quotes the offending value, which may be a key.
        return UpstreamError("invalid_request", gettext_noop("a request header is not valid"))
    if isinstance(exc, requests.exceptions.ConnectionError):
        if _caused_by(exc, ConnectionRefusedError):
            return UpstreamError(
                "connect_refused",
                gettext_noop("%(target)s refused the connection"),
                params={"target": label},
            )
        return _broken_connection(exc, label)
    if isinstance(exc, UnicodeError | ValueError):
        # http.client refuses non-latin-1 or CR/LF header values; its message quotes them.
        return UpstreamError(
            "invalid_request", gettext_noop("a request header or the body could not be sent")
        )
    if isinstance(exc, requests.exceptions.RequestException | OSError):
        return UpstreamError(
            "connect_failed",
            gettext_noop("the request to %(target)s failed"),
            params={"target": label},
        )
    raise exc


def _map_read_error(exc: BaseException, label: str, read_is_deadline: bool) -> UpstreamError:
    """Errors while reading the body."""
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError | TimeoutError):
        return _timeout_error(label, read_is_deadline)
    if isinstance(exc, urllib3.exceptions.SSLError | ssl.SSLError):
        return UpstreamError(
            "tls",
            gettext_noop("TLS with %(target)s failed while reading"),
            params={"target": label},
        )
    if isinstance(exc, urllib3.exceptions.DecodeError):
        return UpstreamError(
            "protocol",
            gettext_noop("the body from %(target)s could not be decoded"),
            params={"target": label},
        )
    if isinstance(
        exc,
        urllib3.exceptions.ProtocolError
        | urllib3.exceptions.HTTPError
        | http.client.HTTPException
        | OSError
        | requests.exceptions.RequestException,
    ):
        return _broken_connection(exc, label)
    raise exc


def _timeout_error(label: str, is_deadline: bool) -> UpstreamError:
    if is_deadline:
        return UpstreamError(
            "deadline",
            gettext_noop("the call to %(target)s exceeded its time limit"),
            params={"target": label},
        )
    return UpstreamError(
        "read_timeout",
        gettext_noop("%(target)s stopped sending (read timed out)"),
        params={"target": label},
    )


# ------------------------------------------------------------------------- requests


def _parse_target(url: str) -> str:
    """Validate the URL before anything else; return a host:port label for messages."""
    if not isinstance(url, str) or re.search(r"[\x00-\x20\x7f]", url):
        raise UpstreamError("invalid_url", gettext_noop("the URL is not a valid http(s) URL"))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UpstreamError(
            "invalid_url", gettext_noop("the URL is not a valid http(s) URL")
        ) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UpstreamError("invalid_url", gettext_noop("the URL is not a valid http(s) URL"))
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL end up in logs and exception texts.
        raise UpstreamError("invalid_url", gettext_noop("the URL must not contain credentials"))
    return _host_label(parts.hostname, port or (443 if parts.scheme == "https" else 80))


class _Clock:
    def __init__(self, policy: UpstreamPolicy) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + policy.total_deadline
        self.policy = policy

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def next_read_timeout(self, label: str) -> tuple[float, bool]:
        """(timeout for the next read, whether that timeout is the deadline's)."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _timeout_error(label, True)
        if remaining < self.policy.read_timeout:
            return remaining, True
        return self.policy.read_timeout, False


_OWN_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "accept-encoding", "te"}
)


def _send(
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    policy: UpstreamPolicy,
    clock: _Clock,
    label: str,
    cancellation: Cancellation | None = None,
) -> requests.Response:
    session = _session_for(policy)
    # Framing and routing headers are this module's business: Host must name the URL's
    # host, and a stray Content-Length or Transfer-Encoding would corrupt the request.
    request_headers = {k: v for k, v in headers.items() if k.lower() not in _OWN_HEADERS}
    # Identity: the byte cap then counts what the upstream sends, and SSE is not
    # held back by a compressor's buffering.
    request_headers["Accept-Encoding"] = "identity"
    read_timeout, read_is_deadline = clock.next_read_timeout(label)
    connect_timeout = min(policy.connect_timeout, read_timeout)
    if cancellation is not None:
        cancellation._check()
    _local.cancellation = cancellation  # for getresponse(), in this thread
    try:
        response = session.post(
            url,
            data=body,
            headers=request_headers,
            timeout=(connect_timeout, read_timeout),
            allow_redirects=False,
            stream=True,  # the body is read here, under the byte cap and the deadline
            verify=policy.ca_bundle or True,
        )
    except UpstreamError:
        raise  # from the pinned connection, already plain
    except Exception as exc:
        if cancellation is not None:
            cancellation._check()
        raise _map_send_error(exc, label, read_is_deadline) from exc
    finally:
        _local.cancellation = None
    if 300 <= response.status_code < 400:
        status = response.status_code
        # Closing (not draining) drops this connection; Location is never read.
        response.close()
        if cancellation is not None:
            cancellation._detach()
        raise UpstreamError(
            "redirect",
            gettext_noop(
                "%(target)s answered with a redirect (%(status)s); redirects are not followed"
            ),
            params={"target": label, "status": status},
            status=status,
        )
    return response


class _BodyReader:
    """Reads a response body in pieces under the byte cap, read timeout and deadline."""

    def __init__(
        self,
        response: requests.Response,
        policy: UpstreamPolicy,
        clock: _Clock,
        label: str,
        cancellation: Cancellation | None = None,
    ) -> None:
        self._response = response
        self._cancellation = cancellation
        self._raw = response.raw
        self._policy = policy
        self._clock = clock
        self._label = label
        self.bytes_read = 0
        self.eof = False
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > policy.max_bytes:
            self.close()
            raise self._too_large()

    def _too_large(self) -> UpstreamError:
        limit = self._policy.max_bytes
        return UpstreamError(
            "too_large",
            gettext_noop("the response from %(target)s exceeds %(limit)s bytes"),
            params={"target": self._label, "limit": limit},
            status=self._response.status_code,
        )

    def _set_socket_timeout(self, timeout: float) -> None:
        # urllib3 applies one read timeout for the whole response; the deadline needs
        # each read to wait no longer than what is left, so adjust the live socket.
        connection = getattr(self._raw, "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            sock.settimeout(timeout)

    def read(self, max_wait: float | None = None) -> bytes:
        """The next piece of body as soon as any arrives; b"" at the end."""
        if self.eof:
            return b""
        timeout, is_deadline = self._clock.next_read_timeout(self._label)
        if max_wait is not None and max_wait < timeout:
            timeout, is_deadline = max_wait, False
        # Never hold more than max_bytes + 1: one byte over is enough to know.
        want = min(_READ_CHUNK, self._policy.max_bytes + 1 - self.bytes_read)
        try:
            self._set_socket_timeout(timeout)
            data = self._raw.read1(want, decode_content=True)
        except Exception as exc:
            self.close()
            self._raise_if_cancelled()
            error = _map_read_error(exc, self._label, is_deadline)
            error.status = self._response.status_code  # the head did arrive
            raise error from exc
        if not data:
            # A shut-down socket looks like the end of a close-delimited body.
            self._raise_if_cancelled()
            self.eof = True  # urllib3 has returned the connection to the pool
            if self._cancellation is not None:
                self._cancellation._detach()
            return b""
        self.bytes_read += len(data)
        if self.bytes_read > self._policy.max_bytes:
            self.close()
            raise self._too_large()
        return data

    def read_all(self) -> bytes:
        parts = bytearray()
        while chunk := self.read():
            parts += chunk
        return bytes(parts)

    def drain(self, *, wait: float, limit: int) -> None:
        """Read the rest of a body whose content the caller already has, then close.

        Reaching the end returns the connection to the pool (urllib3 releases it only
        once the body was read to its end); more than ``limit`` bytes, ``wait`` seconds,
        or any error closes the connection instead.
        """
        give_up_at = time.monotonic() + wait
        drained = 0
        with contextlib.suppress(UpstreamError):
            while not self.eof and drained <= limit:
                remaining = give_up_at - time.monotonic()
                if remaining <= 0:
                    break
                drained += len(self.read(max_wait=remaining))
        self.close()

    def _raise_if_cancelled(self) -> None:
        if self._cancellation is not None and self._cancellation.cancelled:
            error = UpstreamError("cancelled", gettext_noop("the call was stopped before it ended"))
            error.status = self._response.status_code
            raise error

    def close(self) -> None:
        # After EOF this only tidies up; before EOF it closes the socket, so the
        # upstream sees the disconnect and the pool gets a fresh connection next time.
        self.eof = True
        self._response.close()
        if self._cancellation is not None:
            self._cancellation._detach()


def _header_dict(response: requests.Response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items()}


def post_json(
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes,
    policy: UpstreamPolicy,
    cancellation: Cancellation | None = None,
) -> UpstreamResponse:
    """POST ``body`` and read the whole answer. Non-2xx answers are returned, not raised
    (the caller parses the platform's error body); 3xx raises kind "redirect"."""
    label = _parse_target(url)
    clock = _Clock(policy)
    response = _send(url, headers, body, policy, clock, label, cancellation)
    try:
        reader = _BodyReader(response, policy, clock, label, cancellation)
        content = reader.read_all()
    finally:
        response.close()
    return UpstreamResponse(
        status=response.status_code,
        headers=_header_dict(response),
        body=content,
        elapsed=clock.elapsed(),
    )


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


class UpstreamStream:
    """An open streaming response. Use as a context manager so it is always closed."""

    def __init__(
        self,
        response: requests.Response,
        policy: UpstreamPolicy,
        clock: _Clock,
        label: str,
        cancellation: Cancellation | None = None,
    ) -> None:
        self.status: int = response.status_code
        self.headers: dict[str, str] = _header_dict(response)
        # Seconds from the call until the response head arrived.
        self.time_to_first_byte: float = clock.elapsed()
        self._clock = clock
        self._reader = _BodyReader(response, policy, clock, label, cancellation)
        self._buffer = bytearray()
        self._scanned = 0  # buffer offset up to which no line break was found
        self._first_line = True

    @property
    def bytes_read(self) -> int:
        return self._reader.bytes_read

    @property
    def elapsed(self) -> float:
        return self._clock.elapsed()

    def iter_lines(self) -> Iterator[str]:
        """Decoded lines (without line breaks) as soon as each one is complete.

        Accepts LF, CRLF and CR. Raises UpstreamError (too_large, read_timeout, deadline,
        reset, ...) and closes the stream when a limit is hit.
        """
        while True:
            match = _LINE_BREAK.search(self._buffer, self._scanned)
            # A CR at the very end may be the first half of a CRLF: wait for more.
            if match and not (match.group() == b"\r" and match.end() == len(self._buffer)):
                raw_line = bytes(self._buffer[: match.start()])
                del self._buffer[: match.end()]
                self._scanned = 0
                yield self._decode(raw_line)
                continue
            if self._reader.eof:
                if self._buffer:
                    raw_line = bytes(self._buffer).rstrip(b"\r")
                    self._buffer.clear()
                    yield self._decode(raw_line)
                return
            # No break in what we have: the next search starts at the new data (one
            # byte earlier, for a CR waiting for its LF), so a long line is not
            # rescanned on every read.
            self._scanned = max(0, len(self._buffer) - 1)
            self._buffer += self._reader.read()

    def _decode(self, raw_line: bytes) -> str:
        line = raw_line.decode("utf-8", errors="replace")
        if self._first_line:
            self._first_line = False
            line = line.removeprefix("\ufeff")
        return line

    def read_body(self) -> bytes:
        """The rest of the body (capped), e.g. an error body on a non-2xx answer."""
        rest = bytes(self._buffer) + self._reader.read_all()
        self._buffer.clear()
        self._scanned = 0
        return rest

    def finish(self) -> None:
        """Close a stream whose last event arrived, keeping its connection if it can.

        ``close()`` right after ``[DONE]`` would drop a connection whose body has only
        its end left to read; this reads that end (briefly, a few bytes at most) first.
        """
        self._buffer.clear()
        self._reader.drain(wait=_FINISH_WAIT, limit=_FINISH_BYTES)

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> UpstreamStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_stream(
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes,
    policy: UpstreamPolicy,
    cancellation: Cancellation | None = None,
) -> UpstreamStream:
    """POST ``body`` and return once the response head arrived; read with iter_lines().

    The deadline counts from this call to the end of the stream.
    """
    label = _parse_target(url)
    clock = _Clock(policy)
    response = _send(url, headers, body, policy, clock, label, cancellation)
    try:
        return UpstreamStream(response, policy, clock, label, cancellation)
    except BaseException:
        response.close()
        raise
