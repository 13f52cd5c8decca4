"""What the API reads and writes. Secrets are write-only: no schema here can carry one
out, except the plain-text answer of the audited secret fetch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from ninja import Schema
from pydantic import AfterValidator, Field

from accessportal.headers import request_headers, schemes_for


def _without_nul(value: str) -> str:
    # PostgreSQL's text cannot hold NUL: a query with one fails in the database (a 500)
    # instead of matching nothing. Refused as Django's own form fields refuse it (422).
    try:
        ProhibitNullCharactersValidator()(value)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    return value


# A string a client sends that reaches a query (the list filters).
QueryText = Annotated[str, AfterValidator(_without_nul)]


def _in_utc(value: datetime) -> datetime:
    # ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59): the instant is kept, in UTC.
    return value.astimezone(UTC) if value.tzinfo else value


# A time a client sends that is stored.
Instant = Annotated[datetime, AfterValidator(_in_utc)]

API_KEY_PLACEHOLDER = "<API key>"
TOKEN_PLACEHOLDER = "<IAM token>"


class WorkspaceOut(Schema):
    code: UUID
    name: str
    description: str
    region: str
    project_id: str
    inference_endpoint: str
    iam_endpoint: str


class AuthHeadersOut(Schema):
    version: str
    auth_mode: str
    label: str
    headers: dict[str, str]


def auth_headers(deployment) -> list[dict]:
    """Table 2 of the platform's page for this deployment, with placeholders."""
    rows = []
    for scheme in schemes_for(deployment.versions):
        stand_in = TOKEN_PLACEHOLDER if scheme.auth_mode == "token" else API_KEY_PLACEHOLDER
        rows.append(
            {
                "version": scheme.version,
                "auth_mode": scheme.auth_mode,
                "label": str(scheme.label),
                "headers": request_headers(scheme.version, scheme.auth_mode, stand_in),
            }
        )
    return rows


class DeploymentOut(Schema):
    code: UUID
    name: str
    model_name: str
    source: str
    status: str
    mode: str
    deployment_id: str
    elb_ip: str | None
    elb_port: int | None
    api_url: str
    node_ip: str | None
    host_port: int | None
    versions: list[str]
    v1_path_override: str
    v2_path_override: str
    call_paths: dict[str, str]
    auth_headers: list[AuthHeadersOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_versions(obj) -> list[str]:
        return list(obj.versions)

    @staticmethod
    def resolve_call_paths(obj) -> dict[str, str]:
        return obj.call_paths()

    @staticmethod
    def resolve_auth_headers(obj) -> list[dict]:
        return auth_headers(obj)


class DeploymentIn(Schema):
    """Fields of a deployment; on update, only the fields sent change."""

    name: str | None = Field(None, max_length=100)
    source: Literal["my_service", "preset_service"] | None = None
    status: Literal["deploying", "running", "stopped", "failed"] | None = None
    mode: Literal["cloud", "edge_lb", "edge_node"] | None = None
    deployment_id: str | None = Field(None, max_length=64)
    elb_ip: str | None = Field(None, max_length=45)
    elb_port: int | None = Field(None, ge=1, le=65535)
    api_url: str | None = Field(None, max_length=255)
    node_ip: str | None = Field(None, max_length=45)
    host_port: int | None = Field(None, ge=1, le=65535)
    serves_v1: bool | None = None
    serves_v2: bool | None = None
    model_name: str | None = Field(None, max_length=128)
    v1_path_override: str | None = Field(None, max_length=1000)
    v2_path_override: str | None = Field(None, max_length=1000)


class AccessOut(Schema):
    code: UUID
    name: str
    description: str
    all_services: bool
    deployments: list[UUID]
    key_hint: str = Field(description="The key's mask, never the key.")
    status: Literal["enabled", "disabled", "expired"]
    disabled: bool
    expires_at: datetime | None
    last_used_at: datetime | None
    last_checked_at: datetime | None
    last_check: dict
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_deployments(obj) -> list[UUID]:
        return [d.code for d in obj.deployments.all()]

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class AccessCreateIn(Schema):
    name: str = Field(max_length=100)
    description: str = ""
    all_services: bool = True
    deployments: list[UUID] = Field(default_factory=list, max_length=10_000)
    api_key: str = Field(max_length=512, description="Write-only; stored encrypted.")
    expires_at: Instant | None = None


class AccessUpdateIn(Schema):
    name: str | None = Field(None, max_length=100)
    description: str | None = None
    all_services: bool | None = None
    deployments: list[UUID] | None = Field(None, max_length=10_000)
    expires_at: Instant | None = None
    disabled: bool | None = None


class RotateIn(Schema):
    api_key: str = Field(max_length=512, description="The new key; write-only.")


class CredentialOut(Schema):
    code: UUID
    name: str
    iam_user: str
    domain_name: str
    project_name: str
    created_at: datetime
    updated_at: datetime


class MemberOut(Schema):
    code: UUID
    username: str
    role: str
    created_at: datetime

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.get_username()


class TestCallOut(Schema):
    code: UUID
    deployment: UUID | None
    deployment_name: str
    username: str
    api_version: str
    auth_mode: str
    auth_label: str
    stream: bool
    outcome: str
    status_code: int | None
    error_code: str
    error_message: str
    latency_ms: int | None
    ttft_ms: int | None
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    created_at: datetime

    @staticmethod
    def resolve_deployment(obj) -> UUID | None:
        return obj.deployment.code if obj.deployment_id else None


class TestCallIn(Schema):
    version: Literal["v1", "v2"]
    access: UUID | None = Field(None, description="An application access (API key).")
    credential: UUID | None = Field(None, description="An IAM credential (token, V1 only).")
    body: dict = Field(description="The chat body: messages, temperature, max_tokens, stream…")


class CallErrorOut(Schema):
    code: str
    message: str
    hint: str
    status: int | None


class TestCallResultOut(Schema):
    test_call: UUID
    status: int | None
    outcome: str
    latency_ms: int | None
    ttft_ms: int | None
    finish_reason: str | None
    text: str
    reasoning_content: str | None = Field(
        None, description="What a reasoning model thought before answering (first choice)."
    )
    usage: dict[str, int | None] | None
    error: CallErrorOut | None


class AuditEventOut(Schema):
    code: UUID
    actor: str
    action: str
    target: str
    summary: str
    ip: str | None
    created_at: datetime

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_name
