"""One renderer per language: curl, Python (requests), the OpenAI SDK, Node (fetch)."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from accessportal.callpaths import V1
from accessportal.headers import CONTENT_TYPE, TOKEN, scheme_for
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
from accessportal.snippets.targets import (
    API_KEY_ENV,
    AUTH_TOKEN_ENV,
    CURL,
    IAM_PASSWORD_ENV,
    NODE,
    OPENAI,
    PYTHON,
    TIMEOUT_SECONDS,
    IamLogin,
    SnippetTarget,
    Variant,
    iam_token_body,
    openai_base_url,
)

if TYPE_CHECKING:
    pass


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


RENDERERS = {CURL: _curl, PYTHON: _python, OPENAI: _openai, NODE: _node}
