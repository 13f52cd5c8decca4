"""Single sign-on in a real browser against a real OpenID provider on loopback."""

from __future__ import annotations

import re

import pytest

from accessportal.models import Role
from sso.models import GroupMapping

pytestmark = pytest.mark.browser
BOB = {"password": "pw-bob-1", "email": "bob@example.com", "name": "Bob Builder"}


def provider_sign_in(page, password=BOB["password"]):
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in at the provider").click()


def test_sign_in_roles_follow_groups_reveal_and_sign_out(portal, page, sso_on, shot):
    ws = portal.workspace
    GroupMapping.objects.create(workspace=ws, group="demo-admins", role=Role.ADMIN)
    GroupMapping.objects.create(workspace=ws, group="demo-readers", role=Role.VIEWER)
    sso_on.set_users({"bob": BOB | {"groups": ["demo-readers"]}})

    page.goto("/accounts/login/")
    shot(page, "-login")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    provider_sign_in(page)
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("link", name=ws.name).first.click()
    assert page.locator(".role").inner_text() == "Viewer"

    # Promoted at the provider: the next sign-in makes bob an admin here.
    sso_on.set_users({"bob": BOB | {"groups": ["demo-admins"]}})
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_role("link", name="Sign in with Test IdP").click()
    provider_sign_in(page)  # the provider session ended with the sign-out: asked again
    page.wait_for_url(re.compile(r"/$"))
    page.goto(portal.ws(f"access/{portal.access('team-all').code}/"))
    assert page.locator(".role").inner_text() == "Admin"

    # A reveal needs a fresh sign-in at the provider, not a password bob does not have.
    page.get_by_role("link", name="Confirm by signing in again with Test IdP").click()
    provider_sign_in(page)
    page.get_by_role("button", name="Reveal key").click()
    page.locator("#revealed-key").wait_for()
    assert page.locator("#revealed-key").inner_text() == portal.access("team-all").api_key()
    shot(page, "-revealed")


def test_local_passwords_off_shows_only_the_provider(portal, page, sso_on, settings):
    settings.PORTAL_LOCAL_LOGIN = False
    page.goto("/accounts/login/")
    assert page.get_by_role("link", name="Sign in with Test IdP").is_visible()
    assert page.get_by_label("Password").count() == 0
