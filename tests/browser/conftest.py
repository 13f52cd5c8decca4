"""The dashboard in a real browser: one headless Chromium for the session, a fresh context
per test, a live portal seeded with the demo workspace that calls the test simulator.

Debian's Chromium is used, never a browser Playwright would download; without it the
tests fail and say how to install it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from accessportal import demo as seeding
from accessportal.models import Workspace
from tests.conftest import PASSWORD
from tests.sso.conftest import oidc_provider, sso_on  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: while the shared browser lives, its event loop runs in this
    thread (see ``browser``), and no other test should run beside it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. "
            "Run `bash tests/install-tools.sh` as root (it installs it with apt-get), "
            "or `apt-get install -y chromium`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread between calls, so
    # Django would refuse every ORM call of the tests and their fixtures as "async unsafe".
    # Nothing here is async: the check is lifted for as long as the browser lives (the
    # browser tests run last, above), and restored after.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Portal:
    """The live portal, its demo workspace and where its pages are."""

    url: str
    workspace: Workspace

    def ws(self, path: str = "") -> str:
        return f"{self.url}/w/{self.workspace.code}/{path}"

    def deployment(self, name: str):
        return self.workspace.deployments.get(name=name)

    def access(self, name: str):
        return self.workspace.accesses.get(name=name)


@pytest.fixture
def seed_portal(transactional_db, live_server, settings) -> Callable[..., Portal]:
    """Seed the demo workspace against a given simulator; the live portal calls it."""
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = True

    def seed(sim) -> Portal:
        workspace = seeding.seed(sim.state, simulator_url=sim.url, password=PASSWORD).workspace
        return Portal(url=live_server.url, workspace=workspace)

    return seed


@pytest.fixture
def portal(seed_portal, simulator) -> Portal:
    return seed_portal(simulator)


@dataclass
class Problems:
    """What the page's console said that a working page never says."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(f"console: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable[..., object]]:
    """Open a fresh browser context (its own cookies) on the live portal; closed after the
    test, which fails if a page broke the Content-Security-Policy or threw."""
    contexts = []
    problems = Problems()

    def open_context(**options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", problems.watch)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
    assert not problems.errors, "\n".join(problems.errors)


@pytest.fixture
def context(new_context):
    return new_context()


def screenshot_path(request: pytest.FixtureRequest, suffix: str = "") -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    return ARTIFACTS / f"{name}{suffix}.png"


@pytest.fixture
def shot(request) -> Callable[..., Path]:
    """``shot(page, suffix="")``: keep a screenshot named after the test in test-artifacts/."""

    def take(page, suffix: str = "") -> Path:
        path = screenshot_path(request, suffix)
        page.evaluate("window.scrollTo(0, 0)")  # sticky navigation where it belongs
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def page(context, shot):
    """A page in a fresh context; a screenshot named after the test is kept in the end."""
    page = context.new_page()
    yield page
    if not page.is_closed():
        shot(page)


def sign_in(page, username: str, password: str = PASSWORD):
    """Sign ``username`` in through the login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


@pytest.fixture
def signed_in() -> Callable[..., object]:
    """``signed_in(page, username)``: the page, signed in through the login form."""
    return sign_in


@pytest.fixture
def main_pages(portal) -> list[tuple[str, str]]:
    """(name, path) of the pages people use most, as the demo admin sees them."""
    chat = portal.deployment("Pangu NLP chat")
    team = portal.access("team-all")
    return [
        ("my-spaces", "/"),
        ("deployment-list", portal.ws("deployments/")),
        ("deployment-detail", portal.ws(f"deployments/{chat.code}/")),
        ("access-list", portal.ws("access/")),
        ("access-detail", portal.ws(f"access/{team.code}/")),
        ("playground", portal.ws("playground/")),
        ("history", portal.ws("playground/history/")),
        ("compare", portal.ws("playground/compare/")),
        ("members", portal.ws("members/")),
        ("audit-log", portal.ws("audit/")),
        ("health-board", portal.ws("health/")),
        ("credentials", portal.ws("credentials/")),
        *prompt_pages(portal),
    ]


def prompt_pages(portal) -> list[tuple[str, str]]:
    """A saved prompt with a variable, and its pages (the playground opened with it)."""
    from tests.factories import make_prompt

    body = {"messages": [{"role": "user", "content": "Hello {{name}}"}], "temperature": 0.5}
    code = make_prompt(portal.workspace, body=body, name="Greeter").code
    return [
        ("prompt-list", portal.ws("prompts/")),
        ("prompt-detail", portal.ws(f"prompts/{code}/")),
        ("prompt-history", portal.ws(f"prompts/{code}/history/")),
        ("prompt-edit", portal.ws(f"prompts/{code}/edit/")),
        ("playground-prompt", portal.ws(f"playground/?prompt={code}")),
    ]
