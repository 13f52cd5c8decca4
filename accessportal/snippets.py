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

import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from accessportal.callpaths import V1, V2
from accessportal.examples import example_body
from accessportal.headers import API_KEY, AUTH_MODES, CONTENT_TYPE, TOKEN, scheme_for

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
        status_label=deployment.get_status_display(),
        mode_label=deployment.get_mode_display(),
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
        auth = "IAM token" if self.auth_mode == TOKEN else "API key"
        return f"{self.version.upper()} + {auth}{', streaming' if self.stream else ''}"


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


def snippet(target: SnippetTarget, variant: Variant, body: Mapping | None = None) -> str:
    """The code of one variant, ready to paste and run once the environment is set."""
    if variant.version not in target.urls:
        raise ValueError(f"{target.name} does not serve {variant.version.upper()}")
    scheme_for(variant.version, variant.auth_mode)  # raises for V2 + token
    sent = request_body(target, variant, body)
    render = {CURL: _curl, PYTHON: _python, OPENAI: _openai, NODE: _node}[variant.language]
    return render(target, variant, sent)


@dataclass(frozen=True)
class Snippet:
    variant: Variant
    code: str

    @property
    def dom_id(self) -> str:
        return f"snippet-{self.variant.slug}"


@dataclass(frozen=True)
class LanguageTab:
    language: str
    label: str
    snippets: tuple[Snippet, ...]


def code_panel(target: SnippetTarget) -> list[LanguageTab]:
    """The deployment page's Code panel: one tab per language with its variants."""
    by_language: dict[str, list[Snippet]] = {}
    for variant in variants(target):
        by_language.setdefault(variant.language, []).append(
            Snippet(variant, snippet(target, variant))
        )
    return [
        LanguageTab(language, LANGUAGES[language], tuple(found))
        for language, found in by_language.items()
    ]


# --- literals ------------------------------------------------------------------------------


class Code(str):
    """Source code that a literal renderer inserts as it is (an env lookup, a call)."""


_SIMPLE_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(value: str, astral: str) -> str:
    out = []
    for ch in value:
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:  # includes line separators and lone surrogates
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(astral.format(ord(ch)))
    return '"' + "".join(out) + '"'


def py_str(value: str) -> str:
    """A Python string literal for any text (readable: printable characters stay)."""
    return _escaped(value, "\\U{:08x}")


def js_str(value: str) -> str:
    """A JavaScript string literal for any text."""
    return _escaped(value, "\\u{{{:x}}}")


def _literal(value: Any, indent: int, lang: str) -> str:
    step = "    " if lang == PYTHON else "  "
    to_str = py_str if lang == PYTHON else js_str
    if isinstance(value, Code):
        return str(value)
    if isinstance(value, str):
        return to_str(value)
    if value is None:
        return "None" if lang == PYTHON else "null"
    if isinstance(value, bool):
        return ("True" if value else "False") if lang == PYTHON else ("true" if value else "false")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("JSON bodies cannot hold NaN or infinity")
        return repr(value)
    if isinstance(value, Mapping):
        entries = [f"{to_str(str(k))}: {_literal(v, indent + 1, lang)}" for k, v in value.items()]
        return _bracketed("{", "}", entries, indent, step)
    if isinstance(value, list | tuple):
        entries = [_literal(v, indent + 1, lang) for v in value]
        return _bracketed("[", "]", entries, indent, step)
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def _bracketed(open_: str, close: str, entries: list[str], indent: int, step: str) -> str:
    if not entries:
        return open_ + close
    pad = " " if open_ == "{" and step == "  " else ""  # JavaScript style: { a: 1 }
    flat = open_ + pad + ", ".join(entries) + pad + close
    if "\n" not in flat and len(flat) + len(step) * indent <= 72:
        return flat
    inner = step * (indent + 1)
    return open_ + "\n" + "".join(f"{inner}{e},\n" for e in entries) + step * indent + close


def py_literal(value: Any, indent: int = 0) -> str:
    """A Python expression for JSON-like data; ``Code`` values are inserted as they are."""
    return _literal(value, indent, PYTHON)


def js_literal(value: Any, indent: int = 0) -> str:
    """A JavaScript expression for JSON-like data; ``Code`` values are inserted as they are."""
    return _literal(value, indent, NODE)


# --- shell -----------------------------------------------------------------------------------


def sh_quote(value: str) -> str:
    """One POSIX shell word holding exactly ``value``."""
    return "'" + value.replace("'", "'\\''") + "'"


def env_ref(name: str) -> str:
    """How a header value passed to ``curl_command`` names an environment variable."""
    return "$" + name


_DOUBLE_QUOTE_SAFE = re.compile(r'[^$`\\"!]*')


def _sh_word_with_env(text: str, env: str | None) -> str:
    """A shell word for ``text`` where ``$env`` / ``${env}`` expand (and must be set)."""
    if not env:
        return sh_quote(text)
    pieces = re.split(r"\$(?:\{" + re.escape(env) + r"\}|" + re.escape(env) + r"(?!\w))", text)
    if len(pieces) == 1:
        return sh_quote(text)
    expansion = "${" + env + ":?}"  # an unset variable stops the command, with its name
    if all(_DOUBLE_QUOTE_SAFE.fullmatch(p) for p in pieces):
        return '"' + expansion.join(pieces) + '"'
    quoted = [sh_quote(p) if p else "" for p in pieces]
    return f'"{expansion}"'.join(quoted)


def curl_command(
    url: str,
    headers: Mapping[str, str],
    body: Mapping | str,
    *,
    secret_env: str | None,
    stream: bool,
) -> str:
    """A curl command line for a chat call.

    ``headers`` are the final headers except that the secret's place holds a reference to
    the environment variable ``secret_env`` (``env_ref(secret_env)``, e.g. ``"Bearer
    $PANGU_API_KEY"``): that reference stays a shell expansion, everything else is quoted
    literally. ``body`` is sent as it is (a mapping as JSON); ``stream`` only turns off
    curl's output buffering (``-N``), so the body should then ask for a stream itself.
    curl exits non-zero on an HTTP error and prints the error body.
    """
    options = "curl --fail-with-body -sS"
    if stream:
        options += " -N"
    if any(ch in url for ch in "[]{}"):
        options += " --globoff"  # brackets of an IPv6 host are not a curl URL pattern
    lines = [f"{options} {sh_quote(url)}"]
    lines += [f"-H {_sh_word_with_env(f'{k}: {v}', secret_env)}" for k, v in headers.items()]
    data = body if isinstance(body, str) else json.dumps(body, indent=2, ensure_ascii=False)
    lines.append(f"--data-raw {sh_quote(data)}")
    return " \\\n  ".join(lines)


def _curl_iam_step(iam: IamLogin) -> str:
    """Shell lines that set $PANGU_AUTH_TOKEN from IAM unless it is set already."""
    mark = f"\x00{uuid.uuid4().hex}\x00"  # stands for the password; no name can hold it
    body = json.dumps(iam_token_body(iam, mark), ensure_ascii=False)
    before, after = body.split(json.dumps(mark))
    # The password goes into the JSON with its backslashes and double quotes escaped.
    password = f'"$(printf \'%s\' "${{{IAM_PASSWORD_ENV}:?}}" | sed \'s/[\\\\"]/\\\\&/g\')"'
    data = sh_quote(before + '"') + password + sh_quote('"' + after)
    url = sh_quote(iam.token_url)
    return (
        f'if [ -z "${{{AUTH_TOKEN_ENV}:-}}" ]; then\n'
        f"  {AUTH_TOKEN_ENV}=$(curl --fail -sS -o /dev/null -D - {url} \\\n"
        f"    -H 'Content-Type: application/json' \\\n"
        f"    --data-raw {data} \\\n"
        f"    | tr -d '\\r' | awk 'tolower($1) == \"x-subject-token:\" {{ print $2 }}')\n"
        f"fi\n"
    )


def _auth_env(variant: Variant) -> str:
    return AUTH_TOKEN_ENV if variant.auth_mode == TOKEN else API_KEY_ENV


def _api_label(version: str) -> str:
    return "V1 inference API (Pangu)" if version == V1 else "V2 inference API (OpenAI-compatible)"


def _one_line(text: str) -> str:
    """``text`` safe inside a line comment: a line break in a name must not end the comment."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _intro(target: SnippetTarget, variant: Variant, comment: str) -> list[str]:
    auth = "token-based authentication" if variant.auth_mode == TOKEN else "an API key"
    lines = [
        f"{_one_line(target.name)}: {_api_label(variant.version)} with {auth}"
        + (", streaming." if variant.stream else ".")
    ]
    if variant.auth_mode == TOKEN:
        lines += [
            f"Reuses ${AUTH_TOKEN_ENV} if set; otherwise gets an IAM token (valid 24 hours)",
            f"with the IAM user's password from ${IAM_PASSWORD_ENV}.",
        ]
    else:
        lines.append(f"Set {API_KEY_ENV} to the application access's API key first.")
    return [f"{comment} {line}" for line in lines]


def _curl(target: SnippetTarget, variant: Variant, body: dict) -> str:
    env = _auth_env(variant)
    scheme = scheme_for(variant.version, variant.auth_mode)
    headers = {CONTENT_TYPE[0]: CONTENT_TYPE[1], scheme.header: scheme.value_prefix + env_ref(env)}
    text = "\n".join(_intro(target, variant, "#")) + "\n"
    if variant.auth_mode == TOKEN:
        text += _curl_iam_step(target.iam)
    url = target.urls[variant.version]
    return text + curl_command(url, headers, body, secret_env=env, stream=variant.stream) + "\n"


# --- Python (requests) -------------------------------------------------------------------


def _py_env(name: str) -> Code:
    return Code(f"os.environ[{py_str(name)}]")


def _py_auth_headers(variant: Variant, secret: str) -> dict:
    scheme = scheme_for(variant.version, variant.auth_mode)
    value = Code(f"{py_str(scheme.value_prefix)} + {secret}") if scheme.value_prefix else secret
    return {CONTENT_TYPE[0]: CONTENT_TYPE[1], scheme.header: Code(value)}


_PY_IAM_TOKEN = '''

def iam_token() -> str:
    """${token_env} if set, else a new token from IAM: the X-Subject-Token header."""
    if os.environ.get({token_env_str}):
        return os.environ[{token_env_str}]
    auth = {auth}
    response = requests.post(IAM_URL, json=auth, timeout=30)
    if response.status_code != 201:
        sys.exit(f"IAM answered HTTP {{response.status_code}}: {{response.text}}")
    return response.headers["X-Subject-Token"]
'''


def _text_path(version: str) -> str:
    # V1 streams the new text in message.content, V2 (OpenAI form) in delta.content.
    return "message" if version == V1 else "delta"


def _python(target: SnippetTarget, variant: Variant, body: dict) -> str:
    token = variant.auth_mode == TOKEN
    imports = ["import json"] if variant.stream else []
    lines = [*_intro(target, variant, "#"), "# pip install requests"]
    lines += [*imports, "import os", "import sys", "", "import requests", ""]
    if token:
        lines.append(f"IAM_URL = {py_str(target.iam.token_url)}")
    lines.append(f"URL = {py_str(target.urls[variant.version])}")
    lines.append(f"BODY = {py_literal(body)}")
    text = "\n".join(lines) + "\n"
    if token:
        auth = iam_token_body(target.iam, _py_env(IAM_PASSWORD_ENV))
        text += _PY_IAM_TOKEN.format(
            token_env=AUTH_TOKEN_ENV, token_env_str=py_str(AUTH_TOKEN_ENV), auth=py_literal(auth, 1)
        )
        name, secret = "headers", "iam_token()"
        text += "\n\n"
    else:
        name, secret = "HEADERS", str(_py_env(API_KEY_ENV))
    text += f"{name} = {py_literal(_py_auth_headers(variant, secret))}\n"
    if not variant.stream:
        text += (
            f"\nresponse = requests.post(URL, headers={name}, json=BODY, "
            f"timeout={TIMEOUT_SECONDS})\n"
            "if not response.ok:\n"
            '    sys.exit(f"HTTP {response.status_code}: {response.text}")\n'
            'print(response.json()["choices"][0]["message"]["content"])\n'
        )
        return text
    piece = _text_path(variant.version)
    text += (
        f"\nwith requests.post(\n"
        f"    URL, headers={name}, json=BODY, stream=True, timeout={TIMEOUT_SECONDS}\n"
        f") as response:\n"
        "    if not response.ok:\n"
        '        sys.exit(f"HTTP {response.status_code}: {response.text}")\n'
        "    for raw in response.iter_lines():\n"
        '        line = raw.decode("utf-8")\n'
        '        # Events are "data:{json}" lines (V1 puts no space after the colon).\n'
        '        if not line.startswith("data:"):\n'
        "            continue\n"
        '        data = line[len("data:") :].strip()\n'
        '        if data == "[DONE]":\n'
        "            break\n"
        '        for choice in json.loads(data).get("choices", []):\n'
        f'            text = (choice.get("{piece}") or {{}}).get("content") or ""\n'
        '            print(text, end="", flush=True)\n'
        "print()\n"
    )
    return text


# --- OpenAI Python SDK (V2) ----------------------------------------------------------------


def _openai(target: SnippetTarget, variant: Variant, body: dict) -> str:
    base_url = openai_base_url(target.urls[variant.version])
    if base_url is None:
        raise ValueError("the OpenAI SDK needs a call path ending in /chat/completions")
    lines = [*_intro(target, variant, "#"), "# pip install openai", "import os", "import sys", ""]
    lines += ["from openai import APIStatusError, OpenAI", ""]
    lines.append(
        f"client = OpenAI(\n    base_url={py_str(base_url)},\n"
        f"    api_key=os.environ[{py_str(API_KEY_ENV)}],\n)"
    )
    arguments = "".join(
        f"        {key}={py_literal(value, 2)},\n" if key.isidentifier() else ""
        for key, value in body.items()
    )
    extra = {k: v for k, v in body.items() if not k.isidentifier()}
    if extra:
        arguments += f"        extra_body={py_literal(extra, 2)},\n"
    lines.append("try:")
    if variant.stream:
        lines.append(f"    stream = client.chat.completions.create(\n{arguments}    )")
        lines.append("    for chunk in stream:")
        lines.append("        for choice in chunk.choices:")
        lines.append('            print(choice.delta.content or "", end="", flush=True)')
        lines.append("    print()")
    else:
        lines.append(f"    completion = client.chat.completions.create(\n{arguments}    )")
        lines.append("    print(completion.choices[0].message.content)")
    lines.append("except APIStatusError as error:")
    lines.append('    sys.exit(f"HTTP {error.status_code}: {error.response.text}")')
    return "\n".join(lines) + "\n"


# --- Node (fetch) ----------------------------------------------------------------------------

_JS_REQUIRE_ENV = """
function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`Set the environment variable ${name}.`);
  return value;
}
"""

_JS_IAM_TOKEN = """
// ${token_env} if set, else a new token from IAM: the X-Subject-Token header.
async function iamToken() {{
  if (process.env[{token_env_str}]) return process.env[{token_env_str}];
  const auth = {auth};
  const response = await fetch(iamUrl, {{
    method: "POST",
    headers: {{ "Content-Type": "application/json" }},
    body: JSON.stringify(auth),
  }});
  if (response.status !== 201) {{
    throw new Error(`IAM answered HTTP ${{response.status}}: ${{await response.text()}}`);
  }}
  return response.headers.get("X-Subject-Token");
}}
"""

_JS_MAIN_END = """
main().catch((error) => {
  console.error(error.cause ? `${error.message}: ${error.cause.message}` : error.message);
  process.exitCode = 1;
});
"""


def _node(target: SnippetTarget, variant: Variant, body: dict) -> str:
    token = variant.auth_mode == TOKEN
    lines = _intro(target, variant, "//")
    lines.append("// Node 18 or later (built-in fetch): save as chat.js, run node chat.js")
    if token:
        lines.append(f"const iamUrl = {js_str(target.iam.token_url)};")
    lines.append(f"const url = {js_str(target.urls[variant.version])};")
    lines.append(f"const body = {js_literal(body)};")
    text = "\n".join(lines) + "\n" + _JS_REQUIRE_ENV
    if token:
        auth = iam_token_body(target.iam, Code(f"requireEnv({js_str(IAM_PASSWORD_ENV)})"))
        text += _JS_IAM_TOKEN.format(
            token_env=AUTH_TOKEN_ENV, token_env_str=js_str(AUTH_TOKEN_ENV), auth=js_literal(auth, 1)
        )
        secret = "await iamToken()"
    else:
        secret = f"requireEnv({js_str(API_KEY_ENV)})"
    scheme = scheme_for(variant.version, variant.auth_mode)
    value = f"{js_str(scheme.value_prefix)} + {secret}" if scheme.value_prefix else secret
    headers = js_literal({CONTENT_TYPE[0]: CONTENT_TYPE[1], scheme.header: Code(value)}, 1)
    text += (
        "\nasync function main() {\n"
        f"  const headers = {headers};\n"
        "  const response = await fetch(url, {\n"
        '    method: "POST",\n'
        "    headers,\n"
        "    body: JSON.stringify(body),\n"
        "  });\n"
        "  if (!response.ok) {\n"
        "    throw new Error(`HTTP ${response.status}: ${await response.text()}`);\n"
        "  }\n"
    )
    if not variant.stream:
        text += (
            "  const data = await response.json();\n"
            "  console.log(data.choices[0].message.content);\n"
            "}\n"
        )
        return text + _JS_MAIN_END
    piece = _text_path(variant.version)
    text += (
        "  const decoder = new TextDecoder();\n"
        '  let buffered = "";\n'
        "  for await (const bytes of response.body) {\n"
        "    buffered += decoder.decode(bytes, { stream: true });\n"
        '    const lines = buffered.split("\\n");\n'
        "    buffered = lines.pop();\n"
        "    for (const line of lines) {\n"
        '      // Events are "data:{json}" lines (V1 puts no space after the colon).\n'
        '      if (!line.startsWith("data:")) continue;\n'
        '      const data = line.slice("data:".length).trim();\n'
        '      if (data === "[DONE]") continue;\n'
        "      for (const choice of JSON.parse(data).choices ?? []) {\n"
        f'        process.stdout.write(choice.{piece}?.content ?? "");\n'
        "      }\n"
        "    }\n"
        "  }\n"
        '  process.stdout.write("\\n");\n'
        "}\n"
    )
    return text + _JS_MAIN_END
