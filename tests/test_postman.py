"""Postman collections and environments: the format, the downloads, and newman running the
demo workspace's collection against the simulator."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
from django.contrib.auth.models import User
from django.test import Client

from accessportal import postman
from accessportal.demo import seed
from accessportal.snippets import IamLogin, SnippetTarget
from simulator.server import start_background
from simulator.state import DEFAULT_STATE_PATH, load_state
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "postman-collection-v2.1.schema.json").read_text())
NEWMAN = ROOT / "tests" / "node" / "node_modules" / ".bin" / "newman"
STATE = load_state(DEFAULT_STATE_PATH)


def validate(collection: dict) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.Draft7Validator(SCHEMA).validate(collection)


def target(name="Chat", status="running", **fields) -> SnippetTarget:
    base = {
        "model_name": "chat-model",
        "urls": {
            "v1": "https://pangu.example.test/v1/p/deployments/d/chat/completions",
            "v2": "https://pangu.example.test/api/v2/chat/completions",
        },
        "iam": IamLogin("https://iam.example.test", "ops-bot", "acme", "cn-southwest-2"),
        "code": "5f1c2f9e-0000-4000-8000-000000000001",
        "status": status,
        "status_label": status.capitalize(),
    }
    return SnippetTarget(name=name, **(base | fields))


def requests_of(folder: dict) -> dict[str, dict]:
    return {item["name"]: item for item in folder["item"]}


# --- the format ---------------------------------------------------------------------------


def test_a_deployment_collection_is_valid_v2_1_with_a_request_per_version_and_mode():
    data = postman.deployment_collection(target(), workspace_name="Team")
    validate(data)
    assert data["info"]["schema"] == postman.SCHEMA_URL
    iam, folder = data["item"]
    assert iam["name"] == "IAM token" and folder["name"] == "Chat"
    found = requests_of(folder)
    assert list(found) == [
        "V1 · API key (Pangu API)",
        "V1 · IAM token (Pangu API)",
        "V2 · API key (OpenAI-compatible API)",
    ]
    headers = {n: {h["key"]: h["value"] for h in r["request"]["header"]} for n, r in found.items()}
    assert headers["V1 · API key (Pangu API)"]["X-Apig-AppCode"] == "{{api_key}}"
    assert headers["V1 · IAM token (Pangu API)"]["X-Auth-Token"] == "{{auth_token}}"
    assert headers["V2 · API key (OpenAI-compatible API)"]["Authorization"] == "Bearer {{api_key}}"
    assert all(h["Content-Type"] == "application/json" for h in headers.values())
    v2 = found["V2 · API key (OpenAI-compatible API)"]["request"]
    assert json.loads(v2["body"]["raw"])["model"] == "chat-model"
    assert v2["url"]["raw"] == "https://pangu.example.test/api/v2/chat/completions"
    assert v2["url"]["host"] == ["pangu", "example", "test"]
    assert v2["url"]["path"] == ["api", "v2", "chat", "completions"]
    for request in found.values():
        tests = "\n".join(request["event"][0]["script"]["exec"])
        assert "pm.response.to.have.status(200)" in tests
    assert {v["key"] for v in data["variable"]} == {"api_key", "auth_token", "iam_password"}
    assert all(v["value"] == "" for v in data["variable"])


def test_the_iam_request_stores_the_subject_token():
    data = postman.deployment_collection(target(), workspace_name="Team")
    request = data["item"][0]["item"][0]
    assert request["name"] == "Get IAM token"
    assert (
        request["request"]["url"]["raw"] == "https://iam.example.test/v3/auth/tokens?nocatalog=true"
    )
    assert request["request"]["url"]["query"] == [{"key": "nocatalog", "value": "true"}]
    body = json.loads(request["request"]["body"]["raw"])
    user = body["auth"]["identity"]["password"]["user"]
    assert user == {
        "name": "ops-bot",
        "password": "{{iam_password_json}}",
        "domain": {"name": "acme"},
    }
    assert body["auth"]["scope"] == {"project": {"name": "cn-southwest-2"}}
    scripts = {e["listen"]: "\n".join(e["script"]["exec"]) for e in request["event"]}
    assert 'pm.response.headers.get("X-Subject-Token")' in scripts["test"]
    assert 'pm.collectionVariables.set("auth_token", token)' in scripts["test"]
    assert 'pm.environment.set("auth_token", token)' in scripts["test"]
    assert "JSON.stringify(password)" in scripts["prerequest"]


def test_a_v2_only_collection_has_no_iam_request():
    only_v2 = target(urls={"v2": "https://pangu.example.test/api/v2/chat/completions"})
    data = postman.deployment_collection(only_v2, workspace_name="Team")
    validate(data)
    assert [i["name"] for i in data["item"]] == ["Chat"]


def test_workspace_collection_folders_are_unique_and_say_when_not_running():
    targets = [
        target("Chat"),
        target("Chat", model_name="other"),
        target("Old", status="stopped"),
        target("IAM token", model_name="tricky"),
    ]
    data = postman.workspace_collection(
        targets, workspace_name="Team", workspace_code="c0de", iam=targets[0].iam
    )
    validate(data)
    names = [i["name"] for i in data["item"]]
    assert names == ["IAM token", "Chat", "Chat [other]", "Old (stopped)", "IAM token [tricky]"]
    assert "Only running services answer" in data["item"][3]["description"]
    again = postman.workspace_collection(
        targets, workspace_name="Team", workspace_code="c0de", iam=targets[0].iam
    )
    assert again["info"]["_postman_id"] == data["info"]["_postman_id"]  # re-import replaces


def test_url_objects_for_ipv6_edge_and_ports():
    url = postman.url_object("http://[2001:db8::5]:31000/edge/x/api/v2/chat/completions")
    assert url["host"] == ["[2001:db8::5]"] and url["port"] == "31000"
    assert url["path"] == ["edge", "x", "api", "v2", "chat", "completions"]
    assert postman.url_object("http://10.0.0.1:8080/")["path"] == []


def test_environment_has_the_secret_variables_empty():
    env = postman.environment(workspace_name="Team", workspace_code="c0de")
    assert env["_postman_variable_scope"] == "environment"
    assert [(v["key"], v["value"]) for v in env["values"]] == [
        ("api_key", ""),
        ("auth_token", ""),
        ("iam_password", ""),
    ]


# --- the downloads ------------------------------------------------------------------------


def download(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/json")
    return response, json.loads(response.content)


def test_viewers_download_a_deployment_collection(world, viewer_client):
    deployment = factories.make_deployment(world.alpha, name="Pangu chat")
    response, data = download(
        viewer_client, f"/w/{world.alpha.code}/deployments/{deployment.code}/postman/"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="pangu-chat.postman_collection.json"'
    )
    validate(data)
    assert [f["name"] for f in data["item"]] == ["IAM token", "Pangu chat"]


def test_workspace_collection_and_environment_downloads(world, viewer_client):
    factories.make_deployment(world.alpha, name="One")
    factories.make_deployment(world.alpha, name="Two", serves_v2=False)
    factories.make_deployment(world.beta, name="Not ours")
    response, data = download(viewer_client, f"/w/{world.alpha.code}/postman/collection/")
    assert response["Content-Disposition"] == 'attachment; filename="alpha.postman_collection.json"'
    validate(data)
    assert [f["name"] for f in data["item"]] == ["IAM token", "One", "Two"]
    assert data["info"]["name"] == "Alpha"
    response, env = download(viewer_client, f"/w/{world.alpha.code}/postman/environment/")
    assert response["Content-Disposition"] == (
        'attachment; filename="alpha.postman_environment.json"'
    )
    assert all(v["value"] == "" for v in env["values"])


def test_the_iam_request_names_the_workspaces_credential(world, viewer_client):
    factories.make_deployment(world.alpha)
    factories.make_credential(world.alpha, iam_user="robot-user", domain_name="robot-account")
    _, data = download(viewer_client, f"/w/{world.alpha.code}/postman/collection/")
    body = json.loads(data["item"][0]["item"][0]["request"]["body"]["raw"])
    user = body["auth"]["identity"]["password"]["user"]
    assert (user["name"], user["domain"]["name"]) == ("robot-user", "robot-account")


# --- newman against the simulator -------------------------------------------------------------


@pytest.fixture(scope="module")
def sim():
    server = start_background(
        DEFAULT_STATE_PATH, host="127.0.0.1", port=0, first_token_ms=5, chunk_delay_ms=5, chunks=4
    )
    yield server
    server.stop()


def test_newman_runs_the_demo_workspace_collection(db, sim, tmp_path):
    if not NEWMAN.exists():
        pytest.fail(
            f"newman is missing ({NEWMAN.relative_to(ROOT)}): run `bash tests/install-tools.sh` "
            "(it runs `npm ci --prefix tests/node`)."
        )
    workspace = seed(STATE, simulator_url=sim.url, password="x-demo-pass-1").workspace
    client = Client()
    client.force_login(User.objects.get(username="demo-viewer"))
    _, collection = download(client, f"/w/{workspace.code}/postman/collection/")
    _, environment = download(client, f"/w/{workspace.code}/postman/environment/")
    validate(collection)

    # The demo's key for every service and its IAM user's password, in a file of this run only.
    values = {
        "api_key": next(a.key for a in STATE.app_accesses if a.services == "all"),
        "iam_password": STATE.iam_users[0].password,
    }
    for variable in environment["values"]:
        variable["value"] = values.get(variable["key"], "")
    (tmp_path / "collection.json").write_text(json.dumps(collection))
    (tmp_path / "environment.json").write_text(json.dumps(environment))

    # Only the deployments that can answer: stopped, deploying and failed ones fail by
    # design, and the fault-injection ones misbehave on purpose.
    healthy = {
        d.name for d in STATE.deployments if d.running and d.deployment_id not in STATE.faults
    }
    folders = [f["name"] for f in collection["item"]]
    run = ["IAM token", *[name for name in folders if name in healthy]]
    assert len(run) == len(healthy) + 1
    argv = [str(NEWMAN), "run", str(tmp_path / "collection.json")]
    argv += ["-e", str(tmp_path / "environment.json"), "--timeout-request", "20000"]
    argv += ["--reporters", "cli,json", "--reporter-json-export", str(tmp_path / "report.json")]
    for name in run:
        argv += ["--folder", name]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "NO_COLOR": "1"}
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]

    report = json.loads((tmp_path / "report.json").read_text())["run"]
    executed = [(e["item"]["name"], e["response"]["code"]) for e in report["executions"]]
    assert executed[0] == ("Get IAM token", 201)
    expected_requests = 1 + sum(len(f["item"]) for f in collection["item"] if f["name"] in healthy)
    assert len(executed) == expected_requests
    assert all(code == 200 for _, code in executed[1:]), executed
    assert report["stats"]["assertions"]["failed"] == 0
    assert report["stats"]["assertions"]["total"] == 1 + 2 * (expected_requests - 1)
    # The token requests ran with the token the first request stored.
    assert any(name.startswith("V1 · IAM token") for name, _ in executed)
