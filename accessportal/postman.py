"""Postman collections (format v2.1) and a matching environment, from snippet targets.

A collection has a folder per deployment and a request per API version and authentication
mode, each with the seed's example body, headers that read ``{{api_key}}`` or
``{{auth_token}}``, and a test that expects HTTP 200 with a reply. A first folder holds the
IAM token request; its test stores the ``X-Subject-Token`` response header in
``auth_token``. Nothing secret is in a collection: the key, token and IAM password are
variables the user fills in, best in the environment file (Postman keeps environment values
out of shared collections, and an environment's value wins over the collection's).

Pure functions over ``snippets.SnippetTarget`` values; the views only serialise the result.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

from accessportal.callpaths import V1, V2
from accessportal.examples import example_body
from accessportal.headers import CONTENT_TYPE, TOKEN, scheme_for
from accessportal.snippets import IamLogin, SnippetTarget, auth_modes, iam_token_body

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
# Stable ids: importing a newer download replaces the collection instead of adding a copy.
ID_NAMESPACE = uuid.UUID("6c1d4a57-3f0e-4d0b-9a43-2f4a0cf1d7e2")

API_KEY_VAR = "api_key"
AUTH_TOKEN_VAR = "auth_token"
IAM_PASSWORD_VAR = "iam_password"
SECRET_VARIABLES = {
    API_KEY_VAR: "The application access's API key (V1 X-Apig-AppCode, V2 Bearer).",
    AUTH_TOKEN_VAR: "An IAM token for V1 token authentication; 'Get IAM token' fills it.",
    IAM_PASSWORD_VAR: "The IAM user's password, used only by 'Get IAM token'.",
}
IAM_FOLDER = "IAM token"
IAM_REQUEST = "Get IAM token"


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))


def _script(listen: str, lines: list[str]) -> dict:
    return {"listen": listen, "script": {"type": "text/javascript", "exec": lines}}


def url_object(raw: str) -> dict:
    """A URL broken down the way Postman stores it (it sends from the parts, not ``raw``)."""
    parts = urlsplit(raw)
    netloc = parts.netloc.rpartition("@")[2]
    if netloc.startswith("["):  # an IPv6 literal keeps its brackets, as one host part
        host_text, _, port = netloc[1:].partition("]")
        host, port = [f"[{host_text}]"], port.lstrip(":")
    else:
        host_text, _, port = netloc.partition(":")
        host = host_text.split(".")
    url: dict = {"raw": raw, "protocol": parts.scheme, "host": host}
    if port:
        url["port"] = port
    url["path"] = parts.path.lstrip("/").split("/") if parts.path.strip("/") else []
    if parts.query:
        url["query"] = [
            {"key": k, "value": v} for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
    return url


def _json_body(body: dict) -> dict:
    return {
        "mode": "raw",
        "raw": json.dumps(body, indent=2, ensure_ascii=False),
        "options": {"raw": {"language": "json"}},
    }


CHAT_TESTS = [
    'pm.test("the deployment answers HTTP 200", function () {',
    "    pm.response.to.have.status(200);",
    "});",
    'pm.test("the answer holds a reply", function () {',
    "    const reply = pm.response.json().choices[0].message.content;",
    '    pm.expect(reply).to.be.a("string").and.not.empty;',
    "});",
]


def _request_name(version: str, auth_mode: str) -> str:
    auth = "IAM token" if auth_mode == TOKEN else "API key"
    api = "Pangu API" if version == V1 else "OpenAI-compatible API"
    return f"{version.upper()} · {auth} ({api})"


def _chat_request(target: SnippetTarget, version: str, auth_mode: str) -> dict:
    scheme = scheme_for(version, auth_mode)
    variable = AUTH_TOKEN_VAR if auth_mode == TOKEN else API_KEY_VAR
    if auth_mode == TOKEN:
        how = (
            f"Token authentication: `{scheme.header}: {{{{{variable}}}}}`. "
            f"Send '{IAM_REQUEST}' first; it stores the token in `{variable}` (valid 24 hours)."
        )
    else:
        how = (
            f"API key authentication: `{scheme.header}: {scheme.value_prefix}{{{{{variable}}}}}`. "
            f"Put the application access's key in `{variable}`."
        )
    return {
        "name": _request_name(version, auth_mode),
        "event": [_script("test", CHAT_TESTS)],
        "request": {
            "method": "POST",
            "header": [
                {"key": CONTENT_TYPE[0], "value": CONTENT_TYPE[1]},
                {"key": scheme.header, "value": f"{scheme.value_prefix}{{{{{variable}}}}}"},
            ],
            "body": _json_body(example_body(version, target.model_name)),
            "url": url_object(target.urls[version]),
            "description": how,
        },
    }


def _folder_name(target: SnippetTarget, taken: set[str]) -> str:
    name = target.name if target.is_callable else f"{target.name} ({target.status_label.lower()})"
    if name in taken:  # folder names must be unique for a runner's --folder
        name = f"{name} [{target.model_name or target.code[:8]}]"
    taken.add(name)
    return name


def _folder(target: SnippetTarget, name: str) -> dict:
    apis = " and ".join(v.upper() for v in target.versions)
    lines = [
        f"**{target.name}** · {target.mode_label} · {apis} · {target.status_label}",
    ]
    if target.model_name:
        lines.append(f"Model name (the V2 `model` value): `{target.model_name}`.")
    if not target.is_callable:
        lines.append("Only running services answer: these requests fail until it runs again.")
    lines += [f"{v.upper()} call path: {url}" for v, url in target.urls.items()]
    return {
        "name": name,
        "description": "\n\n".join(lines),
        "item": [
            _chat_request(target, version, auth_mode)
            for version in (V1, V2)
            if version in target.urls
            for auth_mode in auth_modes(version)
        ],
    }


IAM_PREREQUEST = [
    "// The password goes into the JSON body encoded, so any character is safe.",
    f'const password = pm.variables.get("{IAM_PASSWORD_VAR}") || "";',
    'pm.variables.set("iam_password_json", JSON.stringify(password).slice(1, -1));',
]

IAM_TESTS = [
    'pm.test("IAM issues a token", function () {',
    "    pm.response.to.have.status(201);",
    '    pm.response.to.have.header("X-Subject-Token");',
    "});",
    'const token = pm.response.headers.get("X-Subject-Token");',
    "if (token) {",
    f'    pm.collectionVariables.set("{AUTH_TOKEN_VAR}", token);',
    "    // An environment's value wins over the collection's, so update it there too.",
    f'    if (pm.environment.has("{AUTH_TOKEN_VAR}")) {{',
    f'        pm.environment.set("{AUTH_TOKEN_VAR}", token);',
    "    }",
    "}",
]


def iam_folder(iam: IamLogin) -> dict:
    body = iam_token_body(iam, "{{iam_password_json}}")
    return {
        "name": IAM_FOLDER,
        "description": (
            "Token authentication (V1 only). 'Get IAM token' signs in as the IAM user with the "
            f"password in `{IAM_PASSWORD_VAR}` and stores the token from the `X-Subject-Token` "
            f"response header in `{AUTH_TOKEN_VAR}`. A token is valid 24 hours."
        ),
        "item": [
            {
                "name": IAM_REQUEST,
                "event": [_script("prerequest", IAM_PREREQUEST), _script("test", IAM_TESTS)],
                "request": {
                    "method": "POST",
                    "header": [{"key": CONTENT_TYPE[0], "value": CONTENT_TYPE[1]}],
                    "body": _json_body(body),
                    "url": url_object(iam.token_url),
                    "description": (
                        f"`POST /v3/auth/tokens` with the password method, as `{iam.user}` of "
                        f"account `{iam.domain}`, scoped to project `{iam.project}`."
                    ),
                },
            }
        ],
    }


def _variables() -> list[dict]:
    return [
        {"key": key, "value": "", "type": "string", "description": text}
        for key, text in SECRET_VARIABLES.items()
    ]


def collection(
    *,
    name: str,
    description: str,
    collection_id: str,
    targets: Sequence[SnippetTarget],
    iam: IamLogin,
) -> dict:
    """A v2.1 collection: the IAM token folder (when a target takes tokens), then a folder
    per target."""
    taken: set[str] = {IAM_FOLDER}
    folders = [_folder(t, _folder_name(t, taken)) for t in targets]
    items = [iam_folder(iam)] if any(V1 in t.urls for t in targets) else []
    return {
        "info": {
            "_postman_id": collection_id,
            "name": name,
            "description": description,
            "schema": SCHEMA_URL,
        },
        "item": items + folders,
        "variable": _variables(),
    }


_HOW_TO = (
    "Import the environment file too, select it and fill in `api_key` (and `iam_password` for "
    "token authentication): an environment's values win over the collection variables. "
    "Nothing secret is in this file."
)


def deployment_collection(target: SnippetTarget, *, workspace_name: str) -> dict:
    return collection(
        name=f"{target.name} · {workspace_name}",
        description=f"Calls of the deployment {target.name}, from Access Portal. {_HOW_TO}",
        collection_id=stable_id("deployment", target.code),
        targets=[target],
        iam=target.iam,
    )


def workspace_collection(
    targets: Sequence[SnippetTarget], *, workspace_name: str, workspace_code: str, iam: IamLogin
) -> dict:
    return collection(
        name=workspace_name,
        description=(
            f"Every deployment of the workspace {workspace_name}, from Access Portal: a folder "
            f"per deployment, a request per API version and authentication mode. {_HOW_TO}"
        ),
        collection_id=stable_id("workspace", workspace_code),
        targets=targets,
        iam=iam,
    )


def environment(*, workspace_name: str, workspace_code: str) -> dict:
    """A Postman environment with the secret variables, all empty."""
    return {
        "id": stable_id("environment", workspace_code),
        "name": f"{workspace_name} (Access Portal)",
        "values": [
            {"key": key, "value": "", "type": "secret", "enabled": True} for key in SECRET_VARIABLES
        ],
        "_postman_variable_scope": "environment",
    }
