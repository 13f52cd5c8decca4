"""Ready-to-run code that calls a deployment: curl, Python (requests), the OpenAI Python SDK
(V2) and Node (fetch), for each API version and authentication mode it supports, streaming
and not.

Pure functions over plain values: a ``SnippetTarget`` holds everything a snippet depends on,
so the deployment page, the Postman downloads, the playground's "Copy as curl" and the tests
share one generator and none of them needs a database.

A snippet never holds a secret. Keys and tokens are read from environment variables
(``PANGU_API_KEY``, ``PANGU_AUTH_TOKEN``, ``PANGU_IAM_PASSWORD``). Every value that lands in
code is encoded for its language (shell single quotes, Python and JavaScript string
literals), never pasted in raw, so quotes, backslashes, dollar signs and non-ASCII text in a
model name, an IAM user or a prompt stay data.
"""

from __future__ import annotations

from accessportal.snippets.key_fetch import PORTAL_TOKEN_ENV, key_fetch
from accessportal.snippets.literals import (
    Code,
    curl_command,
    env_ref,
    js_literal,
    js_str,
    py_literal,
    py_str,
    sh_quote,
)
from accessportal.snippets.panel import (
    LanguageTab,
    Snippet,
    code_panel,
    request_snippets,
    snippet,
)
from accessportal.snippets.targets import (
    API_KEY_ENV,
    AUTH_TOKEN_ENV,
    CURL,
    IAM_DOMAIN_PLACEHOLDER,
    IAM_PASSWORD_ENV,
    IAM_USER_PLACEHOLDER,
    LANGUAGES,
    NODE,
    OPENAI,
    PYTHON,
    IamLogin,
    SnippetTarget,
    Variant,
    auth_modes,
    iam_login_for,
    iam_token_body,
    openai_base_url,
    request_body,
    target_for,
    variants,
)

__all__ = [
    "API_KEY_ENV",
    "AUTH_TOKEN_ENV",
    "CURL",
    "IAM_DOMAIN_PLACEHOLDER",
    "IAM_PASSWORD_ENV",
    "IAM_USER_PLACEHOLDER",
    "LANGUAGES",
    "NODE",
    "OPENAI",
    "PORTAL_TOKEN_ENV",
    "PYTHON",
    "Code",
    "IamLogin",
    "LanguageTab",
    "Snippet",
    "SnippetTarget",
    "Variant",
    "auth_modes",
    "code_panel",
    "curl_command",
    "env_ref",
    "iam_login_for",
    "iam_token_body",
    "js_literal",
    "js_str",
    "key_fetch",
    "openai_base_url",
    "py_literal",
    "py_str",
    "request_body",
    "request_snippets",
    "sh_quote",
    "snippet",
    "target_for",
    "variants",
]
