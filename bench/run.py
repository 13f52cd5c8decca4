"""python bench/run.py [--quick] [--json FILE]: the portal side by side with direct calls.

Starts the simulator and the portal (gunicorn, gthread, the production config, DEBUG
off) on loopback in a temporary folder, seeds a workspace, signs in through the login
form, measures every figure in alternating rounds and prints a table: figure, direct,
through the portal, ratio, goal, met. The exit status is 0 whether or not every goal was
met (timings depend on the machine); 1 means the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository, not bench/, is on the path
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import figures, report
from bench.client import Browser, HTTPClientError
from bench.servers import HOST, Pacing, Servers


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (CI smoke test)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument(
        "--threads",
        type=int,
        default=48,
        help="GUNICORN_THREADS per worker (default %(default)s: 32 streams and page loads)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs, db)")
    parser.add_argument(
        "--nagle",
        action="store_true",
        help="run the simulator as it is, without TCP_NODELAY (see bench/simulator_nodelay.py)",
    )
    parser.add_argument(
        "--db-per-request",
        action="store_true",
        help="Django's default of one SQLite connection per request (see bench/servers.py)",
    )
    parser.add_argument(
        "--redis",
        action="store_true",
        help="set REDIS_URL, as production runs (starts a redis-server of its own)",
    )
    parser.add_argument(
        "--only",
        default=",".join(figures.GROUPS),
        help="comma-separated groups to measure (default: all): %(default)s",
    )
    args = parser.parse_args(argv)
    groups = tuple(g.strip() for g in args.only.split(",") if g.strip())
    unknown = set(groups) - set(figures.GROUPS)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")

    plan = figures.Plan.quick() if args.quick else figures.Plan()
    started = time.monotonic()
    servers = Servers(
        pacing=Pacing(),
        threads=args.threads,
        keep=args.keep,
        nagle=args.nagle,
        conn_max_age=None if args.db_per_request else 60,
        redis=args.redis,
        log=log,
    )
    with servers:
        browser = Browser(HOST, servers.portal_port)
        browser.sign_in(servers.seed["username"], servers.password)
        target = figures.Target(
            sim_host=HOST,
            sim_port=servers.sim_port,
            portal=browser,
            workspace=servers.seed["workspace"],
            deployment=servers.seed["deployment"],
            access=servers.seed["access"],
            portal_pid=servers.portal_pid,
        )
        if "latency" in groups:
            target.bare_port = servers.start_bare_relay(
                f"http://{HOST}:{servers.sim_port}/api/v2/chat/completions",
                target.key,
                json.dumps(figures.chat_body(stream=False), ensure_ascii=False).encode(),
            )
        results = figures.all_figures(target, plan, servers.seed, log, groups)
        env = report.environment(
            args.quick,
            servers.worker_count(),
            args.threads,
            simulator_nodelay=not args.nagle,
            db_conn_max_age=servers.conn_max_age,
            redis=args.redis,
        )
        browser.close()

    print(report.table(results))
    goals = [f for f in results if f.goal is not None]
    met = sum(bool(f.met) for f in goals)
    print(
        f"\n{met} of {len(goals)} goals met; {'quick' if args.quick else 'full'} run of "
        f"{time.monotonic() - started:.0f} s on {env['cores']} cores, gunicorn "
        f"{env['gunicorn_workers']} workers x {args.threads} threads, load average "
        f"{env['load_average'][0]:.2f} at the end"
        f"{', REDIS_URL set' if args.redis else ''}."
    )
    if args.json:
        report.write_json(args.json, results, env)
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (figures.BenchError, HTTPClientError) as error:
        log(f"benchmark failed: {error}")
        sys.exit(1)
