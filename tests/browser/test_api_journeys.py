"""API tokens and the API's documentation page in a real browser."""

from __future__ import annotations

import re

import pytest
import requests

from api import tokens

pytestmark = pytest.mark.browser


def test_create_a_token_copy_it_once_and_use_it(portal, page, signed_in, shot):
    signed_in(page, "demo")
    page.get_by_role("link", name="API tokens").first.click()
    page.get_by_label("Name").fill("nightly job")
    page.get_by_role("checkbox", name=re.compile("write: create")).check()
    page.get_by_label("Expires after").select_option("7")
    page.get_by_role("button", name="Create token").click()
    page.get_by_text("Copy it now").wait_for()
    text = page.locator("#new-token").inner_text()
    assert tokens.is_well_formed(text)
    shot(page, "-created")
    answer = requests.get(
        f"{portal.url}/api/v1/workspaces",
        headers={"Authorization": f"Bearer {text}"},
        timeout=30,
    )
    assert answer.status_code == 200
    assert portal.workspace.name in [w["name"] for w in answer.json()["results"]]
    page.get_by_role("link", name="Done").click()
    assert text not in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke nightly job").click()
    page.get_by_text("revoked").first.wait_for()
    again = requests.get(
        f"{portal.url}/api/v1/workspaces", headers={"Authorization": f"Bearer {text}"}, timeout=30
    )
    assert again.status_code == 401


def test_the_api_documentation_renders_under_the_strict_csp(portal, page):
    # The context fixture fails the test on any CSP violation or script error.
    page.goto("/api/v1/docs")
    # Swagger UI is 1.5 MB of script: give it longer than a page of ours.
    page.get_by_text("/api/v1/workspaces/{ws}/accesses/{access}/secret").wait_for(timeout=60_000)
    assert page.locator(".opblock-summary").count() >= 15
    assert page.get_by_text("Access Portal API").first.is_visible()
