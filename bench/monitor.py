"""python bench/monitor.py [--deployments N] [--concurrency C] [--rounds R]: the monitor's
two speed goals, measured side by side in one run.

1. One pass over N running deployments whose upstream answers in 50 ms takes at most
   1.2 x (N / concurrency x 50 ms): the pool stays full, and claiming and storing add
   little. The upstream is the simulator (with TCP_NODELAY, bench/simulator_nodelay.py)
   in a process of its own, so it does not share this process's interpreter lock.
2. The health board with N deployments x 90 probes renders in at most 1.5 x the time
   with 10, with the same number of queries.

Everything runs in a temporary folder on a fresh SQLite database, DEBUG off; the pass
runs in this process (``Monitor.run_pass``, what ``manage.py monitor --once`` runs), the
board through Django's test client (the whole middleware stack, no network). Exit status
0 whether or not the goals are met; 1 if the benchmark failed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository, not bench/, is on the path
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.servers import HOST, free_port, python

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM_MS = 50
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
KEY = "BenchMonitorKey0123456789abcdefghij"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def state_for(count: int) -> dict:
    """The simulator's account: ``count`` running cloud deployments serving V1."""
    return {
        "region": "cn-southwest-2",
        "project_id": PROJECT,
        "deployments": [
            {"name": f"d{i}", "deployment_id": f"dep{i:05d}", "model": f"m{i}", "versions": ["v1"]}
            for i in range(count)
        ],
        "app_accesses": [{"name": "all", "key": KEY, "services": "all"}],
    }


def start_simulator(folder: Path, count: int) -> tuple[subprocess.Popen, str]:
    state = folder / "state.json"
    state.write_text(json.dumps(state_for(count)))
    port = free_port()
    process = subprocess.Popen(
        [
            python(),
            "-m",
            "bench.simulator_nodelay",
            "--host",
            HOST,
            "--port",
            str(port),
            "--state",
            str(state),
            "--first-token-ms",
            str(UPSTREAM_MS),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_sim/stats", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the simulator did not start")


def setup_django(folder: Path, concurrency: int) -> None:
    from accessportal import crypto

    os.environ.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        PORTAL_ENCRYPTION_KEYS=crypto.generate_key(),
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{folder / 'portal.sqlite3'}",
        REDIS_URL="",
        SECURE_SSL_REDIRECT="false",
        PORTAL_UPSTREAM_ALLOW_LOOPBACK="true",
        PORTAL_MONITOR_CONCURRENCY=str(concurrency),
        PORTAL_MONITOR_PROBE_DEADLINE="10",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(folder / "static"),
        DJANGO_SETTINGS_MODULE="accessportal.settings",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # hashed names, DEBUG off


def workspace_with(name: str, count: int, simulator_url: str):
    from accessportal.models import ApplicationAccess, Deployment, Workspace

    workspace = Workspace.objects.create(
        name=name,
        project_id=PROJECT,
        inference_endpoint=simulator_url,
        iam_endpoint=simulator_url,
    )
    Deployment.objects.bulk_create(
        Deployment(
            workspace=workspace,
            name=f"d{i}",
            model_name=f"m{i}",
            deployment_id=f"dep{i:05d}",
            serves_v1=True,
            serves_v2=False,
        )
        for i in range(count)
    )
    access = ApplicationAccess(workspace=workspace, name="all", all_services=True)
    access.set_api_key(KEY)
    access.save()
    return workspace


# --- 1. One pass -------------------------------------------------------------------------
def measure_pass(count: int, concurrency: int, rounds: int, simulator_url: str) -> dict:
    from django.utils import timezone

    from monitor.models import DeploymentHealth, Probe
    from monitor.runner import Monitor

    workspace = workspace_with("Pass", count, simulator_url)
    monitor = Monitor(name=f"bench:{os.getpid()}:pass")
    monitor.start()
    walls = []
    try:
        for n in range(rounds + 1):  # the first round warms connections and creates rows
            DeploymentHealth.objects.update(next_probe_at=timezone.now())
            started = time.perf_counter()
            made = monitor.run_pass(maintenance=False)
            wall = time.perf_counter() - started
            if made != count:
                raise RuntimeError(f"a pass made {made} probes, expected {count}")
            if n:
                walls.append(wall)
            log(f"pass {n}: {made} probes in {wall:.2f} s{' (warm-up)' if not n else ''}")
    finally:
        monitor.close()
    failed = Probe.objects.filter(workspace=workspace).exclude(outcome="ok").count()
    ideal = count / concurrency * UPSTREAM_MS / 1000
    return {
        "deployments": count,
        "concurrency": concurrency,
        "ideal_s": ideal,
        "walls_s": walls,
        "median_s": statistics.median(walls),
        "ratio": statistics.median(walls) / ideal,
        "failed_probes": failed,
    }


# --- 2. The board ------------------------------------------------------------------------
def populate_history(workspace) -> None:
    """90 probes per deployment (rows and the board's short form), a state change each."""
    from datetime import timedelta

    from django.utils import timezone

    from monitor.charts import entry
    from monitor.models import DeploymentHealth, HealthEvent, Probe

    now = timezone.now()
    deployments = list(workspace.deployments.all())
    times = [now - timedelta(minutes=5 * (89 - i)) for i in range(90)]
    recent = [
        entry(
            at=t,
            version="v1",
            outcome="error" if i % 13 == 0 else "ok",
            status=502 if i % 13 == 0 else 200,
            code="APIG.0201" if i % 13 == 0 else "",
            latency=50 + i % 17,
            ttft=50 + i % 17,
        )
        for i, t in enumerate(times)
    ]
    DeploymentHealth.objects.bulk_create(
        DeploymentHealth(
            deployment=d, workspace=workspace, state="up", recent=recent, last_probe_at=now
        )
        for d in deployments
    )
    HealthEvent.objects.bulk_create(
        HealthEvent(
            workspace=workspace,
            deployment=d,
            old_state="down",
            new_state="up",
            cause="recovered",
            created_at=now - timedelta(hours=3),
        )
        for d in deployments
    )
    for start in range(0, len(deployments), 100):
        Probe.objects.bulk_create(
            Probe(
                workspace=workspace,
                deployment=d,
                created_at=t,
                version="v1",
                auth_label="all (Ben******hij)",
                outcome="ok",
                status_code=200,
                latency_ms=50,
                ttft_ms=50,
            )
            for d in deployments[start : start + 100]
            for t in times
        )


def measure_board(count: int, rounds: int, samples: int, simulator_url: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accessportal.models import Membership

    user = get_user_model().objects.create_user("bench-viewer", password=secrets.token_hex(8))
    client = Client()
    client.force_login(user)
    urls = {}
    for label, size in (("small", 10), ("large", count)):
        workspace = workspace_with(f"Board {size}", size, simulator_url)
        populate_history(workspace)
        Membership.objects.create(workspace=workspace, user=user, role="viewer")
        urls[label] = f"/w/{workspace.code}/health/"
        log(f"board: {size} deployments with 90 probes each")

    def timed(url: str) -> float:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return elapsed

    queries = {}
    for label, url in urls.items():
        for _ in range(3):  # warm caches and connections
            timed(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[label] = len(captured)
    small, large, ratios = [], [], []
    for _ in range(rounds):
        # Side by side request by request (small, large, small, ...): a burst of load from
        # the machine's other work then slows both sizes alike, not one of them.
        pairs = [(timed(urls["small"]), timed(urls["large"])) for _ in range(samples)]
        s = statistics.median(p[0] for p in pairs)
        lg = statistics.median(p[1] for p in pairs)
        small.append(s)
        large.append(lg)
        ratios.append(lg / s)
    return {
        "deployments": count,
        "small_p50_ms": [round(v * 1000, 2) for v in small],
        "large_p50_ms": [round(v * 1000, 2) for v in large],
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "queries": queries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/monitor.py", description=__doc__)
    parser.add_argument("--deployments", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=15, help="board requests per round")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-monitor-") as tmp:
        folder = Path(tmp)
        simulator, url = start_simulator(folder, args.deployments)
        try:
            setup_django(folder, args.concurrency)
            passed = measure_pass(args.deployments, args.concurrency, args.rounds, url)
            board = measure_board(args.deployments, args.rounds, args.samples, url)
        except Exception as error:  # the benchmark failed, not a goal
            log(f"benchmark failed: {error!r}")
            return 1
        finally:
            simulator.terminate()
            simulator.wait(timeout=10)
    goal_pass = passed["ratio"] <= 1.2
    goal_board = board["ratio"] <= 1.5 and board["queries"]["small"] == board["queries"]["large"]
    rounds = ", ".join(f"{w:.2f}" for w in passed["walls_s"])
    print("| figure | measured | ratio | goal | met |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| one pass, {passed['deployments']} deployments, upstream {UPSTREAM_MS} ms, "
        f"concurrency {passed['concurrency']} | {passed['median_s']:.2f} s "
        f"(ideal {passed['ideal_s']:.2f} s; rounds {rounds}) "
        f"| **{passed['ratio']:.3f}** | ≤ 1.2 | {'yes' if goal_pass else '**no**'} |"
    )
    print(
        f"| board p50 with {board['deployments']} deployments x 90 probes / with 10 | "
        f"{statistics.median(board['small_p50_ms']):.1f} ms → "
        f"{statistics.median(board['large_p50_ms']):.1f} ms; queries "
        f"{board['queries']['small']} → {board['queries']['large']} | **{board['ratio']:.3f}** "
        f"({board['ratio_min']:.3f}-{board['ratio_max']:.3f}) | ≤ 1.5, same queries | "
        f"{'yes' if goal_board else '**no**'} |"
    )
    if passed["failed_probes"]:
        print(f"note: {passed['failed_probes']} probes failed (the machine was too busy?)")
    if args.json:
        args.json.write_text(json.dumps({"pass": passed, "board": board}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
