"""Django's Redis cache, made so that Redis being down never turns into an error page.

Redis holds nothing the portal cannot rebuild: IAM tokens, the playground's and the sign-in
throttle's counters, copies of sessions. When it cannot be reached, each operation is
answered by a fallback instead, chosen per cache (``"FALLBACK"`` in CACHES):

- ``"local-memory"`` (the default cache): this process's own memory. Tokens are fetched
  again and kept per process; rate limits and sign-in lockouts count per process, so
  while Redis is down a limit of N allows up to N per worker process (fail open to a
  local limit, never to no limit and never to refusing everyone).
- ``"none"`` (the sessions' cache): every read misses and every write is dropped, so
  sessions are read from and written to the database alone. Never process memory: a
  sign-out in one worker would not reach the others. A write dropped during the outage
  leaves Redis with an older copy of a session than the database (a sign-out would come
  back to life), so the first process that reaches Redis again deletes every key of this
  cache before using it; the database then refills it.

After a failure Redis is left alone for ``RETRY_SECONDS`` (a dead host stalls no request
beyond the first one's short connect timeout), then tried again: everything returns to
normal without a restart. Failures are logged once a minute per process.

Django keeps one cache object per thread, so the outage state is per process, shared by
the threads through a module-level registry.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from accessportal.throttled_log import ThrottledLog

logger = logging.getLogger(__name__)
throttled = ThrottledLog(logger)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 5.0
LOCAL_MEMORY, NONE = "local-memory", "none"
WRITES = {"add", "set", "touch", "delete", "incr", "set_many", "delete_many"}


@dataclass
class Outage:
    """One process's view of one Redis cache: down until when, and whether a write was
    dropped while it was down."""

    down_until: float = 0.0
    dropped_writes: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


_outages: dict[tuple[str, str, str], Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(key: tuple[str, str, str]) -> Outage:
    with _outages_lock:
        return _outages.setdefault(key, Outage())


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params: dict) -> None:
        super().__init__(server, params)
        self.fallback_mode = params.get("FALLBACK", LOCAL_MEMORY)
        if self.fallback_mode not in (LOCAL_MEMORY, NONE):
            raise ImproperlyConfigured(f"FALLBACK must be {LOCAL_MEMORY!r} or {NONE!r}.")
        if self.fallback_mode == NONE and not self.key_prefix:
            # Its keys are deleted after an outage: they must be told apart from the rest.
            raise ImproperlyConfigured("A cache with FALLBACK 'none' needs a KEY_PREFIX.")
        identity = (str(server), self.key_prefix, self.fallback_mode)
        self._outage = _outage_for(identity)
        self._topic = f"redis:{self.key_prefix}:{self.fallback_mode}"
        if self.fallback_mode == LOCAL_MEMORY:
            # Same name, same store: every thread of the process shares one local memory.
            local = params | {"OPTIONS": {"MAX_ENTRIES": 10_000}}  # every user's counters
            self._fallback: BaseCache = LocMemCache(f"redis-fallback:{identity}", local)
        else:
            self._fallback = DummyCache("redis-fallback", params)

    # --- health -----------------------------------------------------------------------

    def _redis_usable(self) -> bool:
        outage = self._outage
        if not outage.down_until:
            return True
        if time.monotonic() < outage.down_until:
            return False
        return self._end_outage()

    def _end_outage(self) -> bool:
        """Whether Redis answers again; if so, drop what went stale and use it again."""
        outage = self._outage
        with outage.lock:  # one thread finds out whether Redis is back; the others wait
            if not outage.down_until:
                return True
            try:
                self._cache.get_client(write=True).ping()
                if outage.dropped_writes:
                    self._purge()
            except UNREACHABLE as error:
                self._note_failure(error, locked=True)
                return False
            outage.down_until, outage.dropped_writes = 0.0, False
        throttled.resolved(self._topic, "Redis cache (%s) reachable again", self._label())
        return True

    def _note_failure(self, error: Exception, *, write: bool = False, locked: bool = False) -> None:
        outage = self._outage
        if locked:
            outage.down_until = time.monotonic() + RETRY_SECONDS
        else:
            with outage.lock:
                outage.down_until = time.monotonic() + RETRY_SECONDS
                outage.dropped_writes |= write and self.fallback_mode == NONE
        throttled.warning(
            self._topic,
            "Redis cache (%s) unreachable, %s: %s: %s",
            self._label(),
            "using this process's memory"
            if self.fallback_mode == LOCAL_MEMORY
            else "reading and writing the database alone",
            type(error).__name__,
            error,
        )

    def _label(self) -> str:
        return f"key prefix {self.key_prefix!r}, fallback {self.fallback_mode}"

    def _purge(self) -> None:
        """Delete every key of this cache (its key prefix) from Redis."""
        client = self._cache.get_client(write=True)
        escaped = "".join("\\" + c if c in "*?[]\\" else c for c in self.key_prefix)
        pattern = f"{escaped}:*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)

    def probe(self) -> bool:
        """Whether Redis itself answers now, fallback aside (for /readyz). When it does
        after an outage, the outage ends here and then, not at the end of the retry
        interval: ready means back to normal."""
        key = f"readyz:{uuid.uuid4().hex}"
        try:
            RedisCache.set(self, key, "ok", timeout=10)
            try:
                answers = RedisCache.get(self, key) == "ok"
            finally:
                RedisCache.delete(self, key)
        except UNREACHABLE as error:
            self._note_failure(error)
            return False
        return answers and self._end_outage()

    # --- operations ---------------------------------------------------------------------

    def _run(self, operation: str, *args, **kwargs):
        if self._redis_usable():
            try:
                return getattr(RedisCache, operation)(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._note_failure(error, write=operation in WRITES)
        elif operation in WRITES:
            with self._outage.lock:
                self._outage.dropped_writes |= self.fallback_mode == NONE
        return getattr(self._fallback, operation)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._run("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._run("delete", key, version)

    def get_many(self, keys, version=None):
        return self._run("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._run("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._run("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._run("delete_many", keys, version)

    def clear(self):
        return self._run("clear")
