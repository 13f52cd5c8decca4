"""Start what the benchmark measures: the simulator, and the portal under gunicorn with
the production config (gunicorn.conf.py, gthread, DEBUG off), in a throw-away folder.

Everything listens on 127.0.0.1 and is stopped (TERM, then KILL of its own process
group) when the ``Servers`` context ends.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def python() -> str:
    """The project's virtualenv interpreter (Django, gunicorn), else this one."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@dataclass(frozen=True)
class Pacing:
    first_token_ms: float = 50
    chunk_delay_ms: float = 20
    chunks: int = 64


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, grace: float = 15.0) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            # Started with start_new_session: its process group is this process and the
            # children it forked (gunicorn's workers), nothing else.
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def populate_args(
    *, simulator_url: str, password: str, accesses: tuple[int, ...], deployments: tuple[int, ...]
) -> list[str]:
    """The command line of ``python -m bench.populate``. Generated values go as
    ``--option=value``: a random password may begin with "-", and argparse would take
    ``--password -Qj…`` for a missing value followed by an unknown option."""
    return [
        *("-m", "bench.populate"),
        f"--simulator-url={simulator_url}",
        f"--password={password}",
        "--accesses",
        *map(str, accesses),
        "--deployments",
        *map(str, deployments),
    ]


def _wait_for(check, what: str, process: Process, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{process.tail()}")
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s:\n{process.tail()}")


def _http_ok(port: int, path: str) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {HOST}\r\n\r\n".encode())
            return sock.recv(64).startswith((b"HTTP/1.0 200", b"HTTP/1.1 200"))
    except OSError:
        return False


def _redis_ok(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def portal_env(
    directory: Path, *, threads: int, encryption_key: str, conn_max_age: int | None = 60
) -> dict[str, str]:
    """DEBUG off with what production requires, on a fresh SQLite file. Nothing from a
    developer's .env can steer it: these real variables win.

    ``conn_max_age``: kept database connections, as production has them (settings.py sets
    CONN_MAX_AGE=60 for PostgreSQL). settings.py leaves SQLite at Django's default of one
    connection per request, and closing the last connection to a WAL database
    checkpoints it, which costs ~19 ms a request on this machine; DATABASE_URL's
    ``?conn_max_age=`` gives SQLite the production behaviour. None: Django's default."""
    query = "" if conn_max_age is None else f"?conn_max_age={conn_max_age}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        PORTAL_ENCRYPTION_KEYS=encryption_key,
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS="",
        DATABASE_URL=f"sqlite:///{directory / 'portal.sqlite3'}{query}",
        REDIS_URL="",
        STATIC_ROOT=str(directory / "static"),
        # The benchmark talks plain HTTP to gunicorn on loopback, as the TLS proxy would.
        SECURE_SSL_REDIRECT="false",
        PORTAL_BEHIND_TLS_PROXY="false",
        PORTAL_UPSTREAM_ALLOW_LOOPBACK="true",
        PORTAL_PLAYGROUND_RATE_LIMIT="1000000",
        GUNICORN_THREADS=str(threads),
        # Recycling a worker mid-measurement would time its restart, not a request.
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_GRACEFUL_TIMEOUT="10",
        DJANGO_SETTINGS_MODULE="accessportal.settings",
    )
    return env


@dataclass
class Servers:
    """``with Servers(...) as s:`` → s.sim_port, s.portal_port, s.seed (codes), s.password."""

    pacing: Pacing = field(default_factory=Pacing)
    threads: int = 48
    # Smallest and largest are the figures; a middle one has a full page (50 rows).
    access_counts: tuple[int, ...] = (10, 50, 10_000)
    deployment_counts: tuple[int, ...] = (10, 63, 2_000)  # 63: 51 on the "my service" tab
    keep: bool = False  # keep the temp folder (logs, database) for a look afterwards
    # bench/simulator_nodelay.py (TCP_NODELAY, like a real gateway) or plain python -m simulator
    nagle: bool = False
    conn_max_age: int | None = 60  # see portal_env
    redis: bool = False  # REDIS_URL set, as production runs: a redis-server of our own
    log: object = print
    directory: Path = field(init=False)
    processes: list[Process] = field(default_factory=list, init=False)
    sim_port: int = field(default=0, init=False)
    portal_port: int = field(default=0, init=False)
    seed: dict = field(default_factory=dict, init=False)
    password: str = field(default="", init=False)
    env: dict[str, str] = field(default_factory=dict, init=False)

    def __enter__(self) -> Servers:
        self.directory = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
        if self.keep:
            self.log(f"kept {self.directory}")
        else:
            shutil.rmtree(self.directory, ignore_errors=True)

    # --- steps -------------------------------------------------------------------------

    def _run(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [python(), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def _spawn(self, name: str, args: list[str], env: dict[str, str], program: str = "") -> Process:
        log = self.directory / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [program or python(), *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def _start(self) -> None:
        started = time.monotonic()
        key = (
            subprocess.run(
                [python(), "manage.py", "generate_encryption_key"],
                cwd=ROOT,
                env={**os.environ, "DEBUG": "true"},
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        self.env = portal_env(
            self.directory,
            threads=self.threads,
            encryption_key=key,
            conn_max_age=self.conn_max_age,
        )
        self.password = secrets.token_urlsafe(16)
        if self.redis:
            self._start_redis()

        sim = self._spawn(
            "simulator",
            [
                "-m",
                "simulator" if self.nagle else "bench.simulator_nodelay",
                "--host",
                HOST,
                "--port",
                "0",
                "--first-token-ms",
                str(self.pacing.first_token_ms),
                "--chunk-delay-ms",
                str(self.pacing.chunk_delay_ms),
                "--chunks",
                str(self.pacing.chunks),
            ],
            dict(os.environ),
        )
        self.log("collectstatic, migrate …")
        self._run("manage.py", "collectstatic", "--noinput", "-v", "0")
        self._run("manage.py", "migrate", "--noinput", "-v", "0")

        def sim_listening() -> bool:
            match = re.search(r"listening on http://[\d.]+:(\d+)", sim.tail(100_000))
            if match:
                self.sim_port = int(match.group(1))
            return bool(match)

        _wait_for(sim_listening, "the simulator", sim, 30)
        self.log(f"seeding (accesses {self.access_counts}, deployments {self.deployment_counts}) …")
        out = self._run(
            *populate_args(
                simulator_url=f"http://{HOST}:{self.sim_port}",
                password=self.password,
                accesses=self.access_counts,
                deployments=self.deployment_counts,
            )
        )
        self.seed = json.loads(out.strip().splitlines()[-1])

        self.portal_port = free_port()
        portal = self._spawn(
            "gunicorn",
            [
                *("-m", "gunicorn", "-c", "gunicorn.conf.py"),
                *("--no-control-socket", "accessportal.wsgi"),
            ],
            self.env | {"GUNICORN_BIND": f"{HOST}:{self.portal_port}"},
        )
        _wait_for(lambda: _http_ok(self.portal_port, "/healthz"), "gunicorn", portal, 60)
        self.log(
            f"simulator on :{self.sim_port}, portal on :{self.portal_port} "
            f"(gunicorn pid {portal.popen.pid}, gthread, {self.threads} threads per worker), "
            f"ready in {time.monotonic() - started:.0f} s"
        )

    def start_bare_relay(self, url: str, key: str, body: bytes) -> int:
        """bench/bare_relay.py under the portal's gunicorn.conf.py (same worker class,
        workers and threads) on a free port, relaying ``body`` to ``url``; its port."""
        port = free_port()
        relay = self._spawn(
            "bare-relay",
            [
                *("-m", "gunicorn", "-c", "gunicorn.conf.py"),
                *("--no-control-socket", "bench.bare_relay"),
            ],
            self.env
            | {
                "GUNICORN_BIND": f"{HOST}:{port}",
                "BARE_RELAY_URL": url,
                "BARE_RELAY_KEY": key,
                "BARE_RELAY_BODY": body.decode(),
            },
        )
        _wait_for(lambda: _http_ok(port, "/healthz"), "the bare relay", relay, 60)
        return port

    def _start_redis(self) -> None:
        """A throw-away redis-server on a free loopback port, nothing saved to disk."""
        port = free_port()
        redis = self._spawn(
            "redis",
            [
                *("--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no"),
                *("--dir", str(self.directory)),
            ],
            dict(os.environ),
            program=shutil.which("redis-server") or "redis-server",
        )
        _wait_for(lambda: _redis_ok(port), "redis-server", redis, 30)
        self.env["REDIS_URL"] = f"redis://{HOST}:{port}/0"

    @property
    def portal_pid(self) -> int:
        """gunicorn's master (its workers are its children)."""
        return next(p for p in self.processes if p.name == "gunicorn").popen.pid

    def worker_count(self) -> int:
        """gunicorn workers actually running (children of the master)."""
        portal = next(p for p in self.processes if p.name == "gunicorn")
        children = Path(f"/proc/{portal.popen.pid}/task/{portal.popen.pid}/children")
        try:
            return len(children.read_text().split())
        except OSError:
            return 0
