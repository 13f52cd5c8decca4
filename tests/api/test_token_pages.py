"""People manage their tokens on their profile; admins see and revoke the ones that
reach their workspace. The token text is shown once and stored only as a hash."""

from __future__ import annotations

import re

from accessportal.models import AuditAction, AuditEvent
from api import tokens
from api.models import ApiToken
from tests import factories
from tests.api.conftest import ApiClient, issue

TOKEN_RE = re.compile(tokens.SCANNER_REGEX)


def create(client, **fields):
    data = {"name": "deploy", "lifetime": "30"} | fields
    return client.post("/profile/tokens/", data)


def test_a_new_token_is_shown_once_and_works(world):
    client = world.client_for(world.member)
    answer = create(client, can_write="on", workspaces=[world.alpha.pk])
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]
    text = TOKEN_RE.search(answer.content.decode()).group(0)
    row = ApiToken.objects.get()
    assert row.digest == tokens.digest(text) and text not in (row.prefix, row.digest)
    assert row.scopes == ["read", "write"]
    assert list(row.workspaces.all()) == [world.alpha]
    listing = client.get("/profile/tokens/").content.decode()
    assert row.prefix in listing and text not in listing
    assert ApiClient(text).get("/api/v1/workspaces").status_code == 200
    created = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATE)
    assert created.workspace == world.alpha and row.prefix in created.summary


def test_the_secrets_scope_needs_an_expiry_and_keys_inside_the_workspaces(world):
    client = world.client_for(world.admin)
    never = create(client, can_read_secrets="on", lifetime="never")
    assert never.status_code == 400
    assert "must expire" in never.content.decode()
    beta_key = factories.make_access(world.beta)
    outside = create(client, can_read_secrets="on", accesses=[beta_key.pk])
    assert outside.status_code == 400  # not an admin of Beta: not a choice at all
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_own_token_and_no_one_elses(world):
    mine, text = issue(world.member)
    theirs, _ = issue(world.viewer)
    member = world.client_for(world.member)
    assert member.post(f"/profile/tokens/{theirs.code}/revoke/").status_code == 404
    assert member.post(f"/profile/tokens/{mine.code}/revoke/").status_code == 302
    assert ApiClient(text).get("/api/v1/workspaces").status_code == 401
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_admins_see_and_revoke_the_tokens_that_reach_their_workspace(world):
    reaching, text = issue(world.member, name="member ci")
    elsewhere, _ = issue(world.outsider, name="outsider ci")
    issue(world.admin, name="beta only", workspaces=[world.beta])
    admin = world.client_for(world.admin)
    page = admin.get(f"/w/{world.alpha.code}/tokens/").content.decode()
    assert "member ci" in page
    assert "outsider ci" not in page and "beta only" not in page
    url = f"/w/{world.alpha.code}/tokens/{elsewhere.code}/revoke/"
    assert admin.post(url).status_code == 404
    assert admin.post(f"/w/{world.alpha.code}/tokens/{reaching.code}/revoke/").status_code == 302
    assert ApiClient(text).get("/api/v1/workspaces").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKE)
    assert event.actor == world.admin and event.workspace == world.alpha
