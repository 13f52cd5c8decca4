"""Signing in with a real OpenID provider (oidc-provider on loopback), over HTTP: users
and memberships from claims and groups, refusals that change nothing, sign-out at the
provider, a reveal unlocked by a fresh provider sign-in, and local passwords off."""

from __future__ import annotations

from io import StringIO
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from accessportal.models import AuditEvent, Membership, Role
from sso.models import GroupMapping, Identity, SyncedMembership
from tests import factories
from tests.sso.conftest import sign_in_over_http

ALICE = {"password": "pw-alice-1", "email": "alice@example.com", "name": "Alice Liddell"}


@pytest.fixture
def team(transactional_db, sso_on):
    ws = factories.make_workspace("Team A")
    founder = User.objects.create_user("founder", password="founder-pw-1")
    factories.add_member(ws, founder, Role.ADMIN)
    GroupMapping.objects.create(workspace=ws, group="team-a-admins", role=Role.ADMIN)
    GroupMapping.objects.create(workspace=ws, group="team-a", role=Role.VIEWER)
    return ws


def alice_in(provider, *groups):
    provider.set_users({"alice": ALICE | {"groups": list(groups)}})


def test_first_sign_in_creates_the_user_with_the_mapped_role(live_server, sso_on, team):
    alice_in(sso_on, "team-a-admins", "unrelated")
    _, answer = sign_in_over_http(live_server.url, "alice", ALICE["password"])
    assert answer.status_code == 200
    assert answer.url.rstrip("/") == live_server.url  # My Spaces
    assert "Team A" in answer.text
    user = User.objects.get(username="alice")
    assert (user.email, user.first_name, user.last_name) == (
        "alice@example.com",
        "Alice",
        "Liddell",
    )
    assert not user.has_usable_password()
    assert Identity.objects.get(user=user).issuer == sso_on.issuer
    membership = Membership.objects.get(user=user, workspace=team)
    assert membership.role == Role.ADMIN
    assert SyncedMembership.objects.filter(membership=membership).exists()
    added = AuditEvent.objects.get(action="member.add", target="alice")
    assert "single sign-on" in added.summary


def test_a_group_change_moves_the_role_at_the_next_sign_in(live_server, sso_on, team):
    other = factories.make_workspace("Hand-made")
    alice_in(sso_on, "team-a-admins")
    sign_in_over_http(live_server.url, "alice", ALICE["password"])
    alice = User.objects.get(username="alice")
    factories.add_member(other, alice, Role.MEMBER)  # set by hand: never touched by a sync
    alice_in(sso_on, "team-a")
    sign_in_over_http(live_server.url, "alice", ALICE["password"])
    assert Membership.objects.get(user=alice, workspace=team).role == Role.VIEWER
    assert Membership.objects.get(user=alice, workspace=other).role == Role.MEMBER
    alice_in(sso_on)  # no group any more
    sign_in_over_http(live_server.url, "alice", ALICE["password"])
    assert not Membership.objects.filter(user=alice, workspace=team).exists()
    assert Membership.objects.filter(user=alice, workspace=other).exists()
    assert AuditEvent.objects.filter(action="member.role", target="alice").exists()
    assert AuditEvent.objects.filter(action="member.remove", target="alice").exists()


def test_a_sync_never_removes_the_last_admin(live_server, sso_on, team):
    alice_in(sso_on, "team-a-admins")
    sign_in_over_http(live_server.url, "alice", ALICE["password"])
    team.memberships.filter(user__username="founder").delete()  # alice is the only admin now
    alice_in(sso_on)
    sign_in_over_http(live_server.url, "alice", ALICE["password"])
    assert Membership.objects.get(user__username="alice", workspace=team).role == Role.ADMIN


def test_a_user_removed_at_the_provider_cannot_sign_in(live_server, sso_on, team):
    sso_on.set_users({})
    session, answer = sign_in_over_http(live_server.url, "alice", ALICE["password"])
    assert "Wrong username or password" in answer.text
    assert not User.objects.filter(username="alice").exists()
    home = session.get(f"{live_server.url}/", allow_redirects=False, timeout=30)
    assert home.status_code == 302 and "/accounts/login/" in home.headers["Location"]


def test_a_replayed_callback_is_refused_with_a_clear_page(live_server, sso_on, team):
    alice_in(sso_on, "team-a")
    session = requests.Session()
    start = session.get(f"{live_server.url}/oidc/authenticate/", timeout=30)
    action = start.url.split("?")[0].rstrip("/") + "/login"
    # Follow the provider's redirects by hand, up to the portal's callback.
    answer = session.post(
        action,
        data={"username": "alice", "password": ALICE["password"]},
        allow_redirects=False,
        timeout=30,
    )
    while "/oidc/callback/" not in answer.headers.get("Location", ""):
        answer = session.get(
            urljoin(answer.url, answer.headers["Location"]), allow_redirects=False, timeout=30
        )
    callback = answer.headers["Location"]
    assert session.get(callback, timeout=30).status_code == 200
    memberships = Membership.objects.count()
    replay = requests.Session()
    replay.cookies.update(session.cookies)
    again = replay.get(callback, allow_redirects=False, timeout=30)
    assert again.status_code in (400, 403)
    assert "Sign-in failed" in again.text
    assert Membership.objects.count() == memberships


def test_sign_out_ends_the_provider_session_too(live_server, sso_on, team):
    alice_in(sso_on, "team-a")
    session, _ = sign_in_over_http(live_server.url, "alice", ALICE["password"])
    csrf = session.cookies.get("csrftoken")
    out = session.post(
        f"{live_server.url}/accounts/logout/",
        data={"csrfmiddlewaretoken": csrf},
        headers={"Referer": live_server.url + "/"},
        allow_redirects=False,
        timeout=30,
    )
    assert out.status_code == 302
    end = urlsplit(out.headers["Location"])
    assert f"{end.scheme}://{end.netloc}" == sso_on.issuer
    query = parse_qs(end.query)
    assert query["id_token_hint"] and query["client_id"] == ["access-portal"]
    assert query["post_logout_redirect_uri"] == [f"{live_server.url}/accounts/login/"]
    assert session.get(f"{live_server.url}/", allow_redirects=False, timeout=30).status_code == 302


def test_a_reveal_is_unlocked_by_a_fresh_sign_in_at_the_provider(live_server, sso_on, team):
    access = factories.make_access(team, key="revealed-after-sso-KEY-123")
    alice_in(sso_on, "team-a-admins")
    session, _ = sign_in_over_http(live_server.url, "alice", ALICE["password"])
    detail = session.get(f"{live_server.url}/w/{team.code}/access/{access.code}/", timeout=30)
    assert "Confirm by signing in again with Test IdP" in detail.text
    csrf = session.cookies.get("csrftoken")
    reveal_url = f"{live_server.url}/w/{team.code}/access/{access.code}/reveal/"
    form = {"csrfmiddlewaretoken": csrf}
    refused = session.post(reveal_url, data=form, headers={"Referer": reveal_url}, timeout=30)
    assert refused.status_code == 403
    # The provider asks for the password again (prompt=login), even with its session alive.
    session, answer = sign_in_over_http(
        live_server.url,
        "alice",
        ALICE["password"],
        session=session,
        query=f"?reauth=1&next=/w/{team.code}/access/{access.code}/",
    )
    assert "Reveal key" in answer.text
    csrf = session.cookies.get("csrftoken")
    shown = session.post(
        reveal_url, data={"csrfmiddlewaretoken": csrf}, headers={"Referer": reveal_url}, timeout=30
    )
    assert shown.status_code == 200
    assert "revealed-after-sso-KEY-123" in shown.text


def test_local_passwords_off_leaves_sso_and_the_break_glass_link(
    live_server, sso_on, team, settings
):
    settings.PORTAL_LOCAL_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "sso.backends.NoPasswordBackend",
        "sso.backends.PortalOIDCBackend",
    ]
    page = requests.get(f"{live_server.url}/accounts/login/", timeout=30)
    assert "Sign in with Test IdP" in page.text
    assert 'name="password"' not in page.text
    client = Client()  # no CSRF check: the refusal must come from the sign-in view itself
    refused = client.post("/accounts/login/", {"username": "founder", "password": "founder-pw-1"})
    assert refused.status_code == 403
    assert "turned off" in refused.content.decode()
    assert client.get("/").status_code == 302  # not signed in

    User.objects.create_superuser("root", password="root-pw-1")
    out = StringIO()
    call_command("sso_break_glass", "root", f"--base-url={live_server.url}", stdout=out)
    link = out.getvalue().strip().splitlines()[-1]
    browser = requests.Session()
    ask = browser.get(link, timeout=30)
    assert ask.status_code == 200 and "root" in ask.text
    used = browser.post(
        link,
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": link},
        timeout=30,
    )
    assert used.status_code == 200 and "sessionid" in browser.cookies
    assert requests.get(link, timeout=30).status_code == 404  # one use only
