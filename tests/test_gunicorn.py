"""The portal as production runs it: gunicorn with gunicorn.conf.py, DEBUG off, static files
collected and served by whitenoise, and several instances sharing PostgreSQL and Redis.

``gunicorn_cluster`` starts real gunicorn processes on free loopback ports with the
environment a test gives, waits for /healthz, and stops them (TERM, then KILL) afterwards.
Requests pose as the TLS proxy in front (X-Forwarded-Proto: https from 127.0.0.1, which
gunicorn's forwarded_allow_ips trusts), so the production cookie and redirect rules apply.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import requests

from accessportal import crypto
from tests.playground_helpers import start_of_a_rate_window

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "a sturdy passphrase 42"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS = ("127.0.0.1", 6379)


def production_env(**extra: str) -> dict[str, str]:
    """DEBUG off with everything production requires; nothing inherited that could steer
    the instance (a developer's .env is overridden by these real variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        PORTAL_ENCRYPTION_KEYS=crypto.generate_key(),
        ALLOWED_HOSTS="127.0.0.1",
        REDIS_URL="",
        CACHE_KEY_PREFIX="",
        PORTAL_BEHIND_TLS_PROXY="false",  # gunicorn decides which peers may say "https"
        FORWARDED_ALLOW_IPS="127.0.0.1",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="4",
        GUNICORN_GRACEFUL_TIMEOUT="5",
        LOG_LEVEL="info",
        DJANGO_SETTINGS_MODULE="accessportal.settings",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


def migrate_with_root(env: dict[str, str]) -> None:
    """A migrated database with the superuser ``root`` (password PASSWORD)."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(
        env | {"DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        "createsuperuser",
        "--noinput",
        "--username",
        "root",
        "--email",
        "root@example.com",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def require_service(name: str, host: str, port: int) -> None:
    """Skip on a laptop without the service; in CI (CI=true) it must be there."""
    if reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}, and CI must run this test (.ci/run starts it)")
    pytest.skip(message)


# --- The harness ---------------------------------------------------------------------------


@dataclass
class Instance:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Cluster:
    directory: Path
    instances: list[Instance] = field(default_factory=list)

    def start(self, env: dict[str, str], count: int = 1) -> list[Instance]:
        started = []
        for _ in range(count):
            port = free_port()
            log = self.directory / f"gunicorn-{port}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "-c",
                        "gunicorn.conf.py",
                        "--no-control-socket",
                        "accessportal.wsgi",
                    ],
                    cwd=BASE_DIR,
                    env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            instance = Instance(port, process, log)
            self.instances.append(instance)
            started.append(instance)
        for instance in started:
            self.wait_ready(instance)
        return started

    @staticmethod
    def wait_ready(instance: Instance, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if instance.process.poll() is not None:
                pytest.fail(f"gunicorn exited early:\n{instance.log_text()[-3000:]}")
            try:
                if requests.get(f"{instance.base}/healthz", timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or the worker still booting on a busy machine
            time.sleep(0.1)
        pytest.fail(f"gunicorn did not answer /healthz:\n{instance.log_text()[-3000:]}")

    def stop(self) -> None:
        for instance in self.instances:
            if instance.process.poll() is None:
                instance.process.send_signal(signal.SIGTERM)
        for instance in self.instances:
            try:
                instance.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(instance.process.pid, signal.SIGKILL)  # its own session: gunicorn only
                instance.process.wait(timeout=5)
        self.instances.clear()


@pytest.fixture
def gunicorn_cluster(tmp_path):
    """Start gunicorn instances: ``gunicorn_cluster(env, count)``; all stopped afterwards."""
    cluster = Cluster(tmp_path)
    yield cluster.start
    cluster.stop()


class Browser:
    """One person's browser behind the TLS proxy: keeps its cookies by hand (they are
    Secure, which requests would not send over the proxy's plain-HTTP hop)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.session = requests.Session()
        self.session.trust_env = False

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            origin = re.match(r"http://([^/]+)", url).group(1)
            headers.setdefault("Origin", f"https://{origin}")
        response = self.session.request(
            method, url, headers=headers, allow_redirects=False, timeout=15, **kwargs
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post_form(self, url: str, data: dict[str, str]) -> requests.Response:
        if "csrftoken" not in self.cookies:
            self.get(url)
        return self.request(
            "POST", url, data=data | {"csrfmiddlewaretoken": self.cookies["csrftoken"]}
        )

    def sign_in(self, base: str, username: str, password: str) -> requests.Response:
        return self.post_form(
            f"{base}/accounts/login/", {"username": username, "password": password}
        )


def set_cookie_headers(response: requests.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.raw.headers.getlist("Set-Cookie")}


# --- Static files, headers and logs through a live gunicorn ---------------------------------


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("staticfiles")
    manage(production_env(STATIC_ROOT=str(root)), "collectstatic", "--noinput", "-v", "0")
    assert (root / "staticfiles.json").exists()
    return root


@pytest.fixture
def sqlite_env(tmp_path, static_root) -> dict[str, str]:
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}", STATIC_ROOT=str(static_root)
    )
    migrate_with_root(env)
    return env


def test_production_serving_through_gunicorn(gunicorn_cluster, sqlite_env):
    (portal,) = gunicorn_cluster(sqlite_env)
    browser = Browser()

    page = browser.get(f"{portal.base}/accounts/login/")
    assert page.status_code == 200
    # Security headers on a real response.
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    csrf_cookie = set_cookie_headers(page)["csrftoken"]
    assert "Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie

    # Static files: hashed names, compressed, cached for ever.
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet, "the page should link the hashed stylesheet"
    static = browser.get(portal.base + stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200
    assert "max-age=315360000" in static.headers["Cache-Control"]
    assert "immutable" in static.headers["Cache-Control"]
    assert static.headers.get("Content-Encoding") == "gzip"
    plain_name = browser.get(f"{portal.base}/static/css/portal.css")
    assert plain_name.status_code == 200
    assert "immutable" not in plain_name.headers["Cache-Control"]
    # /favicon.ico, asked for by browsers whatever a page links, leads to the hashed icon.
    icon = browser.get(f"{portal.base}/favicon.ico")
    assert icon.status_code == 302
    assert re.fullmatch(r"/static/img/favicon\.[0-9a-f]{12}\.ico", icon.headers["Location"])
    assert browser.get(portal.base + icon.headers["Location"]).content[:4] == b"\0\0\1\0"

    # Signing in: the session cookie is Secure, HttpOnly and SameSite.
    signed_in = browser.sign_in(portal.base, "root", PASSWORD)
    assert signed_in.status_code == 302
    session = set_cookie_headers(signed_in)["sessionid"]
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
    assert browser.get(f"{portal.base}/").status_code == 200

    # Plain HTTP is sent to https, except the probes of the load balancer.
    insecure = requests.get(f"{portal.base}/accounts/login/", allow_redirects=False, timeout=10)
    assert insecure.status_code == 301
    assert insecure.headers["Location"].startswith("https://")
    ready = requests.get(f"{portal.base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ok"

    # The access log has the path but never the query string.
    requests.get(f"{portal.base}/healthz?token=SHOULD-NOT-BE-LOGGED", timeout=10)
    deadline = time.monotonic() + 10
    while '"GET /healthz HTTP/1.1" 200' not in (log := portal.log_text()):
        assert time.monotonic() < deadline, "the request never reached the access log"
        time.sleep(0.05)
    assert "SHOULD-NOT-BE-LOGGED" not in log


def test_a_stream_outlives_the_worker_timeout_and_the_dashboard_stays_live(
    gunicorn_cluster, sqlite_env
):
    """Why gthread: a playground stream longer than gunicorn's worker timeout completes, and
    while it runs the same single worker keeps answering other people's pages. (With a sync
    worker the stream is cut at the timeout and the pages wait for it.)"""
    from simulator.server import start_background
    from tests.playground_helpers import body

    timeout, chunks, delay_ms = 3, 20, 300  # a stream of ~6 s against a 3 s worker timeout
    sim = start_background(None, port=0, first_token_ms=20, chunk_delay_ms=delay_ms, chunks=chunks)
    try:
        manage(sqlite_env, "seed_demo", f"--simulator-url={sim.url}", f"--password={PASSWORD}")
        (portal,) = gunicorn_cluster(
            sqlite_env
            | {
                "GUNICORN_WORKERS": "1",
                "GUNICORN_THREADS": "4",
                "GUNICORN_TIMEOUT": str(timeout),
                "PORTAL_UPSTREAM_ALLOW_LOOPBACK": "true",
            }
        )
        database = sqlite_env["DATABASE_URL"].removeprefix("sqlite:///")
        with sqlite3.connect(database) as db:
            (deployment, workspace) = db.execute(
                "SELECT d.code, w.code FROM accessportal_deployment d JOIN accessportal_workspace w"
                " ON w.id = d.workspace_id WHERE d.name = 'Pangu NLP chat'"
            ).fetchone()
            (access,) = db.execute(
                "SELECT code FROM accessportal_applicationaccess WHERE name = 'team-all'"
            ).fetchone()
        ws = uuid.UUID(workspace)

        dashboard: dict[str, object] = {}

        def browse_meanwhile() -> None:
            viewer = Browser()
            try:
                dashboard["sign_in"] = viewer.sign_in(
                    portal.base, "demo-viewer", PASSWORD
                ).status_code
                dashboard["page"] = viewer.get(f"{portal.base}/").status_code
            except requests.RequestException as error:
                dashboard["error"] = repr(error)
            dashboard["done"] = time.monotonic()

        member = Browser()
        assert member.sign_in(portal.base, "demo-member", PASSWORD).status_code == 302
        started = time.monotonic()
        stream = member.request(
            "POST",
            f"{portal.base}/w/{ws}/playground/send/",
            data={
                "deployment": str(uuid.UUID(deployment)),
                "version": "v1",
                "auth": f"access:{uuid.UUID(access)}",
                "body": body(stream=True),
                "csrfmiddlewaretoken": member.cookies["csrftoken"],
            },
            stream=True,
        )
        assert stream.headers["Content-Type"].startswith("text/event-stream"), stream.text[:500]
        events: list[str] = []
        browsing = threading.Thread(target=browse_meanwhile)
        try:
            for line in stream.iter_lines():
                if line.startswith(b"event: "):
                    events.append(line.removeprefix(b"event: ").decode())
                    if events.count("delta") == 1 and not browsing.is_alive() and not dashboard:
                        browsing.start()
        except requests.RequestException as error:
            events.append(f"cut: {error!r}")
        ended = time.monotonic()
        stream.close()
        if browsing.ident:
            browsing.join(timeout=30)
    finally:
        sim.stop()

    log = portal.log_text()[-3000:]
    assert events[:1] == ["start"] and events[-1:] == ["end"], (events, log)
    assert events.count("delta") >= chunks - 1, events
    assert ended - started > timeout + 1, "the stream should outlast the worker timeout"
    assert "WORKER TIMEOUT" not in log  # the worker was not killed mid-stream
    assert dashboard.get("sign_in") == 302 and dashboard.get("page") == 200, dashboard
    # Other people's pages were answered while the stream was still running.
    assert dashboard["done"] < ended - 1, (dashboard["done"] - started, ended - started)


def test_only_the_configured_proxy_may_claim_https(gunicorn_cluster, sqlite_env):
    (portal,) = gunicorn_cluster(sqlite_env | {"FORWARDED_ALLOW_IPS": "192.0.2.1"})
    spoofed = Browser().get(f"{portal.base}/accounts/login/")
    assert spoofed.status_code == 301  # X-Forwarded-Proto from an untrusted peer is ignored


def raw_answer(port: int, request: bytes) -> bytes:
    """Everything the server writes back to ``request`` on a fresh socket, until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_no_answer_names_the_server_software(gunicorn_cluster, sqlite_env):
    """No Server header (nor the software's name anywhere in the headers) on a page, a
    redirect, a static file, a 404, a probe, or gunicorn's own answer to a malformed request."""
    (portal,) = gunicorn_cluster(sqlite_env)
    requests_to_send = [
        b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n",
        b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # the https redirect
        b"GET /static/css/portal.css HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n",
        b"GET /no/such/page HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        b"GET /healthz HTTP/1.0\r\n",
        b"BROKEN\x00 / HTTP/1.1\r\nHost: 127.0.0.1\r\n",
    ]
    statuses = []
    for request in requests_to_send:
        answer = raw_answer(portal.port, request + b"Connection: close\r\n\r\n")
        head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        statuses.append(head.split(" ", 2)[1])
        names = [line.split(":", 1)[0].lower() for line in head.split("\r\n")[1:]]
        assert "server" not in names, head
        assert "gunicorn" not in head.lower(), head
    assert statuses == ["200", "302", "301", "200", "404", "200", "200", "400"]


def test_worker_settings_come_from_the_environment(sqlite_env):
    env = sqlite_env | {
        "GUNICORN_WORKERS": "3",
        "GUNICORN_THREADS": "5",
        "PORTAL_UPSTREAM_DEADLINE": "200",
        "PORT": "9123",
    }
    env.pop("GUNICORN_BIND", None)
    env.pop("GUNICORN_GRACEFUL_TIMEOUT")
    printed = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--print-config", "x:y"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    config = dict(
        (name.strip(), value.strip())
        for name, _, value in (line.partition("=") for line in printed.splitlines())
    )
    assert config["worker_class"] == "gthread"
    assert (config["workers"], config["threads"]) == ("3", "5")
    assert config["timeout"] == "230" and config["graceful_timeout"] == "210"
    assert config["bind"] == "['0.0.0.0:9123']"
    assert config["control_socket_disable"] == "True"
    assert int(config["max_requests"]) > 0 and int(config["max_requests_jitter"]) > 0
    assert "%(U)s" in config["access_log_format"] and "%(r)s" not in config["access_log_format"]


# --- Two hosts, one PostgreSQL, one Redis -----------------------------------------------------


@pytest.fixture
def postgres_url():
    require_service("PostgreSQL", PG["host"], PG["port"])
    import psycopg

    name = f"accessportal_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_prefix():
    require_service("Redis", *REDIS)
    import redis

    prefix = f"accessportal-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis(*REDIS)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


def test_two_instances_share_postgresql_and_redis(
    postgres_url, redis_prefix, static_root, gunicorn_cluster
):
    import psycopg
    import redis

    env = production_env(
        DATABASE_URL=postgres_url,
        REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/0",
        CACHE_KEY_PREFIX=redis_prefix,
        STATIC_ROOT=str(static_root),
        PORTAL_LOGIN_FAILURE_LIMIT="3",
    )
    migrate_with_root(env)
    one, two = gunicorn_cluster(env, count=2)
    for instance in (one, two):
        assert requests.get(f"{instance.base}/readyz", timeout=10).json()["status"] == "ok"

    # A user created through one instance signs in through the other.
    admin = Browser()
    assert admin.sign_in(one.base, "root", PASSWORD).status_code == 302
    created = admin.post_form(
        f"{one.base}/admin/auth/user/add/",
        {
            "username": "bob",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert created.status_code == 302, created.text[:2000]
    bob = Browser()
    assert bob.sign_in(two.base, "bob", PASSWORD).status_code == 302
    # ...and the session made on one host is good on the other.
    assert "My Spaces" in bob.get(f"{one.base}/").text

    # The login throttle counts across hosts, in Redis: two failures on one, one on the
    # other, and bob is locked out on both, even with the right password.
    mallory = Browser()
    assert mallory.sign_in(one.base, "bob", "wrong").status_code == 200
    assert mallory.sign_in(one.base, "bob", "wrong").status_code == 200
    locked = mallory.sign_in(two.base, "bob", "wrong")
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    assert mallory.sign_in(one.base, "bob", PASSWORD).status_code == 429

    cache = redis.Redis(*REDIS)
    assert any(True for _ in cache.scan_iter(match=f"{redis_prefix}:*")), "nothing in Redis"
    cache.close()
    with psycopg.connect(postgres_url) as db:
        attempts = db.execute("SELECT count(*) FROM axes_accessattempt").fetchone()[0]
    assert attempts == 0  # the counters are not in the database: Redis carries them

    # The operator lifts the lockout as the README says; both hosts let bob in again.
    manage(env, "axes_reset_ip_username", "127.0.0.1", "bob")
    assert mallory.sign_in(two.base, "bob", PASSWORD).status_code == 302


def test_env_example_lists_every_variable_the_settings_read():
    """Convention 2: .env.example names every knob of settings.py and gunicorn.conf.py."""
    read = set()
    for name in ("accessportal/settings.py", "gunicorn.conf.py"):
        text = (BASE_DIR / name).read_text()
        read |= set(re.findall(r'(?:env(?:\.\w+)?|number)\(\s*"([A-Z][A-Z0-9_]+)"', text))
    example = (BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    assert "GUNICORN_WORKERS" in read and "DATABASE_URL" in read  # the pattern still matches
    assert read - listed == set(), "add these to .env.example"


def test_two_instances_share_the_iam_token_and_the_playground_rate_limit(
    postgres_url, redis_prefix, static_root, gunicorn_cluster, simulator
):
    """One IAM token fetch serves test calls through both hosts, and the per-user
    rate limit counts the calls made through both."""
    env = production_env(
        DATABASE_URL=postgres_url,
        REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/0",
        CACHE_KEY_PREFIX=redis_prefix,
        STATIC_ROOT=str(static_root),
        PORTAL_UPSTREAM_ALLOW_LOOPBACK="true",
        PORTAL_PLAYGROUND_RATE_LIMIT="3",
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo", f"--simulator-url={simulator.url}", f"--password={PASSWORD}")
    one, two = gunicorn_cluster(env, count=2)
    with psycopg_connect(postgres_url) as db:
        ws = db.execute("SELECT code FROM accessportal_workspace").fetchone()[0]
        dep = db.execute(
            "SELECT code FROM accessportal_deployment WHERE name = 'Pangu NLP chat'"
        ).fetchone()[0]
        cred = db.execute("SELECT code FROM accessportal_iamcredential").fetchone()[0]
    member = Browser()
    assert member.sign_in(one.base, "demo-member", PASSWORD).status_code == 302
    issued_before = requests.get(f"{simulator.url}/_sim/stats", timeout=5).json()[
        "iam_tokens_issued"
    ]

    def call(instance) -> requests.Response:
        return member.post_form(
            f"{instance.base}/w/{ws}/playground/send/",
            {
                "deployment": str(dep),
                "version": "v1",
                "auth": f"credential:{cred}",
                "body": '{"messages": [{"content": "hello"}], "max_tokens": 5}',
            },
        )

    start_of_a_rate_window()
    answers = [call(instance) for instance in (one, two, one)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all("event: end" in a.text and "event: error" not in a.text for a in answers)
    stats = requests.get(f"{simulator.url}/_sim/stats", timeout=5).json()
    assert stats["iam_tokens_issued"] == issued_before + 1  # one fetch, shared in Redis

    limited = call(two)  # the fourth call this minute, through the other host
    assert limited.status_code == 429 and "test calls a minute" in limited.text


def psycopg_connect(url: str):
    import psycopg

    return psycopg.connect(url)
