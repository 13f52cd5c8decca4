"""Small things a new user meets: /favicon.ico answers, an empty value reads as one (not a
stray mark), and the 403 page leads back to the workspace."""

from __future__ import annotations

import re
import struct
from pathlib import Path

from django.test import Client

from accessportal.models import Role
from chat.models import Outcome, TestCall
from tests import factories

BASE_DIR = Path(__file__).resolve().parent.parent
NONE = re.compile(
    r'<span class="none"><span aria-hidden="true">—</span>'
    r'<span class="visually-hidden">([^<]+)</span></span>'
)


def test_favicon_ico_answers_with_the_portals_icon(db):
    response = Client().get("/favicon.ico")  # no sign-in
    assert response.status_code == 302
    assert response["Location"].endswith("/img/favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]
    icon = (BASE_DIR / "static/img/favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", icon[:6])
    width, height = icon[6], icon[7]
    size, offset = struct.unpack("<II", icon[14:22])
    assert (reserved, kind, count, width, height) == (0, 1, 1, 32, 32)  # one icon, 32 by 32
    assert icon[offset : offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + size == len(icon)


def test_empty_values_read_as_words_not_a_stray_dash(world, admin_client):
    ws = world.alpha
    bare = factories.make_deployment(ws, model_name="", deployment_id="", serves_v2=False)
    factories.make_access(ws, name="orphan", deployments=[])  # scoped to no deployment
    factories.make_credential(ws, name="robot")  # created by nobody still in the portal
    TestCall.objects.create(
        workspace=ws,
        deployment_name=bare.name,
        username="admin",
        api_version="v1",
        auth_mode="key",
        auth_label="orphan (sk-…)",
        outcome=Outcome.ABORTED,
    )
    pages = {
        "deployment": f"/w/{ws.code}/deployments/{bare.code}/",
        "deployments": f"/w/{ws.code}/deployments/",
        "accesses": f"/w/{ws.code}/access/",
        "credentials": f"/w/{ws.code}/credentials/",
        "history": f"/w/{ws.code}/playground/history/",
    }
    said = {}
    for name, url in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<code>—</code>" not in html and "— ms" not in html and "— Stopped" not in html
        said[name] = NONE.findall(html)
    assert said["deployment"] == ["not set", "not set"]  # model name, deployment ID
    assert "not set" in said["deployments"]
    assert {"no services", "unknown user"} <= set(said["accesses"])
    assert said["credentials"] == ["unknown user"]
    assert said["history"] == ["not set"] * 3  # latency, first token, tokens
    css = (BASE_DIR / "static/css/portal.css").read_text()
    assert re.search(r"^\.none \{ color: var\(--muted\); \}", css, re.M)


def test_the_403_page_leads_back_to_the_workspace(world, viewer_client):
    response = viewer_client.get(f"/w/{world.alpha.code}/access/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert f'href="/w/{world.alpha.code}/"' in html and "Back to Alpha" in html
    assert 'href="/"' in html and "Back to My Spaces" in html


def test_the_403_page_outside_a_workspace_leads_to_my_spaces(world, viewer_client):
    response = viewer_client.get("/workspaces/new/")  # staff only
    assert response.status_code == 403
    html = response.content.decode()
    assert "Back to My Spaces" in html and "Back to Alpha" not in html


def test_a_member_who_may_not_act_is_not_told_more_than_before(world):
    factories.add_member(world.beta, world.viewer, Role.VIEWER)
    response = world.client_for(world.viewer).get(f"/w/{world.beta.code}/access/new/")
    assert response.status_code == 403 and "Back to Beta" in response.content.decode()
