"""IAM tokens and the API Gateway's authentication checks.

V1 accepts an IAM token (X-Auth-Token) or an API key (X-Apig-AppCode); V2 takes
only an API key as `Authorization: Bearer <key>`. Error messages show keys only
masked, the way the gateway does (`0117***e5e1`).
"""

from __future__ import annotations

import enum
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from simulator.errors import gateway_error, iam_error
from simulator.state import AppAccess, Deployment, IamUser, State
from simulator.wire import Request, Response, json_response

_UNAUTHORIZED = "The request you have made requires authentication."


class TokenStatus(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user: IamUser
    issued_at: datetime
    expires_at: datetime


class TokenStore:
    """Tokens this simulator issued; thread-safe."""

    def __init__(self, ttl_seconds: int) -> None:
        self._ttl = timedelta(seconds=ttl_seconds)
        self._lock = threading.Lock()
        self._tokens: dict[str, IssuedToken] = {}
        self._revoked: set[str] = set()

    def issue(self, user: IamUser) -> IssuedToken:
        # Real IAM tokens are opaque strings of a few kilobytes starting "MII";
        # a long one exercises header-size handling in clients.
        now = datetime.now(UTC)
        issued = IssuedToken("MII" + secrets.token_urlsafe(1536), user, now, now + self._ttl)
        with self._lock:
            self._tokens[issued.token] = issued
        return issued

    def check(self, token: str) -> TokenStatus:
        with self._lock:
            issued = self._tokens.get(token)
            revoked = token in self._revoked
        if issued is None:
            return TokenStatus.UNKNOWN
        if revoked:
            return TokenStatus.REVOKED
        if issued.expires_at <= datetime.now(UTC):
            return TokenStatus.EXPIRED
        return TokenStatus.VALID

    def revoke_all(self) -> int:
        with self._lock:
            fresh = self._tokens.keys() - self._revoked
            self._revoked.update(fresh)
        return len(fresh)


def mask_key(key: str) -> str:
    """The gateway's masked form; short values are hidden completely."""
    return f"{key[:4]}***{key[-4:]}" if len(key) >= 16 else "***"


def _iam_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def issue_iam_token(state: State, tokens: TokenStore, request: Request) -> Response:
    """POST /v3/auth/tokens with the password method."""
    domain, name, password, project = _parse_password_auth(request.body)
    user = state.iam_user(domain, name)
    # Same answer for unknown user and wrong password: IAM does not reveal which.
    if user is None or not secrets.compare_digest(user.password.encode(), password.encode()):
        raise iam_error(401, _UNAUTHORIZED)
    if project not in (None, state.region, state.project_id):
        raise iam_error(400, f"Invalid scope: project {project!r} not found.")
    issued = tokens.issue(user)
    token: dict[str, Any] = {
        "expires_at": _iam_time(issued.expires_at),
        "issued_at": _iam_time(issued.issued_at),
        "methods": ["password"],
        "project": {"name": state.region, "id": state.project_id, "domain": {"name": domain}},
        "user": {"name": user.name, "domain": {"name": user.domain}},
    }
    if request.query.get("nocatalog", "").lower() != "true":
        token["catalog"] = []
    return json_response(201, {"token": token}, [("X-Subject-Token", issued.token)])


def _parse_password_auth(body: bytes) -> tuple[str, str, str, str | None]:
    """(domain, user, password, scoped project name or id) from the documented body."""
    try:
        payload = json.loads(body)
        identity = payload["auth"]["identity"]
        if "password" not in identity["methods"]:
            raise ValueError("password method required")
        user = identity["password"]["user"]
        values = (user["domain"]["name"], user["name"], user["password"])
        scope = payload["auth"].get("scope") or {}
        project = scope.get("project") if isinstance(scope, dict) else None
        project_ref = None
        if project is not None:
            project_ref = project.get("name") or project.get("id")
            if not isinstance(project_ref, str):
                raise ValueError("project scope needs a name or id")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise iam_error(400, "The request body is malformed.") from exc
    if not all(isinstance(v, str) and v for v in values):
        raise iam_error(400, "The request body is malformed.")
    return (*values, project_ref)


def authenticate_v1(state: State, tokens: TokenStore, request: Request) -> AppAccess | None:
    """The key's application access, or None when a valid IAM token was used."""
    app_code = request.header("X-Apig-AppCode")
    if app_code is not None:
        return _access_for(state, app_code)
    token = request.header("X-Auth-Token")
    if token is None:
        raise gateway_error(
            401,
            "APIG.0301",
            "Incorrect IAM authentication information: token and app code are missing.",
        )
    status = tokens.check(token)
    if status is TokenStatus.REVOKED:
        raise gateway_error(401, "APIG.0307", "The token must be updated.")
    if status is not TokenStatus.VALID:
        raise gateway_error(
            401,
            "APIG.0301",
            f"Incorrect IAM authentication information: token {status.value}.",
        )
    return None


def authenticate_v2(state: State, request: Request) -> AppAccess:
    authorization = request.header("Authorization")
    if authorization is None:
        detail = (
            "token authentication is not supported on V2, use Authorization: Bearer <API key>"
            if request.header("X-Auth-Token") is not None
            else "Authorization header is missing"
        )
        raise gateway_error(
            401, "APIG.0303", f"Incorrect app authentication information: {detail}."
        )
    scheme, _, key = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise gateway_error(
            401,
            "APIG.0303",
            "Incorrect app authentication information: expected Authorization: Bearer <API key>.",
        )
    return _access_for(state, key.strip())


def _access_for(state: State, key: str) -> AppAccess:
    access = state.access_for_key(key) if key else None
    if access is None:
        shown = f"appkey {mask_key(key)}" if key else "app code is empty"
        raise gateway_error(
            401, "APIG.0303", f"Incorrect app authentication information: app not found, {shown}"
        )
    return access


def require_scope(access: AppAccess | None, deployment: Deployment) -> None:
    """APIG.0304 when an API key is not bound to this deployment (tokens see everything)."""
    if access is not None and not access.covers(deployment.deployment_id):
        raise gateway_error(
            403,
            "APIG.0304",
            f"The app is not authorized to access the API: appkey {mask_key(access.key)}",
        )
