"""The catalog as people use it in a browser: sign in, register deployments and keys, copy
call paths, manage a key's life, download Postman files, and what each role may see."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from accessportal.masking import mask_secret
from accessportal.models import Deployment
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NEW_KEY = "Rt7nQ2wXk9LmPz4vBc8dYh3JfS6gTa1E"


def test_sign_in(page, portal):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Username:", exact=True).fill("demo")
    page.get_by_label("Password:", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")

    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{portal.url}/")
    expect(page.get_by_role("heading", name="My Spaces")).to_be_visible()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("demo")

    page.get_by_role("link", name="Demo workspace").click()
    nav = page.get_by_role("navigation", name="Workspace")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Model deployment")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("heading", name="Model deployment", level=1)).to_be_visible()


MODES = [
    # (mode label, fields to fill, versions) and the call paths the page must show.
    (
        "Cloud",
        {"Deployment ID:": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"},
        ("V1 (Pangu API)", "V2 (OpenAI-compatible API)"),
    ),
    (
        "Edge, load balancing",
        {
            "Deployment ID:": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "ELB public IP:": "127.0.0.1",
            "ELB port:": "18443",
            "API URL prefix:": "edge/browser-lb",
        },
        ("V1 (Pangu API)", "V2 (OpenAI-compatible API)"),
    ),
    (
        "Edge, node",
        {"Node IP:": "127.0.0.1", "Host port:": "18080"},
        ("V2 (OpenAI-compatible API)",),
    ),
]


def test_create_a_deployment_of_each_mode(page, portal, signed_in):
    signed_in(page, "demo")
    project = portal.workspace.project_id
    expected = {
        "Cloud": {
            "v1": f"{portal.workspace.inference_endpoint}/v1/{project}/deployments/"
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0/chat/completions",
            "v2": f"{portal.workspace.inference_endpoint}/api/v2/chat/completions",
        },
        "Edge, load balancing": {
            "v1": f"http://127.0.0.1:18443/edge/browser-lb/v1/{project}/deployments/"
            "a1b2c3d4e5f60718293a4b5c6d7e8f90/chat/completions",
            "v2": "http://127.0.0.1:18443/edge/browser-lb/api/v2/chat/completions",
        },
        "Edge, node": {"v2": "http://127.0.0.1:18080/api/v2/chat/completions"},
    }
    for n, (mode, fields, versions) in enumerate(MODES):
        page.goto(portal.ws("deployments/"))
        page.get_by_role("link", name="Add deployment").click()
        expect(page.get_by_role("heading", name="Add deployment")).to_be_visible()
        name = f"Browser {mode}"
        page.get_by_label("Name:", exact=True).fill(name)
        page.get_by_label(mode, exact=True).check()
        # Only the chosen mode's fields are offered.
        expect(page.get_by_label("ELB public IP:")).to_be_visible(
            visible=mode.endswith("balancing")
        )
        expect(page.get_by_label("Node IP:")).to_be_visible(visible=mode.endswith("node"))
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value)
        for label in ("V1 (Pangu API)", "V2 (OpenAI-compatible API)"):
            page.get_by_label(label).set_checked(label in versions)
        page.get_by_label("Model name:", exact=True).fill(f"browser-model-{n}")
        page.get_by_role("button", name="Save").click()

        expect(page.locator(".messages")).to_contain_text(f"Deployment “{name}” added.")
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        expect(page.locator(".facts")).to_contain_text(mode)
        for version, url in expected[mode].items():
            expect(page.locator(f"#callpath-{version}")).to_have_text(url)
        if "v1" not in expected[mode]:
            expect(page.locator("#callpath-v1")).to_have_count(0)
    assert set(
        Deployment.objects.filter(name__startswith="Browser ").values_list("mode", flat=True)
    ) == {"cloud", "edge_lb", "edge_node"}


def test_copy_a_call_path(new_context, portal, signed_in, shot):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    signed_in(page, "demo-member")
    chat = portal.deployment("Pangu NLP chat")
    page.goto(portal.ws(f"deployments/{chat.code}/"))

    button = page.get_by_role("button", name="Copy V1 call path")
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == chat.call_paths()["v1"]
    expect(button).to_have_text("Copy")  # back to its label after a moment

    page.get_by_role("button", name="Copy V2 call path").click()
    assert page.evaluate("navigator.clipboard.readText()") == chat.call_paths()["v2"]
    shot(page)


def test_search_filter_and_pages(page, portal, signed_in):
    signed_in(page, "demo-member")
    page.goto(portal.ws("deployments/"))
    rows = page.locator("tbody tr")
    page.get_by_label("Search").fill("edge")
    page.get_by_label("Status").select_option(label="Running")
    page.get_by_label("Mode").select_option(label="Edge, node")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    expect(rows.get_by_role("link")).to_have_text(["Edge node assistant", "Edge on node"])

    page.get_by_label("Search").fill("no such thing")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".empty")).to_contain_text("No deployment matches these filters.")
    page.get_by_role("link", name="Clear the filters").click()
    expect(rows).to_have_count(portal.workspace.deployments.filter(source="my_service").count())

    page.get_by_role("link", name=re.compile(r"^Preset service")).click()
    expect(rows).to_have_count(portal.workspace.deployments.filter(source="preset_service").count())

    # Application access: 50 rows a page, searchable, filtered by scope.
    chat = portal.deployment("Pangu NLP chat")
    for _ in range(50):
        factories.make_access(portal.workspace, deployments=[chat])
    page.goto(portal.ws("access/"))
    pages = page.get_by_role("navigation", name="Pages")
    expect(rows).to_have_count(50)
    expect(pages).to_contain_text("Page 1 of 2 (55 rows)")
    page.get_by_role("link", name="Next →").click()
    expect(rows).to_have_count(5)
    expect(pages).to_contain_text("Page 2 of 2")

    page.get_by_label("Scope").select_option(label="All services")
    page.get_by_role("button", name="Filter").click()
    expect(rows.get_by_role("link")).to_have_text(["team-all"])
    expect(pages).to_have_count(0)

    page.get_by_label("Scope").select_option(label="Any scope")
    page.get_by_label("Search").fill("edge services")
    page.get_by_role("button", name="Filter").click()
    expect(rows.get_by_role("link")).to_have_text(["edge-team"])  # matched its description


def test_create_an_access_scoped_to_two_deployments(page, portal, signed_in):
    signed_in(page, "demo")
    page.goto(portal.ws("access/"))
    page.get_by_role("link", name="Create application access").click()
    page.get_by_label("Name:", exact=True).fill("two-services")
    page.get_by_label("Description:", exact=True).fill("Chat and the ELB edge service")
    services = page.get_by_role("group", name="Services", exact=True)
    expect(services).to_be_hidden()  # only for "Selected services"
    page.get_by_label("Selected services").check()
    expect(services).to_be_visible()
    services.get_by_label("Pangu NLP chat (Cloud, Running)").check()
    services.get_by_label("Edge via ELB (Edge, load balancing, Running)").check()
    page.get_by_label("API key:", exact=True).fill(NEW_KEY)
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Application access “two-services” created.")
    facts = page.locator(".facts")
    expect(facts).to_contain_text(mask_secret(NEW_KEY))
    expect(facts.get_by_role("link")).to_have_text(["Edge via ELB", "Pangu NLP chat"])
    assert NEW_KEY not in page.content()

    # The deployments it covers list it; another does not.
    facts.get_by_role("link", name="Edge via ELB").click()
    expect(page.get_by_role("link", name="two-services")).to_be_visible()
    page.goto(portal.ws(f"deployments/{portal.deployment('Edge on node').code}/"))
    expect(page.get_by_role("link", name="two-services")).to_have_count(0)


def test_key_mask_reveal_rotate_disable_and_delete(page, portal, signed_in):
    """Everyone sees the mask; an admin reveals after re-entering the password; rotating,
    disabling and deleting each ask first, and say what they did."""
    team = portal.access("team-all")
    old_key = team.api_key()
    dialogs = []

    def answer(accept: bool):
        def handle(dialog):
            dialogs.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", handle)

    signed_in(page, "demo")
    page.goto(portal.ws(f"access/{team.code}/"))
    expect(page.locator(".facts")).to_contain_text(mask_secret(old_key))
    assert old_key not in page.content()

    # Reveal: the wrong password is refused, the right one shows the key once.
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Reveal key").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert old_key not in page.content()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Reveal key").click()
    expect(page.locator("#revealed-key")).to_have_text(old_key)
    expect(page.get_by_role("note")).to_contain_text("recorded in the audit log")
    page.get_by_role("link", name="Done").click()
    assert old_key not in page.content()

    # Rotate: dismissing the question changes nothing; accepting rotates.
    page.get_by_role("link", name="Rotate key").click()
    page.get_by_label("New API key").fill(NEW_KEY)
    answer(accept=False)
    page.get_by_role("button", name="Rotate key").click()
    expect(page.get_by_role("heading", name="Rotate key of team-all")).to_be_visible()
    team.refresh_from_db()
    assert team.api_key() == old_key
    answer(accept=True)
    page.get_by_role("button", name="Rotate key").click()
    expect(page.locator(".messages")).to_contain_text(f"now ends in {NEW_KEY[-3:]}")
    expect(page.locator(".facts")).to_contain_text(mask_secret(NEW_KEY))

    # Disable, after saying no once.
    answer(accept=False)
    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("heading", name="team-all")).to_contain_text("enabled")
    answer(accept=True)
    page.get_by_role("button", name="Disable").click()
    expect(page.locator(".messages")).to_contain_text("Application access “team-all” disabled.")
    expect(page.get_by_role("heading", name="team-all")).to_contain_text("disabled")
    page.get_by_role("button", name="Enable").click()  # enabling needs no question
    expect(page.locator(".messages")).to_contain_text("enabled.")

    # Delete.
    answer(accept=True)
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(".messages")).to_contain_text("Application access “team-all” deleted.")
    expect(page.get_by_role("link", name="team-all")).to_have_count(0)

    assert [d.split("?")[0] for d in dialogs] == [
        "Replace the key of “team-all”",
        "Replace the key of “team-all”",
        "Disable “team-all”",
        "Disable “team-all”",
        "Delete “team-all” and its stored key",
    ]


def test_delete_a_deployment_asks_first(page, portal, signed_in):
    legacy = portal.deployment("Legacy chat")
    signed_in(page, "demo")
    page.goto(portal.ws(f"deployments/{legacy.code}/"))
    questions = []
    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Legacy chat")).to_be_visible()
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(".messages")).to_contain_text("Deployment “Legacy chat” deleted.")
    assert len(questions) == 2 and questions[0].startswith("Delete the deployment “Legacy chat”")
    assert not portal.workspace.deployments.filter(name="Legacy chat").exists()


def test_download_the_postman_collection(page, portal, signed_in):
    chat = portal.deployment("Pangu NLP chat")
    signed_in(page, "demo-viewer")  # nothing secret in it: viewers may download
    page.goto(portal.ws(f"deployments/{chat.code}/"))
    with page.expect_download() as info:
        page.get_by_role("link", name="Collection for this deployment").click()
    download = info.value
    assert download.suggested_filename == "pangu-nlp-chat.postman_collection.json"
    collection = json.loads(download.path().read_text())
    assert collection["info"]["schema"] == (
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    )
    assert "Pangu NLP chat" in json.dumps(collection)

    with page.expect_download() as info:
        page.get_by_role("link", name="environment").click()
    environment = json.loads(info.value.path().read_text())
    assert {v["key"] for v in environment["values"]} >= {"api_key", "auth_token", "iam_password"}
    assert all(v["value"] == "" for v in environment["values"] if v["key"] == "api_key")


ADMIN_CONTROLS = ["Edit", "Delete", "Rotate key", "Reveal key", "Disable", "Enable", "Remove"]


def assert_no_admin_controls(page) -> None:
    main = page.get_by_role("main")
    for name in ADMIN_CONTROLS:
        expect(main.get_by_role("button", name=name, exact=True)).to_have_count(0)
        expect(main.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile(r"^(Add|Create) "))).to_have_count(0)
    expect(main.get_by_role("button", name=re.compile(r"^(Add|Change) "))).to_have_count(0)


def test_a_member_sees_no_admin_buttons(page, portal, signed_in):
    chat = portal.deployment("Pangu NLP chat")
    team = portal.access("team-all")
    signed_in(page, "demo-member")
    for path in [
        "deployments/",
        f"deployments/{chat.code}/",
        "access/",
        f"access/{team.code}/",
        "credentials/",
        "members/",
    ]:
        page.goto(portal.ws(path))
        assert_no_admin_controls(page)
    # What a member does have: testing, and reading the catalog.
    page.goto(portal.ws(f"deployments/{chat.code}/"))
    expect(page.get_by_role("link", name="Test", exact=True)).to_be_visible()
    nav = page.get_by_role("navigation", name="Workspace")
    expect(nav.get_by_role("link", name="Playground")).to_be_visible()
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)
    expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    expect(page.locator(".sidebar .role")).to_have_text("Member")


def test_a_viewer_has_no_playground(page, portal, signed_in):
    chat = portal.deployment("Pangu NLP chat")
    signed_in(page, "demo-viewer")
    page.goto(portal.ws(f"deployments/{chat.code}/"))
    nav = page.get_by_role("navigation", name="Workspace")
    expect(nav.get_by_role("link", name="Model deployment")).to_be_visible()
    expect(nav.get_by_role("link", name="Playground")).to_have_count(0)
    expect(page.get_by_role("link", name="Test", exact=True)).to_have_count(0)
    assert_no_admin_controls(page)

    page.goto(portal.ws("playground/history/"))
    expect(page.get_by_role("main").get_by_role("link", name="Playground")).to_have_count(0)

    response = page.goto(portal.ws("playground/"))
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.locator("#playground")).to_have_count(0)
