"""Real monitor processes on PostgreSQL: two share one pass without probing a deployment
twice; one killed mid-pass loses nothing once its claims expire; SIGTERM is graceful."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from tests.test_gunicorn import BASE_DIR, PG, manage, production_env, require_service


@pytest.fixture(scope="module")
def slow_simulator():
    """A simulator answering in 300 ms, so a pass lasts long enough to overlap."""
    from simulator.server import start_background

    sim = start_background(
        None, host="127.0.0.1", port=0, first_token_ms=300, chunk_delay_ms=5, chunks=4
    )
    yield sim
    sim.stop()


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:
        admin.execute(sql)


def env_for(name: str) -> dict[str, str]:
    return production_env(
        DATABASE_URL=f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}",
        PORTAL_UPSTREAM_ALLOW_LOOPBACK="true",
        PORTAL_MONITOR_CONCURRENCY="2",
        PORTAL_MONITOR_PROBE_DEADLINE="2",
        PORTAL_MONITOR_TICK="0.2",
    )


@pytest.fixture(scope="module")
def seeded_template(slow_simulator):
    """A migrated database with the demo account, copied for each test (migrating is slow)."""
    require_service("PostgreSQL", PG["host"], PG["port"])
    name = f"i13_monitor_tpl_{uuid.uuid4().hex[:8]}"
    admin_sql(f'CREATE DATABASE "{name}"')
    env = env_for(name)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo", f"--simulator-url={slow_simulator.url}", "--password=pw-1-Demo-x")
    yield name, env["PORTAL_ENCRYPTION_KEYS"]
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_monitor_env(seeded_template):
    template, keys = seeded_template
    name = f"i13_monitor_{uuid.uuid4().hex[:12]}"
    admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield env_for(name) | {"PORTAL_ENCRYPTION_KEYS": keys}
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(env: dict, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as db:
        return db.execute(sql).fetchall()


def start_monitor(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "monitor", *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, seconds: float = 120, every: float = 0.1) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError("the condition never held")


def sim_requests(sim) -> int:
    with urllib.request.urlopen(sim.url + "/_sim/stats", timeout=5) as answer:
        return json.load(answer)["requests"]


EXPECTED = """
    SELECT count(*) FROM accessportal_deployment d
    CROSS JOIN (VALUES ('v1'), ('v2')) AS v(version)
    WHERE d.status = 'running'
      AND ((v.version = 'v1' AND d.serves_v1) OR (v.version = 'v2' AND d.serves_v2))
"""
PER_VERSION = "SELECT deployment_id, version, count(*) FROM monitor_probe GROUP BY 1, 2"


def test_two_monitors_share_a_pass_and_never_probe_a_deployment_twice(
    pg_monitor_env, slow_simulator
):
    before = sim_requests(slow_simulator)
    monitors = [start_monitor(pg_monitor_env, "--once") for _ in range(2)]
    outputs = [m.communicate(timeout=300)[0] for m in monitors]
    assert [m.returncode for m in monitors] == [0, 0], outputs
    (expected,) = query(pg_monitor_env, EXPECTED)[0]
    counts = query(pg_monitor_env, PER_VERSION)
    assert len(counts) == expected and {c for _d, _v, c in counts} == {1}
    # Not one call more went out than was stored: nobody probed a claimed deployment.
    assert sim_requests(slow_simulator) - before == expected
    shares = query(pg_monitor_env, "SELECT last_pass_probes FROM monitor_monitorprocess")
    assert sorted(s for (s,) in shares) != [0, expected] and sum(s for (s,) in shares) == expected
    assert not query(
        pg_monitor_env, "SELECT 1 FROM monitor_deploymenthealth WHERE claimed_by <> ''"
    )


def test_a_monitor_killed_mid_pass_loses_nothing(pg_monitor_env):
    env = pg_monitor_env | {"PORTAL_MONITOR_CLAIM_SECONDS": "3"}
    victim = start_monitor(env)
    claimed = "SELECT count(*) FROM monitor_deploymenthealth WHERE claimed_by <> ''"
    wait_for(
        lambda: (
            query(env, "SELECT count(*) FROM monitor_probe")[0][0] > 0
            and query(env, claimed)[0][0] > 0
        )
    )
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    (expected,) = query(env, EXPECTED)[0]
    probed = query(env, "SELECT count(*) FROM monitor_probe")[0][0]
    assert 0 < probed < expected
    assert query(env, claimed)[0][0] > 0  # its claims are left behind...
    wait_for(
        lambda: (
            not query(env, "SELECT 1 FROM monitor_deploymenthealth WHERE claim_expires_at > now()")
        ),
        seconds=30,
    )
    # ...until they expire: the next pass takes them and completes the interval.
    survivor = start_monitor(env, "--once")
    assert survivor.wait(timeout=300) == 0
    counts = query(env, PER_VERSION)
    assert len(counts) == expected and {c for _d, _v, c in counts} == {1}
    assert query(env, claimed)[0][0] == 0


def test_sigterm_lets_the_probes_in_flight_finish(pg_monitor_env):
    monitor = start_monitor(pg_monitor_env)
    wait_for(lambda: query(pg_monitor_env, "SELECT count(*) FROM monitor_probe")[0][0] > 0)
    monitor.send_signal(signal.SIGTERM)
    output, _ = monitor.communicate(timeout=120)
    assert monitor.returncode == 0, output
    assert "stopping: finishing the probes in flight" in output and "stopped" in output
    assert not query(
        pg_monitor_env, "SELECT 1 FROM monitor_deploymenthealth WHERE claimed_by <> ''"
    )
    ((stopped_at,),) = query(pg_monitor_env, "SELECT stopped_at FROM monitor_monitorprocess")
    assert stopped_at is not None
    assert os.environ.get("DATABASE_URL", "") != pg_monitor_env["DATABASE_URL"]
