"""The session engine without a shared cache: Django's database sessions, read by a
statement written once per process (accessportal/prepared.py).

Every request of a signed-in user reads its session before anything else. Loading a
session through the ORM cost 0.25 ms of CPU here, most of it building and compiling the
query; with this statement 0.06 ms, decoding included (best of 3 runs of 3,000 loads).
What is read, and when a session counts as expired, is Django's: the row whose key
matches and whose expiry is still ahead. With REDIS_URL the session comes from the cache
(``cached_db``), and from the database only when the cache has lost it.
"""

from __future__ import annotations

from functools import cache

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from accessportal.prepared import Columns, column, table


@cache  # per database; see chat/loading.py
def _statement(alias: str) -> tuple[str, Columns]:
    connection = connections[alias]
    columns = Columns(connection, Session, "s")
    sql = (
        f"SELECT {columns.sql} FROM {table(connection, Session)} s"  # noqa: S608
        f" WHERE {column(connection, 's', Session, 'session_key')} = %s"
        f" AND {column(connection, 's', Session, 'expire_date')} > %s"
    )
    return sql, columns


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        alias = router.db_for_read(Session)
        connection = connections[alias]
        sql, columns = _statement(alias)
        now = Session._meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: a new session starts on save
            return None
        return columns.build(row, connection)
