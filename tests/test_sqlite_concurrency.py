"""The embedded default under write pressure: 8 threads creating and editing application
accesses for ~10 s against a file-based SQLite database with the project's settings (WAL,
IMMEDIATE transactions, busy timeout). Nothing may fail with "database is locked" and
nothing may be lost.

The work runs in a subprocess with its own DATABASE_URL, so it uses exactly the
settings a deployment would (not the test database pytest-django builds in memory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

from accessportal import crypto

BASE_DIR = Path(__file__).resolve().parent.parent
THREADS = 8
SECONDS = 10.0


def test_concurrent_writers_on_file_sqlite_lose_nothing(tmp_path):
    database = tmp_path / "portal.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DEBUG="false",  # production settings: no query log growing in memory
        SECRET_KEY="x" * 60,
        PORTAL_ENCRYPTION_KEYS=crypto.generate_key(),
        ALLOWED_HOSTS="localhost",
        REDIS_URL="",
        DJANGO_SETTINGS_MODULE="accessportal.settings",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )
    result = subprocess.run(
        [sys.executable, "-c", "from tests.test_sqlite_concurrency import main; main()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=SECONDS + 90,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], report["errors"][:5]
    assert report["journal_mode"] == "wal"
    assert report["created"] >= THREADS * 5, report  # it really was under load
    assert report["rows"] == report["created"]
    assert report["edits_checked"] == report["edits"] > 0
    assert report["mismatches"] == []


# --- What runs in the subprocess -----------------------------------------------------------


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection

    from accessportal import services
    from accessportal.models import ApplicationAccess, Role
    from tests import factories

    owner = User.objects.create_user("owner", password=None)
    workspace = factories.make_workspace("Load")
    factories.add_member(workspace, owner, Role.ADMIN)
    deployment = factories.make_deployment(workspace)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    connection.close()

    errors: list[str] = []
    expected: dict[str, tuple[str, bool]] = {}  # access name -> (key, disabled)
    tally = {"created": 0, "edits": 0, "edits_checked": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def worker(n: int) -> None:
        from django.db import connection, transaction

        from accessportal import audit
        from accessportal.models import AuditAction

        i = 0
        try:
            while time.monotonic() < deadline:
                i += 1
                name, key = f"t{n}-{i}", f"key-{n}-{i}-abcdefghijklmnop"
                try:
                    with transaction.atomic():
                        access = ApplicationAccess(workspace=workspace, name=name)
                        access.set_api_key(key)
                        access.save()
                        access.deployments.add(deployment)
                        audit.record(
                            workspace=workspace,
                            actor=owner,
                            action=AuditAction.ACCESS_CREATE,
                            target=name,
                        )
                    with lock:
                        tally["created"] += 1
                        expected[name] = (key, False)
                    # Edits through the services, each read back at once.
                    new_key = key.replace("key-", "new-")
                    services.rotate_access_key(access=access, new_key=new_key, actor=owner, ip=None)
                    disabled = i % 2 == 0
                    services.set_access_disabled(
                        access=access, disabled=disabled, actor=owner, ip=None
                    )
                    # Read, then write, in one transaction: the pattern that fails at once
                    # with "database is locked" under SQLite's default DEFERRED mode.
                    with transaction.atomic():
                        current = ApplicationAccess.objects.get(pk=access.pk)
                        current.description = f"{current.description}edited by {n};"
                        current.save(update_fields=["description", "updated_at"])
                    fresh = ApplicationAccess.objects.get(pk=access.pk)
                    with lock:
                        tally["edits"] += 3
                        expected[name] = (new_key, disabled)
                        if (
                            fresh.api_key() == new_key
                            and fresh.disabled == disabled
                            and fresh.description == f"edited by {n};"
                        ):
                            tally["edits_checked"] += 3
                        else:
                            errors.append(f"{name}: edit not read back")
                except Exception:
                    with lock:
                        errors.append(traceback.format_exc(limit=3))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    rows = {a.name: a for a in ApplicationAccess.objects.filter(workspace=workspace)}
    mismatches = [
        name
        for name, (key, disabled) in expected.items()
        if name not in rows or rows[name].api_key() != key or rows[name].disabled != disabled
    ]
    print(
        json.dumps(
            {
                "journal_mode": journal_mode,
                "rows": len(rows),
                "mismatches": mismatches[:20],
                "errors": errors[:20],
                **tally,
            }
        )
    )
