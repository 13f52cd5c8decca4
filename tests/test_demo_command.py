"""``manage.py demo`` on other ports, exactly as the README's quick start tells the reader
when 8000 or 8001 is taken: both servers come up where asked, and a sign-in works."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from accessportal import crypto
from tests.test_gunicorn import free_port

BASE_DIR = Path(__file__).resolve().parent.parent


def readme_demo_command() -> list[str]:
    """The README's ``manage.py demo --addrport … --simulator-port …`` line, as argv."""
    readme = (BASE_DIR / "README.md").read_text()
    match = re.search(
        r"^\S*python manage\.py demo --addrport \S+ --simulator-port \d+$", readme, re.M
    )
    assert match, "the README should say how to run the demo on other ports"
    return shlex.split(match.group(0))[1:]


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer:\n{log.read_text()}")


def test_the_readme_demo_command_runs_on_other_ports(tmp_path):
    portal_port, simulator_port = free_port(), free_port()
    argv = readme_demo_command()
    argv[argv.index("--addrport") + 1] = f"127.0.0.1:{portal_port}"
    argv[argv.index("--simulator-port") + 1] = str(simulator_port)
    # A password that begins with "-", as a generated one may: it must reach seed_demo.
    password = "-demo-Pass-42"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env |= {
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "PORTAL_ENCRYPTION_KEYS": crypto.generate_key(),  # nothing written beside manage.py
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "accessportal.settings",
    }
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *argv, f"--password={password}"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(f"http://127.0.0.1:{simulator_port}/_sim/stats", process, log)
        portal = f"http://127.0.0.1:{portal_port}"
        wait_for(f"{portal}/healthz", process, log)
        session = requests.Session()
        session.trust_env = False
        session.get(f"{portal}/accounts/login/", timeout=10)
        signed_in = session.post(
            f"{portal}/accounts/login/",
            data={
                "username": "demo",
                "password": password,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            timeout=30,
        )
        assert "Demo" in signed_in.text and "My Spaces" in signed_in.text, signed_in.text[:2000]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the demo and its simulator
            process.wait(timeout=5)
    assert f"127.0.0.1:{portal_port}" in log.read_text()
    with pytest.raises(requests.ConnectionError):  # the simulator stopped with it
        requests.get(f"http://127.0.0.1:{simulator_port}/_sim/stats", timeout=2)
