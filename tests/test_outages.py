"""Redis or PostgreSQL going away under a production gunicorn, and coming back.

Redis: a redis-server of the test's own, stopped (its data saved, as a host that was cut
off keeps it) and started again. PostgreSQL: reached through a loopback TCP proxy the test
cuts (new connections refused, open ones broken) and restores. Nothing is restarted in
the portal: it must get back to normal by itself.
"""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest
import requests

from tests.outage_helpers import OwnRedis, TcpProxy
from tests.playground_helpers import start_of_a_rate_window
from tests.test_gunicorn import (  # noqa: F401 (the fixtures, asked for by name below)
    PASSWORD,
    PG,
    Browser,
    gunicorn_cluster,
    manage,
    migrate_with_root,
    postgres_url,
    production_env,
    static_root,
)


def eventually(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {seconds:.0f} s"
        time.sleep(0.2)


def readyz(base: str) -> requests.Response:
    return requests.get(f"{base}/readyz", timeout=30)


# --- Redis ---------------------------------------------------------------------------------


@pytest.fixture
def own_redis(tmp_path):
    directory = tmp_path / "redis"
    directory.mkdir()
    server = OwnRedis(directory)
    server.start()
    yield server
    server.stop()


def test_redis_down_pages_keep_working_and_everything_recovers(
    own_redis, simulator, tmp_path, request
):
    collected = request.getfixturevalue("static_root")
    start_portal = request.getfixturevalue("gunicorn_cluster")
    prefix = f"i11-ops-{uuid.uuid4().hex[:8]}"
    database = tmp_path / "portal.sqlite3"
    env = production_env(
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL=own_redis.url,
        CACHE_KEY_PREFIX=prefix,
        STATIC_ROOT=str(collected),
        PORTAL_UPSTREAM_ALLOW_LOOPBACK="true",
        PORTAL_PLAYGROUND_RATE_LIMIT="3",
        PORTAL_LOGIN_FAILURE_LIMIT="2",
        GUNICORN_WORKERS="1",
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo", f"--simulator-url={simulator.url}", f"--password={PASSWORD}")
    (portal,) = start_portal(env)
    base = portal.base
    with sqlite3.connect(database) as db:
        ws = uuid.UUID(db.execute("SELECT code FROM accessportal_workspace").fetchone()[0])
        dep = uuid.UUID(
            db.execute(
                "SELECT code FROM accessportal_deployment WHERE name = 'Pangu NLP chat'"
            ).fetchone()[0]
        )
        cred = uuid.UUID(db.execute("SELECT code FROM accessportal_iamcredential").fetchone()[0])

    def iam_tokens_issued() -> int:
        return requests.get(f"{simulator.url}/_sim/stats", timeout=5).json()["iam_tokens_issued"]

    def test_call(browser: Browser) -> requests.Response:
        return browser.post_form(
            f"{base}/w/{ws}/playground/send/",
            {
                "deployment": str(dep),
                "version": "v1",
                "auth": f"credential:{cred}",
                "body": '{"messages": [{"content": "hello"}], "max_tokens": 5}',
            },
        )

    member, leaving = Browser(), Browser()
    assert member.sign_in(base, "demo-member", PASSWORD).status_code == 302
    assert leaving.sign_in(base, "demo-viewer", PASSWORD).status_code == 302
    first = test_call(member)
    assert first.status_code == 200 and "event: end" in first.text, first.text[:2000]
    issued = iam_tokens_issued()
    session_key = f"{prefix}:sessions:1:django.contrib.sessions.cached_db"
    assert own_redis.client().exists(session_key + member.cookies["sessionid"])

    own_redis.stop()
    outage_began = time.monotonic()
    failures_before = portal.log_text().count("unreachable")

    # Signed-in pages work: the session comes from the database.
    for path in ("/", f"/w/{ws}/deployments/", f"/w/{ws}/access/", f"/w/{ws}/playground/"):
        page = member.get(base + path)
        assert page.status_code == 200, (path, page.status_code, portal.log_text()[-3000:])
    assert "demo-member" in member.get(f"{base}/").text

    # The IAM token is fetched again, then kept in the process; the playground's limit is
    # counted in the process (the documented rule): 3 calls, then 429.
    start_of_a_rate_window(margin=30)
    calls = [test_call(member) for _ in range(3)]
    assert all(c.status_code == 200 and "event: end" in c.text for c in calls), calls[0].text
    assert "event: error" not in "".join(c.text for c in calls)
    assert iam_tokens_issued() == issued + 1
    limited = test_call(member)
    assert limited.status_code == 429 and "test calls a minute" in limited.text

    # Sign-in: the lockout counts in the process too (limit 2), the right password included.
    mallory = Browser()
    assert mallory.sign_in(base, "demo-member", "wrong").status_code == 200
    assert mallory.sign_in(base, "demo-member", "wrong").status_code == 429  # the second
    assert mallory.sign_in(base, "demo-member", PASSWORD).status_code == 429
    newcomer = Browser()
    assert newcomer.sign_in(base, "demo", PASSWORD).status_code == 302
    assert newcomer.get(f"{base}/").status_code == 200

    # A sign-out during the outage: Redis, unreachable, keeps its copy of that session.
    signed_out_key = session_key + leaving.cookies["sessionid"]
    signed_out_cookie = dict(leaving.cookies)
    assert leaving.post_form(f"{base}/accounts/logout/", {}).status_code == 302

    ready = readyz(base)
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "cache": "fail", "encryption": "ok"}
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200

    # Many requests met the outage; the log says so once in a while, not for each.
    eventually(
        lambda: portal.log_text().count("unreachable") > failures_before, "the outage logged", 10
    )
    log = portal.log_text()
    reports = log.count("unreachable") - failures_before
    minutes = int((time.monotonic() - outage_began) // 60)
    assert 1 <= reports <= 2 * (1 + minutes), log[-5000:]  # each cache once a minute at most
    # Neither a traceback nor Django's line for each 5xx ("Service Unavailable: /path").
    assert "Traceback" not in log and "Unavailable: /" not in log, log[-5000:]

    # Redis returns with the data it had: the portal uses it again, no restart.
    own_redis.start()
    assert own_redis.client().exists(signed_out_key)  # the stale copy is back
    # Ready again means back to normal (one worker here: the one that answers /readyz).
    eventually(lambda: readyz(base).status_code == 200, "/readyz back to 200")

    # Back in use, Redis first loses the sessions' copies (the database has them), then
    # caches them anew.
    assert not own_redis.client().exists(signed_out_key)
    assert member.get(f"{base}/").status_code == 200
    assert own_redis.client().exists(session_key + member.cookies["sessionid"])
    ghost = Browser()
    ghost.cookies = signed_out_cookie
    assert ghost.get(f"{base}/").status_code == 302  # signed out stays signed out

    # The token cached in Redis before the outage serves again: no new fetch.
    start_of_a_rate_window(margin=15)
    again = test_call(member)
    assert again.status_code == 200 and "event: end" in again.text, again.text[:2000]
    assert iam_tokens_issued() == issued + 1
    assert "reachable again" in portal.log_text()


# --- PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def postgres_behind_a_proxy(request):
    """A database of the test's own (test_gunicorn's fixture), reached through the proxy."""
    direct = request.getfixturevalue("postgres_url")
    proxy = TcpProxy((PG["host"], PG["port"]))
    proxy.restore()
    yield proxy, direct.replace(f"@{PG['host']}:{PG['port']}/", f"@127.0.0.1:{proxy.port}/")
    proxy.cut()


def test_postgresql_unreachable_answers_503_and_recovers(postgres_behind_a_proxy, request):
    collected = request.getfixturevalue("static_root")
    start_portal = request.getfixturevalue("gunicorn_cluster")
    proxy, url = postgres_behind_a_proxy
    env = production_env(DATABASE_URL=url, STATIC_ROOT=str(collected))
    migrate_with_root(env)
    (portal,) = start_portal(env)
    base = portal.base
    root = Browser()
    assert root.sign_in(base, "root", PASSWORD).status_code == 302
    assert root.get(f"{base}/").status_code == 200

    proxy.cut()
    anonymous = Browser()
    answers = [
        root.get(f"{base}/"),
        root.get(f"{base}/w/{uuid.uuid4()}/"),
        root.get(f"{base}/admin/"),
        root.get(f"{base}/no/such/page"),
        anonymous.get(f"{base}/accounts/login/"),
        anonymous.get(f"{base}/"),
        root.request(
            "POST",
            f"{base}/accounts/logout/",
            data={"csrfmiddlewaretoken": root.cookies["csrftoken"]},
        ),
    ]
    for answer in answers:
        assert answer.status_code == 503, (answer.url, answer.status_code, answer.text[:500])
        assert answer.headers["Retry-After"] == "10"
        assert "cannot reach its database" in answer.text
        assert "no-cache" in answer.headers["Cache-Control"]
        assert "Content-Security-Policy" in answer.headers
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
    ready = readyz(base)
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "fail"
    # A static file needs no database.
    assert root.get(f"{base}/static/css/portal.css").status_code == 200

    eventually(lambda: "The database cannot be reached" in portal.log_text(), "logged", 10)
    log = portal.log_text()
    reports = log.count("The database cannot be reached")
    assert 1 <= reports < len(answers), log[-5000:]  # once in a while, not per request
    # Neither a traceback nor Django's line for each 5xx ("Service Unavailable: /path").
    assert "Traceback" not in log and "Unavailable: /" not in log, log[-5000:]

    # The database returns: the same session works again, without a restart.
    proxy.restore()
    eventually(lambda: root.get(f"{base}/").status_code == 200, "pages back to 200")
    assert "My Spaces" in root.get(f"{base}/").text
    assert readyz(base).status_code == 200
    assert "The database is reachable again" in portal.log_text()
