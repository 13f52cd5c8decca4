"""API personas: a token for any user, with the scopes a test needs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api import tokens
from api.models import ApiToken


class ApiClient:
    """A test client that sends one bearer token and speaks JSON."""

    def __init__(self, text: str | None) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {text}"} if text else {}

    def request(self, method: str, path: str, body=None, **extra):
        kwargs = dict(self.headers, **extra)
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(self.client, method.lower())(path, **kwargs)

    def get(self, path: str, **extra):
        return self.request("GET", path, **extra)

    def post(self, path: str, body=None, **extra):
        return self.request("POST", path, body if body is not None else {}, **extra)

    def patch(self, path: str, body=None, **extra):
        return self.request("PATCH", path, body if body is not None else {}, **extra)

    def delete(self, path: str, **extra):
        return self.request("DELETE", path, **extra)


def issue(user, *, write=False, secrets=False, workspaces=(), accesses=(), **fields):
    text = tokens.generate()
    if secrets:
        fields.setdefault("expires_at", timezone.now() + timedelta(days=1))
    token = ApiToken.objects.create(
        user=user,
        name=fields.pop("name", "test token"),
        prefix=tokens.visible_prefix(text),
        digest=tokens.digest(text),
        can_write=write,
        can_read_secrets=secrets,
        **fields,
    )
    token.workspaces.set(workspaces)
    token.accesses.set(accesses)
    return token, text


@pytest.fixture
def api_for(db) -> Callable[..., ApiClient]:
    """``api_for(user, write=True)``: a client holding a fresh token of ``user``."""

    def make(user, **scopes) -> ApiClient:
        return ApiClient(issue(user, **scopes)[1])

    return make


def ws_url(workspace, rest: str = "") -> str:
    return f"/api/v1/workspaces/{workspace.code}{rest}"
