"""The database down answers a plain 503 (accessportal/database_outage.py): when the
connection cannot be opened, when a view's query fails, and when another middleware's
does. The same with a real PostgreSQL cut off under gunicorn: tests/test_outages.py."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError
from django.test import Client

from accessportal import database_outage


class UnreachableDatabase:
    def close_if_health_check_failed(self) -> None:
        pass

    def ensure_connection(self) -> None:
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


@pytest.fixture
def unreachable(monkeypatch):
    monkeypatch.setattr(database_outage, "connection", UnreachableDatabase())
    monkeypatch.setattr(
        database_outage, "throttled", database_outage.ThrottledLog(database_outage.logger)
    )


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(database_outage.RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    assert "cannot reach its database; try again shortly" in response.content.decode()


def test_every_page_answers_503_while_the_database_is_unreachable(
    unreachable, member_client, caplog
):
    with caplog.at_level(logging.WARNING):
        for path in ("/", "/accounts/login/", "/no/such/page", "/admin/"):
            assert_unavailable(member_client.get(path))
        assert_unavailable(Client().post("/accounts/login/", {"username": "x", "password": "y"}))
    reports = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(reports) == 1, [r.getMessage() for r in caplog.records]
    assert not [r for r in caplog.records if r.name == "django.request"]  # no line per 503


def test_the_probes_answer_for_themselves(unreachable, db):
    """Not the 503 page: /healthz touches nothing, /readyz runs its own checks (here
    against the test database, which answers)."""
    assert Client().get("/healthz").json() == {"status": "ok"}
    assert Client().get("/readyz").json()["status"] == "ok"


def test_a_query_failing_in_a_view_answers_503(member_client, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("accessportal.views.workspaces.Workspace.objects.filter", lost)
    assert_unavailable(member_client.get("/"))


def test_a_database_error_outside_a_view_answers_503_through_the_500_handler(rf):
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        assert_unavailable(database_outage.server_error(rf.get("/")))
    try:
        raise ValueError("a bug")
    except ValueError:
        assert database_outage.server_error(rf.get("/")).status_code == 500


def test_the_page_speaks_the_browsers_language(unreachable, db, settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    response = Client().get("/", headers={"accept-language": "zh-hans"})
    assert response.status_code == 503 and '<html lang="zh-hans">' in response.content.decode()
