"""IAM: POST /v3/auth/tokens, and using, expiring and revoking the tokens on V1."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

IAM_401 = {
    "error": {
        "code": 401,
        "title": "Unauthorized",
        "message": "The request you have made requires authentication.",
    }
}


def _iam_time(value: str) -> datetime:
    assert value.endswith("Z")
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def test_password_auth_issues_a_token(api: Any) -> None:
    response = api.iam()
    assert response.status_code == 201
    token = response.headers["X-Subject-Token"]
    assert len(token) > 1000  # opaque and long, like real ones
    assert token not in response.text
    body = response.json()["token"]
    assert body["methods"] == ["password"]
    assert body["project"]["name"] == "cn-southwest-2"
    assert body["project"]["id"] == "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert body["user"]["name"] == "ops-bot"
    assert body["user"]["domain"]["name"] == "acme"
    assert body["catalog"] == []
    lifetime = _iam_time(body["expires_at"]) - _iam_time(body["issued_at"])
    assert lifetime == timedelta(hours=24)
    assert abs(_iam_time(body["issued_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert api.token() != token  # every call gets a fresh token


def test_nocatalog_leaves_the_catalog_out(api: Any) -> None:
    response = api.iam(query="?nocatalog=true")
    assert response.status_code == 201
    assert "catalog" not in response.json()["token"]


@pytest.mark.parametrize(
    "user",
    [
        {"name": "ops-bot", "password": "wrong-password", "domain": {"name": "acme"}},
        {"name": "nobody", "password": "Pw0rdOfTheOpsBot77", "domain": {"name": "acme"}},
        {"name": "ops-bot", "password": "Pw0rdOfTheOpsBot77", "domain": {"name": "other"}},
    ],
)
def test_wrong_credentials_are_401(api: Any, user: dict[str, Any]) -> None:
    response = api.iam(user=user)
    assert response.status_code == 401
    assert response.json() == IAM_401
    assert "X-Subject-Token" not in response.headers


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"auth": {}}',
        b'{"auth": {"identity": {"methods": ["token"], "password": {}}}}',
        b'{"auth": {"identity": {"methods": ["password"], '
        b'"password": {"user": {"name": "ops-bot"}}}}}',
        b'{"auth": {"identity": {"methods": ["password"], "password": {"user": '
        b'{"name": 5, "password": "x", "domain": {"name": "acme"}}}}}}',
    ],
)
def test_malformed_body_is_400(api: Any, body: bytes) -> None:
    response = api.http.post(
        f"{api.sim.url}/v3/auth/tokens", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400
    assert error["title"] == "Bad Request"
    assert error["message"]


def test_token_calls_v1(api: Any) -> None:
    response = api.v1("chat-model", headers={"X-Auth-Token": api.token()})
    assert response.status_code == 200
    assert response.json()["object"] == "chat.completion"


def test_unknown_token_is_apig_0301(api: Any) -> None:
    response = api.v1("chat-model", headers={"X-Auth-Token": "MIIforged"})
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIG.0301"


def test_revoked_tokens_get_apig_0307(start_sim: Any) -> None:
    api = start_sim()
    before, other = api.token(), api.token()
    assert api.v1("chat-model", headers={"X-Auth-Token": before}).status_code == 200
    revoked = api.sim_post("revoke-tokens")
    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": 2}
    for token in (before, other):
        response = api.v1("chat-model", headers={"X-Auth-Token": token})
        assert response.status_code == 401
        body = response.json()
        assert body["error_code"] == "APIG.0307"
        assert token not in response.text
    # A fresh token works again: the retry-once strategy clients use.
    assert api.v1("chat-model", headers={"X-Auth-Token": api.token()}).status_code == 200


def test_expired_token_is_apig_0301(start_sim: Any, state_dict: dict[str, Any]) -> None:
    api = start_sim(state={**state_dict, "token_ttl_seconds": 1})
    token = api.token()
    assert api.v1("chat-model", headers={"X-Auth-Token": token}).status_code == 200
    deadline = time.monotonic() + 30
    while (response := api.v1("chat-model", headers={"X-Auth-Token": token})).status_code == 200:
        assert time.monotonic() < deadline, "the token never expired"
        time.sleep(0.1)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIG.0301"
