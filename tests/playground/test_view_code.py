"""*View code*: the playground's request as snippets, from the deployment page's module."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accessportal import snippets
from chat.models import TestCall
from tests.playground_helpers import auth_of


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def member(demo):
    return client_of("demo-member")


def view_code(client, workspace, *, deployment, version="v1", auth, body):
    return client.post(
        f"/w/{workspace.code}/playground/code/",
        {
            "deployment": str(deployment.code),
            "version": version,
            "auth": auth,
            "body": body if isinstance(body, str) else json.dumps(body),
        },
    )


def chat_deployment(demo):
    return demo.deployments.get(name="Pangu NLP chat")


def v2_deployment(demo):
    return next(d for d in demo.deployments.all() if "v2" in d.versions and d.is_callable)


def test_the_code_is_the_request_on_the_form_and_no_call_is_made(demo, member):
    body = {
        "messages": [
            {"role": "system", "content": "Answer in one line."},
            {"role": "user", "content": "It's $HOME `id`\nsecond line 长江"},
        ],
        "temperature": 0.3,
        "max_tokens": 40,
    }
    deployment = chat_deployment(demo)
    response = view_code(
        member,
        demo,
        deployment=deployment,
        auth=auth_of(demo.accesses.get(name="team-all")),
        body=body,
    )
    assert response.status_code == 200
    data = response.json()
    assert [t["language"] for t in data["tabs"]] == ["curl", "python", "node"]  # no SDK on V1
    assert data["stream"] is False
    target = snippets.target_for(deployment)
    for tab in data["tabs"]:
        variant = snippets.Variant(tab["language"], "v1", "api_key", False)
        # The same module, the same code: only the body is the form's.
        assert tab["code"] == snippets.snippet(target, variant, body)
        assert snippets.API_KEY_ENV in tab["code"]
    python = next(t["code"] for t in data["tabs"] if t["language"] == "python")
    assert "'max_tokens': 40" in python or '"max_tokens": 40' in python
    assert not TestCall.objects.exists()


def test_v2_streams_offer_the_sdk_with_the_catalogs_model(demo, member):
    deployment = v2_deployment(demo)
    response = view_code(
        member,
        demo,
        deployment=deployment,
        version="v2",
        auth=auth_of(demo.accesses.get(name="team-all")),
        body={"messages": [{"role": "user", "content": "hi"}], "stream": True},
    )
    assert response.status_code == 200, response.content
    tabs = {t["language"]: t for t in response.json()["tabs"]}
    assert list(tabs) == ["curl", "python", "openai", "node"]
    assert tabs["openai"]["id"] == "snippet-openai-v2-key-stream"
    assert f"model={snippets.py_literal(deployment.model_name)}" in tabs["openai"]["code"]
    assert "stream=True" in tabs["openai"]["code"]


def test_token_mode_signs_in_as_the_chosen_credential(demo, member):
    credential = demo.iam_credentials.first()
    response = view_code(
        member,
        demo,
        deployment=chat_deployment(demo),
        auth=auth_of(credential=credential),
        body={"messages": [{"content": "hi"}]},
    )
    assert response.status_code == 200
    for tab in response.json()["tabs"]:
        assert credential.iam_user in tab["code"]
        assert snippets.IAM_PASSWORD_ENV in tab["code"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"body": "{not json"}, "body"),
        ({"body": json.dumps({"messages": []})}, "body"),
        ({"version": "v9"}, "version"),
        ({"auth": "nonsense"}, "auth"),
    ],
    ids=["bad-json", "no-messages", "bad-version", "bad-auth"],
)
@pytest.mark.parametrize("endpoint", ["code", "send"])
def test_bad_input_is_a_clear_400(demo, member, change, field, endpoint):
    form = {
        "deployment": str(chat_deployment(demo).code),
        "version": "v1",
        "auth": auth_of(demo.accesses.get(name="team-all")),
        "body": json.dumps({"messages": [{"content": "hi"}]}),
    } | change
    response = member.post(f"/w/{demo.code}/playground/{endpoint}/", form)
    assert response.status_code == 400  # "auth" without a colon was a 500 on both
    errors = response.json()["errors"]
    assert errors[field][0]["message"]


def test_v2_with_a_token_is_refused_as_send_refuses_it(demo, member):
    deployment = v2_deployment(demo)
    response = view_code(
        member,
        demo,
        deployment=deployment,
        version="v2",
        auth=auth_of(credential=demo.iam_credentials.first()),
        body={"messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 400
    assert "V2" in response.json()["errors"]["auth"][0]["message"]


def test_codes_outside_the_workspace_are_404(demo, member):
    response = view_code(
        member,
        demo,
        deployment=type("D", (), {"code": uuid.uuid4()}),
        auth=auth_of(demo.accesses.get(name="team-all")),
        body={"messages": [{"content": "x"}]},
    )
    assert response.status_code == 404


def test_who_may_view_code_is_who_may_use_the_playground(demo):
    form = {
        "deployment": str(chat_deployment(demo).code),
        "version": "v1",
        "auth": auth_of(demo.accesses.get(name="team-all")),
        "body": json.dumps({"messages": [{"content": "hi"}]}),
    }
    url = f"/w/{demo.code}/playground/code/"
    assert client_of("demo-viewer").get(f"/w/{demo.code}/playground/").status_code == 403
    assert client_of("demo-viewer").post(url, form).status_code == 403
    assert client_of("demo-member").get(url).status_code == 405
    assert Client().post(url, form).status_code == 302  # to sign in


def test_the_canary_key_is_in_no_answer(demo, member):
    canary = f"CANARY{uuid.uuid4().hex}"
    team = demo.accesses.get(name="team-all")
    team.set_api_key(canary)
    team.save()
    response = view_code(
        member,
        demo,
        deployment=chat_deployment(demo),
        auth=auth_of(team),
        body={"messages": [{"content": "hi"}], "stream": True},
    )
    assert response.status_code == 200
    assert canary not in response.content.decode()
