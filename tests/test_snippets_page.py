"""The deployment page's Code panel: the variants the deployment supports, copy buttons, no
script of its own, and never a key or password."""

from __future__ import annotations

import html
import re
import uuid

from django.template.loader import render_to_string

from accessportal.snippets import IamLogin, SnippetTarget, code_panel
from accessportal.views.snippets import code_panel_context
from tests import factories


def page(client, world, deployment) -> str:
    response = client.get(f"/w/{world.alpha.code}/deployments/{deployment.code}/")
    assert response.status_code == 200
    return response.content.decode()


def snippet_ids(body: str) -> set[str]:
    return set(re.findall(r'<code id="(snippet-[a-z0-9-]+)"', body))


def test_a_v1_and_v2_deployment_shows_every_language_and_variant(world, viewer_client):
    deployment = factories.make_deployment(world.alpha, name="Both")
    body = page(viewer_client, world, deployment)
    assert 'id="code-heading">Code</h3>' in body
    for label in ("curl", "Python (requests)", "OpenAI Python SDK", "Node (fetch)"):
        assert f"<summary><strong>{label}</strong></summary>" in body
    ids = snippet_ids(body)
    assert len(ids) == 20
    assert "snippet-openai-v2-key-stream" in ids and "snippet-curl-v1-token-once" in ids
    # Every snippet has its copy button.
    for dom_id in ids:
        assert f'data-copy="{dom_id}"' in body
    assert "<summary>V1 + IAM token, streaming</summary>" in body


def test_a_v1_only_deployment_shows_no_v2_or_openai_variant(world, viewer_client):
    deployment = factories.make_deployment(world.alpha, name="Old", serves_v2=False)
    body = page(viewer_client, world, deployment)
    ids = snippet_ids(body)
    assert len(ids) == 12
    assert not any("-v2-" in i or i.startswith("snippet-openai") for i in ids)
    assert "OpenAI Python SDK" not in body
    assert "/api/v2/chat/completions" not in body


def test_the_snippets_are_the_generators_text_escaped(world, viewer_client):
    deployment = factories.make_deployment(
        world.alpha, name='<b>Tom\'s</b> "chat"', model_name="m<script>x</script>"
    )
    body = page(viewer_client, world, deployment)
    assert "<script>x</script>" not in body
    code = re.search(r'<code id="snippet-curl-v2-key-once">(.*?)</code>', body, re.S).group(1)
    panel = code_panel_context(deployment)["tabs"][0].snippets
    expected = next(s.code for s in panel if s.dom_id == "snippet-curl-v2-key-once")
    assert html.unescape(code) == expected


def test_the_panel_has_no_inline_script_or_style():
    rendered = render_to_string("accessportal/_code_panel.html", plain_panel_context())
    assert "<script" not in rendered
    assert " style=" not in rendered
    assert not re.search(r"\son[a-z]+=", rendered)  # no inline event handlers
    assert "<details" in rendered and "<summary>" in rendered  # works without JavaScript


def plain_panel_context() -> dict:
    """A panel context built from plain values only."""
    target = SnippetTarget(
        "Chat",
        "chat",
        {"v1": "https://h/v1/p/deployments/d/chat/completions"},
        IamLogin("https://iam.h"),
    )
    return {
        "deployment": {"code": uuid.uuid4()},
        "workspace": {"code": uuid.uuid4()},
        "tabs": code_panel(target),
        "has_credential": False,
        "env": {"api_key": "K", "auth_token": "T", "iam_password": "P"},
    }


def test_token_snippets_name_the_credentials_user_or_placeholders(world, viewer_client):
    deployment = factories.make_deployment(world.alpha)
    body = page(viewer_client, world, deployment)
    assert "No IAM credential is registered" in body
    assert html.escape("<IAM user name>") in body
    factories.make_credential(world.alpha, iam_user="robot-user", domain_name="robot-account")
    body = page(viewer_client, world, deployment)
    assert "No IAM credential is registered" not in body
    assert "robot-user" in body and "robot-account" in body


def test_the_page_links_the_postman_downloads(world, viewer_client):
    deployment = factories.make_deployment(world.alpha)
    body = page(viewer_client, world, deployment)
    ws = f"/w/{world.alpha.code}"
    assert f'href="{ws}/deployments/{deployment.code}/postman/" download' in body
    assert f'href="{ws}/postman/collection/" download' in body
    assert f'href="{ws}/postman/environment/" download' in body


def test_canary_key_and_password_never_reach_the_page_or_the_downloads(world):
    key, password = f"CANARY{uuid.uuid4().hex}", f"CANARYPW{uuid.uuid4().hex}"
    deployment = factories.make_deployment(world.alpha)
    factories.make_access(world.alpha, key=key)
    factories.make_access(world.alpha, key=key + "x", deployments=[deployment])
    factories.make_credential(world.alpha, password=password)
    ws = f"/w/{world.alpha.code}"
    urls = [
        f"{ws}/deployments/{deployment.code}/",
        f"{ws}/deployments/{deployment.code}/postman/",
        f"{ws}/postman/collection/",
        f"{ws}/postman/environment/",
    ]
    for user in (world.admin, world.member, world.viewer):
        client = world.client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            assert key not in text and password not in text, (user, url)
            assert key[:12] not in text  # not even a long prefix of it
