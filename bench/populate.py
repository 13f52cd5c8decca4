"""Fill the benchmark's database: the demo workspace wired to the simulator, and the
workspaces the scale figures compare (few vs many accesses, few vs many deployments).

Run by bench/servers.py with the same environment as gunicorn (same DATABASE_URL and
PORTAL_ENCRYPTION_KEYS), before gunicorn starts:

    python -m bench.populate --simulator-url=URL --password=P --accesses 10 10000 ...

Prints one JSON line with the codes the measurements need. Rows are bulk-created with
the ORM: the point is the pages' cost at that size, not the cost of creating them.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import uuid


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accessportal.settings")
    import django

    django.setup()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.populate")
    parser.add_argument("--simulator-url", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--accesses", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--deployments", type=int, nargs="+", default=[10, 2_000])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _setup_django()

    from django.contrib.auth import get_user_model

    from accessportal import demo
    from simulator.state import DEFAULT_STATE_PATH, load_state

    state = load_state(DEFAULT_STATE_PATH)
    seeded = demo.seed(state, simulator_url=args.simulator_url, password=args.password)
    workspace = seeded.workspace
    admin = get_user_model().objects.get(username=demo.USERS[0][0])
    chat = workspace.deployments.get(model_name="pangu-nlp-n1-32k")
    team_all = workspace.accesses.get(name="team-all")

    out = {
        "username": admin.username,
        "workspace": str(workspace.code),
        "deployment": str(chat.code),
        "access": str(team_all.code),
        "access_workspaces": {},
        "deployment_workspaces": {},
    }
    for count in args.accesses:
        ws = _workspace(f"Bench: {count} accesses", args.simulator_url, admin)
        _deployments(ws, 10)
        _accesses(ws, count, admin)
        out["access_workspaces"][str(count)] = {"workspace": str(ws.code)}
    for count in args.deployments:
        ws = _workspace(f"Bench: {count} deployments", args.simulator_url, admin)
        deployments = _deployments(ws, count)
        _accesses(ws, 5, admin)
        middle = deployments[len(deployments) // 2]
        out["deployment_workspaces"][str(count)] = {
            "workspace": str(ws.code),
            "deployment": str(middle.code),
        }
    out["api_token"] = _api_token(admin)
    print(json.dumps(out))
    return 0


def _api_token(admin) -> str:
    """A read token of the admin's for the API figure (a throw-away database)."""
    from api import tokens
    from api.models import ApiToken

    text = tokens.generate()
    ApiToken.objects.create(
        user=admin, name="bench", prefix=tokens.visible_prefix(text), digest=tokens.digest(text)
    )
    return text


def _workspace(name: str, simulator_url: str, admin):
    from accessportal.models import Membership, Role, Workspace

    workspace, _ = Workspace.objects.get_or_create(
        name=name,
        defaults={
            "region": "cn-southwest-2",
            "project_id": uuid.uuid4().hex,
            "inference_endpoint": simulator_url,
            "iam_endpoint": simulator_url,
        },
    )
    Membership.objects.get_or_create(workspace=workspace, user=admin, defaults={"role": Role.ADMIN})
    return workspace


def _deployments(workspace, count: int) -> list:
    from accessportal.models import Deployment, Mode, Source, Status

    existing = list(workspace.deployments.all())
    statuses = [Status.RUNNING, Status.RUNNING, Status.RUNNING, Status.STOPPED, Status.DEPLOYING]
    rows = []
    for i in range(len(existing), count):
        edge = i % 7 == 3
        rows.append(
            Deployment(
                workspace=workspace,
                name=f"Service {i:05d}",
                model_name=f"bench-model-{i:05d}",
                source=Source.PRESET_SERVICE if i % 5 == 4 else Source.MY_SERVICE,
                status=statuses[i % len(statuses)],
                deployment_id=uuid.uuid4().hex,
                mode=Mode.EDGE_NODE if edge else Mode.CLOUD,
                node_ip="127.0.0.1" if edge else None,
                host_port=8001 if edge else None,
                serves_v1=True,
                serves_v2=i % 2 == 0,
            )
        )
    Deployment.objects.bulk_create(rows, batch_size=500)
    return list(workspace.deployments.order_by("name", "id"))


def _accesses(workspace, count: int, admin) -> None:
    from accessportal.models import ApplicationAccess

    have = workspace.accesses.count()
    deployments = list(workspace.deployments.order_by("id")[:10])
    rows = []
    for i in range(have, count):
        access = ApplicationAccess(
            workspace=workspace,
            name=f"access-{i:05d}",
            description="bench" if i % 3 else "",
            all_services=i % 4 != 0,
            created_by=admin,
        )
        access.set_api_key(secrets.token_urlsafe(24))
        rows.append(access)
    created = ApplicationAccess.objects.bulk_create(rows, batch_size=500)
    # A quarter are bound to chosen deployments, so the list's prefetch has work to do.
    through = ApplicationAccess.deployments.through
    links = [
        through(applicationaccess_id=a.pk, deployment_id=d.pk)
        for a in created
        if not a.all_services
        for d in deployments[: 1 + a.pk % 3]
    ]
    through.objects.bulk_create(links, batch_size=1000)


if __name__ == "__main__":
    sys.exit(main())
