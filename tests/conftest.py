"""Shared fixtures: fast hashing, a fixed encryption key, and the personas.

The personas (healthchecks' hc/test.py style): in workspace "Alpha" an admin, a member
and a viewer; an outsider who is admin of workspace "Beta" only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from accessportal import crypto
from accessportal.models import Role
from tests import factories

TEST_KEYS = [crypto.generate_key(), crypto.generate_key()]  # fresh per run: nothing to leak
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite test databases in a file of this run, not in memory. Django hands the live
    server's threads the one in-memory connection, so two streams that end together (the
    compare page's columns) record their calls at once on it and one fails with "database
    table is locked"; with a file each thread has its own connection and the settings' WAL
    and busy timeout, as in the portal."""
    from django.conf import settings

    for alias, database in settings.DATABASES.items():
        if database["ENGINE"] == "django.db.backends.sqlite3":
            name = tmp_path_factory.mktemp("db") / f"{alias}.sqlite3"
            database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(autouse=True)
def _fast_and_keyed(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PORTAL_ENCRYPTION_KEYS = TEST_KEYS[:1]
    crypto.active_keyring.cache_clear()
    cache.clear()  # rate-limit counters and IAM tokens must not leak between tests
    yield
    crypto.active_keyring.cache_clear()
    # The test client runs the locale and zone middleware in this thread, and neither
    # resets what it activated: a Chinese page would leave the next test in Chinese.
    translation.deactivate()
    timezone.deactivate()


@dataclass
class World:
    alpha: object
    beta: object
    admin: User
    member: User
    viewer: User
    outsider: User

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def world(db) -> World:
    alpha = factories.make_workspace("Alpha")
    beta = factories.make_workspace("Beta")
    users = {
        name: User.objects.create_user(name, password=PASSWORD)
        for name in ("admin", "member", "viewer", "outsider")
    }
    factories.add_member(alpha, users["admin"], Role.ADMIN)
    factories.add_member(alpha, users["member"], Role.MEMBER)
    factories.add_member(alpha, users["viewer"], Role.VIEWER)
    factories.add_member(beta, users["outsider"], Role.ADMIN)
    return World(alpha=alpha, beta=beta, **users)


@pytest.fixture
def admin_client(world) -> Client:
    return world.client_for(world.admin)


@pytest.fixture
def member_client(world) -> Client:
    return world.client_for(world.member)


@pytest.fixture
def viewer_client(world) -> Client:
    return world.client_for(world.viewer)


# --- The simulator and the demo account wired to it -------------------------------------
@pytest.fixture(scope="session")
def simulator():
    """The platform stand-in on a free loopback port, fast enough for tests."""
    from simulator.server import start_background

    sim = start_background(
        None, host="127.0.0.1", port=0, first_token_ms=5, chunk_delay_ms=5, chunks=6
    )
    yield sim
    sim.stop()


@pytest.fixture
def demo(db, simulator, settings):
    """The demo workspace as seed_demo makes it, calling the session's simulator."""
    from accessportal import demo as seeding

    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = True
    result = seeding.seed(simulator.state, simulator_url=simulator.url, password=PASSWORD)
    return result.workspace
