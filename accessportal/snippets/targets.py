"""What a snippet depends on: the deployment's URLs and IAM login, and the variants
(by language, version, auth mode and streaming) it offers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from accessportal.callpaths import V2
from accessportal.examples import example_body
from accessportal.headers import API_KEY, AUTH_MODES, TOKEN

if TYPE_CHECKING:
    from accessportal.models import Deployment, IamCredential

API_KEY_ENV = "PANGU_API_KEY"
AUTH_TOKEN_ENV = "PANGU_AUTH_TOKEN"
IAM_PASSWORD_ENV = "PANGU_IAM_PASSWORD"

CURL = "curl"
PYTHON = "python"
OPENAI = "openai"
NODE = "node"
LANGUAGES: dict[str, str] = {
    CURL: "curl",
    PYTHON: "Python (requests)",
    OPENAI: "OpenAI Python SDK",
    NODE: "Node (fetch)",
}

# Shown in the IAM request when the workspace has no IAM credential to take them from.
IAM_USER_PLACEHOLDER = "<IAM user name>"
IAM_DOMAIN_PLACEHOLDER = "<account name>"

CHAT_SUFFIX = "/chat/completions"
TIMEOUT_SECONDS = 60


# --- the values a snippet depends on ----------------------------------------------------


@dataclass(frozen=True)
class IamLogin:
    """Who asks IAM for a token (not the password: that comes from the environment)."""

    endpoint: str
    user: str = IAM_USER_PLACEHOLDER
    domain: str = IAM_DOMAIN_PLACEHOLDER
    project: str = ""

    @property
    def token_url(self) -> str:
        # nocatalog leaves the (large, unused) service catalog out of the answer.
        return self.endpoint.strip().rstrip("/") + "/v3/auth/tokens?nocatalog=true"


@dataclass(frozen=True)
class SnippetTarget:
    """One deployment as the snippets see it, detached from the database."""

    name: str
    model_name: str
    urls: Mapping[str, str] = field(hash=False)  # version → call URL, V1 first
    iam: IamLogin
    code: str = ""
    status: str = "running"
    status_label: str = "Running"
    mode_label: str = "Cloud"

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(self.urls)

    @property
    def is_callable(self) -> bool:
        return self.status == "running"


def iam_login_for(workspace, credential: IamCredential | None = None) -> IamLogin:
    """The workspace's IAM endpoint with the user of ``credential`` (placeholders without)."""
    if credential is None:
        return IamLogin(endpoint=workspace.iam_endpoint, project=workspace.region)
    return IamLogin(
        endpoint=workspace.iam_endpoint,
        user=credential.iam_user,
        domain=credential.domain_name,
        project=credential.project_name or workspace.region,
    )


def target_for(deployment: Deployment, credential: IamCredential | None = None) -> SnippetTarget:
    """The plain values of ``deployment``; ``credential`` names the IAM user of token snippets."""
    return SnippetTarget(
        name=deployment.name,
        model_name=deployment.model_name,
        urls=deployment.call_paths(),
        iam=iam_login_for(deployment.workspace, credential),
        code=str(deployment.code),
        status=deployment.status,
        status_label=str(deployment.get_status_display()),
        mode_label=str(deployment.get_mode_display()),
    )


def iam_token_body(iam: IamLogin, password: Any) -> dict:
    """The documented password-method body of ``POST /v3/auth/tokens``."""
    body: dict = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": iam.user, "password": password, "domain": {"name": iam.domain}}
                },
            }
        }
    }
    if iam.project:
        body["auth"]["scope"] = {"project": {"name": iam.project}}
    return body


def openai_base_url(url: str) -> str | None:
    """The SDK's ``base_url`` for a V2 call URL (the SDK appends /chat/completions)."""
    parts = urlsplit(url)
    if parts.query or parts.fragment or not parts.path.endswith(CHAT_SUFFIX):
        return None
    return url[: -len(CHAT_SUFFIX)]


# --- variants ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    language: str
    version: str
    auth_mode: str
    stream: bool = False

    @property
    def slug(self) -> str:
        auth = "token" if self.auth_mode == TOKEN else "key"
        return f"{self.language}-{self.version}-{auth}-{'stream' if self.stream else 'once'}"

    @property
    def title(self) -> str:
        """What the Code panel calls the variant, in the active language."""
        auth = _("IAM token") if self.auth_mode == TOKEN else _("API key")
        shape = (
            _("%(version)s + %(auth)s, streaming") if self.stream else _("%(version)s + %(auth)s")
        )
        return shape % {"version": self.version.upper(), "auth": auth}


def auth_modes(version: str) -> tuple[str, ...]:
    """The version's authentication modes, the API key (simplest) first."""
    return tuple(sorted(AUTH_MODES[version], key=lambda mode: mode != API_KEY))


def variants(target: SnippetTarget) -> list[Variant]:
    """Every snippet the deployment supports, by language, then version, auth mode, stream."""
    found = []
    for language in LANGUAGES:
        for version in target.versions:
            for auth_mode in auth_modes(version):
                if language == OPENAI and (
                    version != V2 or openai_base_url(target.urls[version]) is None
                ):
                    continue  # the SDK speaks the OpenAI-compatible API only
                for stream in (False, True):
                    found.append(Variant(language, version, auth_mode, stream))
    return found


def request_body(target: SnippetTarget, variant: Variant, body: Mapping | None = None) -> dict:
    """The body a snippet sends: the seed's example (or ``body``), streaming or not."""
    sent = dict(body) if body is not None else example_body(variant.version, target.model_name)
    if variant.stream:
        sent["stream"] = True
    else:
        sent.pop("stream", None)
    return sent
