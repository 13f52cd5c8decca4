"""The database work of one test call, pinned: a new query on the call's path shows here.

Counted with the test client, so the session and the user are read as in production
(database sessions); the call itself goes to the simulator over a real socket.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chat.models import TestCall
from tests.playground_helpers import auth_of, body, named, parse_sse, send

# What a call reads and writes, in order (the rate limit counts in the cache, not here).
# Issue 19 brought nine down to seven: the membership, the deployment, the key and the
# key's scope come in one statement (chat/loading.py); writing the record is after the
# answer's last byte, off the answer's path.
EXPECTED = [
    ("SELECT", "django_session"),
    ("SELECT", "auth_user"),
    ("SELECT", "accessportal_membership"),  # + workspace, deployment, key, scope
    ("SAVEPOINT", ""),
    ("INSERT", "chat_testcall"),
    ("UPDATE", "accessportal_applicationaccess"),  # last used
    ("RELEASE", ""),
]


def statement(sql: str) -> tuple[str, str]:
    """The verb and the first table a statement names."""
    verb = sql.split(None, 1)[0].upper()
    sql = re.sub(r"EXISTS ?\(SELECT .*?\)", "", sql)  # the main table, not a subquery's
    table = re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"', sql)
    return verb, table.group(1) if table and verb != "SAVEPOINT" else ""


@pytest.fixture
def member(demo) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="demo-member"))
    return client


@pytest.mark.parametrize("key", ["team-all", "only-chat"], ids=["all-services", "scoped"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_a_playground_call_makes_a_fixed_number_of_queries(demo, member, stream, key):
    deployment = demo.deployments.get(name="Pangu NLP chat")
    auth = auth_of(demo.accesses.get(name=key))
    send(member, demo, deployment=deployment, auth=auth, stream=stream)  # warm caches
    with CaptureQueriesContext(connection) as queries:
        _, events = send(member, demo, deployment=deployment, auth=auth, stream=stream)
    assert named(events, "end")[0]["outcome"] == "ok"
    assert TestCall.objects.count() == 2
    assert [statement(q["sql"]) for q in queries.captured_queries] == EXPECTED


def test_the_record_is_written_after_the_last_byte_under_the_code_the_end_named(demo, member):
    response = member.post(
        f"/w/{demo.code}/playground/send/",
        {
            "deployment": str(demo.deployments.get(name="Pangu NLP chat").code),
            "version": "v1",
            "auth": auth_of(demo.accesses.get(name="team-all")),
            "body": body(stream=True),
        },
    )
    chunks, rows_when_the_end_arrived = [], None
    for chunk in response.streaming_content:  # closed by the test client after the body
        chunks.append(chunk)
        if chunk.startswith(b"event: end"):
            rows_when_the_end_arrived = TestCall.objects.count()
    end = named(parse_sse(b"".join(chunks)), "end")[0]
    assert rows_when_the_end_arrived == 0  # the browser had its answer first
    call = TestCall.objects.get()
    assert str(call.code) == end["test_call"] and call.outcome == "ok"
    assert call.latency_ms == end["latency_ms"]
