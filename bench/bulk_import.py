"""python bench/bulk_import.py [--rows N] [--rounds R]: how long an import preview takes.

The goal: a file of 5,000 rows previews in under 5 s. Measured in-process through Django's
test client (the same views, forms and templates as a browser gets, without the network)
on a fresh SQLite database in a temporary folder, DEBUG off. For deployments and for
accesses (each access names two deployments and carries a key), one figure is the upload
plus the preview page; rounds alternate a small file and the full one, and the table
shows medians with their min-max, the full file's time ÷ the goal, and full ÷ small (the
cost per row should not grow with the file). *Apply* of each kind is timed once for
information, and the load average is printed (the machine may be shared).
The exit status is 0 whether or not the goal is met; 1 when the benchmark failed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository, not bench/, is on the path
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import stats

GOAL_SECONDS = 5.0
KEY = "Bk4nR8sVw2ZxMc6kLp0dFh5JtG9yUe"


def _setup(folder: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "accessportal.settings",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "STATIC_ROOT": str(folder / "static"),
        }
    )
    from accessportal.crypto import generate_key

    os.environ["PORTAL_ENCRYPTION_KEYS"] = generate_key()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # hashed names, DEBUG off


def deployments_csv(rows: int, tag: str) -> str:
    lines = ["name,model_name,mode,deployment_id,node_ip,host_port,versions,call_path"]
    for n in range(rows):
        if n % 2:
            lines.append(
                f"{tag}-{n},{tag}-m{n},edge_node,{tag}d{n},192.0.2.{n % 250 + 1},31000,v1,"
            )
        else:
            path = f"http://203.0.113.{n % 250 + 1}:8080/edge/p{n}/api/v2/chat/completions"
            lines.append(f"{tag}-{n},{tag}-m{n},,,,,,{path}")
    return "\n".join(lines) + "\n"


def accesses_csv(rows: int, tag: str, deployment_names: list[str]) -> str:
    lines = ["name,description,services,api_key,expires_at"]
    for n in range(rows):
        first, second = deployment_names[n % 50], deployment_names[(n + 7) % 50]
        lines.append(f"{tag}-{n},bench row,{first}; {second},{KEY}{n:06d},2099-01-01T00:00:00Z")
    return "\n".join(lines) + "\n"


def measure(client, workspace, kind: str, content: str) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile

    base = f"/w/{workspace.code}/{'deployments' if kind == 'deployments' else 'access'}/import/"
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post(base, {"file": SimpleUploadedFile("b.csv", content.encode())})
    if response.status_code != 302:
        raise RuntimeError(f"upload answered {response.status_code}")
    page = client.get(response["Location"])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if page.status_code != 200 or b"Apply</button>" not in page.content:
        raise RuntimeError("the preview has problems: the benchmark's file is wrong")
    return elapsed, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/bulk_import.py", description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    loads = [_load()]
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder))
        from django.contrib.auth import get_user_model
        from django.test import Client

        from accessportal.models import Membership, Role, Workspace

        user = get_user_model().objects.create_user("bench")
        workspace = Workspace.objects.create(
            name="Bench",
            project_id="0a1b2c3d",
            inference_endpoint="https://pangu.example.test",
            iam_endpoint="https://iam.example.test",
        )
        Membership.objects.create(workspace=workspace, user=user, role=Role.ADMIN)
        client = Client()
        client.force_login(user)

        # Deployments the access rows name (50 of them), made through an import too.
        setup = deployments_csv(50, "svc")
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            f"/w/{workspace.code}/deployments/import/",
            {"file": SimpleUploadedFile("s.csv", setup.encode())},
        )
        client.post(response["Location"] + "apply/")
        names = [f"svc-{n}" for n in range(50)]

        results = {}
        for kind in ("deployments", "accesses"):
            make = (
                deployments_csv
                if kind == "deployments"
                else (lambda rows, tag: accesses_csv(rows, tag, names))
            )
            small, full, cpu = [], [], []
            for round_ in range(args.rounds):
                small.append(measure(client, workspace, kind, make(args.small, f"s{round_}"))[0])
                wall, used = measure(client, workspace, kind, make(args.rows, f"f{round_}"))
                full.append(wall)
                cpu.append(used)
            results[kind] = (small, full, cpu)

        applies = {}
        for kind in ("deployments", "accesses"):
            content = (
                deployments_csv(args.rows, "apply")
                if kind == "deployments"
                else accesses_csv(args.rows, "apply", names)
            )
            applies[kind] = apply(client, workspace, kind, content)

    print(
        f"| import of | {args.small:,} rows | {args.rows:,} rows | CPU, {args.rows:,} rows "
        f"| ÷ goal ({GOAL_SECONDS:g} s) | {args.rows:,} ÷ {args.small:,} | met |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for kind, (small, full, cpu) in results.items():
        full_median = stats.median(full)
        ratio = full_median / GOAL_SECONDS
        per_row = stats.median([f / s for f, s in zip(full, small, strict=True)])
        print(
            f"| {kind}: upload + preview | {stats.median(small):.2f} s "
            f"({min(small):.2f}-{max(small):.2f}) | {full_median:.2f} s "
            f"({min(full):.2f}-{max(full):.2f}) | {stats.median(cpu):.2f} s "
            f"| **{ratio:.2f}** | {per_row:.1f} "
            f"| {'yes' if ratio < 1 else '**no**'} |"
        )
    for kind, (wall, cpu) in applies.items():
        print(
            f"\nApply of {args.rows:,} {kind} (the rows checked again, then written; once): "
            f"{wall:.2f} s, CPU {cpu:.2f} s",
            end="",
        )
    print(f"\nLoad average (1, 5, 15 min): before {loads[0]}, after {_load()}")
    return 0


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def apply(client, workspace, kind: str, content: str) -> tuple[float, float]:
    """Upload and preview (not timed), then *Apply* timed: the POST that checks every row
    again and writes them, with their audit events, in one transaction."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    base = f"/w/{workspace.code}/{'deployments' if kind == 'deployments' else 'access'}/import/"
    response = client.post(base, {"file": SimpleUploadedFile("a.csv", content.encode())})
    client.get(response["Location"])
    started, cpu = time.perf_counter(), time.process_time()
    applied = client.post(response["Location"] + "apply/")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if applied.status_code != 302:
        raise RuntimeError(f"apply answered {applied.status_code}")
    return elapsed, cpu


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # the benchmark itself failed, not a goal
        print(f"benchmark failed: {error}", file=sys.stderr)
        sys.exit(1)
