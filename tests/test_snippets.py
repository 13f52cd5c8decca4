"""The snippet generator on its own: plain values in, code out, no database.

Quoting is checked the way it fails in real life: the shell, Python and Node read what we
wrote, and a small recording server on the IPv6 loopback sees exactly the URL, headers and
body a snippet sends for values full of quotes, dollars, backslashes and non-ASCII text.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socket import AF_INET6

import pytest

from accessportal import snippets
from accessportal.snippets import (
    API_KEY_ENV,
    AUTH_TOKEN_ENV,
    IAM_PASSWORD_ENV,
    Code,
    IamLogin,
    SnippetTarget,
    Variant,
    curl_command,
    env_ref,
    js_literal,
    py_literal,
    sh_quote,
    snippet,
    variants,
)

NODE = shutil.which("node")
NASTY_TEXTS = [
    "",
    "plain",
    'It\'s "quoted" \\ back\\slash $HOME `id` $(id) !x',
    "中文 non-ASCII ü é \u2013 ☃ 😀",
    "line\nbreak\ttab\rcr",
    "separators \u2028 \u2029 nbsp\u00a0 nul\x00 del\x7f bell\x07",
    "lone surrogate \ud800 end",
    "'single' ''doubled'' '",
]


def clean_env(**extra: str) -> dict[str, str]:
    """A child environment without proxies or the developer's own keys."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": "/tmp"}
    return env | extra


def target(**fields) -> SnippetTarget:
    base = {
        "name": "Chat",
        "model_name": "chat-model",
        "urls": {
            "v1": "https://pangu.example.test/v1/p/deployments/d/chat/completions",
            "v2": "https://pangu.example.test/api/v2/chat/completions",
        },
        "iam": IamLogin("https://iam.example.test", "ops-bot", "acme", "cn-southwest-2"),
    }
    return SnippetTarget(**(base | fields))


# --- variants -------------------------------------------------------------------------------


def test_variants_of_a_v1_and_v2_deployment():
    slugs = [v.slug for v in variants(target())]
    assert len(slugs) == len(set(slugs)) == 3 * 6 + 2
    assert slugs[:6] == [
        "curl-v1-key-once",
        "curl-v1-key-stream",
        "curl-v1-token-once",
        "curl-v1-token-stream",
        "curl-v2-key-once",
        "curl-v2-key-stream",
    ]
    assert [s for s in slugs if s.startswith("openai")] == [
        "openai-v2-key-once",
        "openai-v2-key-stream",
    ]
    assert not any("v2-token" in s for s in slugs)  # V2 takes API keys only


def test_a_v1_only_deployment_has_no_v2_and_no_openai_variant():
    only_v1 = target(urls={"v1": "https://pangu.example.test/v1/p/deployments/d/chat/completions"})
    found = variants(only_v1)
    assert {v.version for v in found} == {"v1"}
    assert {v.language for v in found} == {"curl", "python", "node"}
    with pytest.raises(ValueError):
        snippet(only_v1, Variant("curl", "v2", "api_key"))


def test_a_v2_override_without_the_chat_suffix_has_no_openai_variant():
    odd = target(urls={"v2": "https://gw.example.test/infer?route=chat"})
    assert "openai" not in {v.language for v in variants(odd)}


def test_titles_and_panel_tabs():
    assert Variant("curl", "v1", "token", True).title == "V1 + IAM token, streaming"
    assert Variant("node", "v2", "api_key").title == "V2 + API key"
    tabs = snippets.code_panel(target())
    assert [t.label for t in tabs] == [
        "curl",
        "Python (requests)",
        "OpenAI Python SDK",
        "Node (fetch)",
    ]
    ids = [s.dom_id for t in tabs for s in t.snippets]
    assert len(ids) == len(set(ids)) == 20


@pytest.mark.parametrize("variant", variants(target()), ids=lambda v: v.slug)
def test_no_snippet_holds_a_secret_only_environment_names(variant):
    code = snippet(target(), variant)
    env = AUTH_TOKEN_ENV if variant.auth_mode == "token" else API_KEY_ENV
    assert env in code
    if variant.auth_mode == "token":
        assert IAM_PASSWORD_ENV in code and "/v3/auth/tokens" in code
        assert "X-Subject-Token".lower() in code.lower()
    body_flag = '"stream": true' in code or '"stream": True' in code or "stream=True" in code
    assert body_flag == variant.stream


def test_streaming_variants_parse_each_api_its_own_way():
    t = target()
    v1 = snippet(t, Variant("python", "v1", "api_key", True))
    v2 = snippet(t, Variant("python", "v2", "api_key", True))
    assert 'choice.get("message")' in v1 and 'choice.get("delta")' in v2
    assert "stream=True" in v1
    assert " -N " in snippet(t, Variant("curl", "v1", "api_key", True))
    assert " -N " not in snippet(t, Variant("curl", "v1", "api_key", False))
    assert "choice.delta?.content" in snippet(t, Variant("node", "v2", "api_key", True))
    assert "for await" in snippet(t, Variant("node", "v1", "api_key", True))
    assert "stream=True" in snippet(t, Variant("openai", "v2", "api_key", True))


@pytest.mark.parametrize("variant", variants(target()), ids=lambda v: v.slug)
def test_a_line_break_in_a_name_cannot_end_a_comment(variant):
    sneaky = target(name="chat\ntouch /tmp/pwned\r\u2028echo pwned\u2029x")
    code = snippet(sneaky, variant)
    marker = "#" if variant.language in ("curl", "python", "openai") else "//"
    for line in code.splitlines():
        if "pwned" in line:
            assert line.startswith(marker), line
    assert "\u2028" not in code and "\u2029" not in code and "\r" not in code


def test_token_snippets_fall_back_to_placeholders_without_a_credential():
    code = snippet(
        target(iam=IamLogin("https://iam.example.test", project="cn-southwest-2")),
        Variant("python", "v1", "token"),
    )
    assert snippets.IAM_USER_PLACEHOLDER in code and snippets.IAM_DOMAIN_PLACEHOLDER in code


def test_iam_token_body_is_the_documented_one():
    body = snippets.iam_token_body(IamLogin("https://iam", "u", "d", "cn-southwest-2"), "pw")
    assert body == {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "u", "password": "pw", "domain": {"name": "d"}}},
            },
            "scope": {"project": {"name": "cn-southwest-2"}},
        }
    }
    assert IamLogin("https://iam.x/").token_url == "https://iam.x/v3/auth/tokens?nocatalog=true"


def test_openai_base_url():
    assert snippets.openai_base_url("http://h:1/p/api/v2/chat/completions") == "http://h:1/p/api/v2"
    assert snippets.openai_base_url("http://h:1/api/v2/other") is None


# --- literals -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", NASTY_TEXTS)
def test_python_literals_read_back_exactly(text):
    value = {"k'\"ey": [text, {"nested": text}], "n": 1, "f": 0.9, "b": True, "z": None}
    assert ast.literal_eval(py_literal(value)) == value
    assert ast.literal_eval(snippets.py_str(text)) == text


def test_python_literal_inserts_code_as_it_is():
    assert py_literal({"k": Code('os.environ["X"]')}) == '{"k": os.environ["X"]}'
    with pytest.raises(ValueError):
        py_literal(float("nan"))


@pytest.mark.skipif(NODE is None, reason="needs node")
def test_javascript_literals_read_back_exactly():
    values = [
        {"k'\"ey": [t, {"nested": t}], "n": 1, "f": 0.9, "b": False, "z": None} for t in NASTY_TEXTS
    ]
    program = "const values = [\n" + ",\n".join(js_literal(v) for v in values) + "\n];\n"
    # JSON.stringify would mangle a lone surrogate; send code units instead.
    program += (
        "const units = (s) => Array.from({length: s.length}, (_, i) => s.charCodeAt(i));\n"
        "const walk = (v) => typeof v === 'string' ? {s: units(v)} : Array.isArray(v) ? v.map(walk)"
        " : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) =>"
        " [k, walk(x)])) : v;\n"
        "process.stdout.write(JSON.stringify(values.map(walk)));\n"
    )
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, env=clean_env())
    assert out.returncode == 0, out.stderr

    def unwalk(v):
        if isinstance(v, dict) and set(v) == {"s"}:
            return b"".join(u.to_bytes(2, "little") for u in v["s"]).decode(
                "utf-16-le", "surrogatepass"
            )
        if isinstance(v, list):
            return [unwalk(x) for x in v]
        if isinstance(v, dict):
            return {k: unwalk(x) for k, x in v.items()}
        return v

    assert unwalk(json.loads(out.stdout)) == values


# --- shell ----------------------------------------------------------------------------------

FAKE_CURL = 'curl() { for a in "$@"; do printf "%s\\000" "$a"; done; }\n'


def curl_args(command: str, **env: str) -> tuple[int, list[str], str]:
    """Run ``command`` in sh with curl replaced by a function that prints its arguments."""
    out = subprocess.run(
        ["sh", "-c", FAKE_CURL + command], capture_output=True, env=clean_env(**env)
    )
    args = out.stdout.decode("utf-8", "surrogateescape").split("\0")[:-1]
    return out.returncode, args, out.stderr.decode()


@pytest.mark.parametrize("text", [t for t in NASTY_TEXTS if "\x00" not in t and "\ud800" not in t])
def test_sh_quote_is_one_word_with_the_exact_value(text):
    code, args, _ = curl_args(f"curl {sh_quote(text)}")
    assert code == 0 and args == [text]


def test_curl_command_quotes_everything_and_expands_only_the_secret():
    prompt = 'It\'s "fine" \\ $HOME `id` $(id) ! 中文'
    body = {"messages": [{"role": "user", "content": prompt}]}
    url = "http://[::1]:8080/it's/$HOME/api/v2/chat/completions"
    headers = {
        "Content-Type": "application/json",
        "Authorization": "Bearer " + env_ref(API_KEY_ENV),
        "X-Odd": 'it\'s $HOME `id` "q"',
    }
    command = curl_command(url, headers, body, secret_env=API_KEY_ENV, stream=True)
    code, args, err = curl_args(command, PANGU_API_KEY='k\'ey $x "q"')
    assert code == 0, err
    assert args == [
        "--fail-with-body",
        "-sS",
        "-N",
        "--globoff",
        url,
        "-H",
        "Content-Type: application/json",
        "-H",
        'Authorization: Bearer k\'ey $x "q"',
        "-H",
        'X-Odd: it\'s $HOME `id` "q"',
        "--data-raw",
        json.dumps(body, indent=2, ensure_ascii=False),
    ]


def test_curl_command_secret_inside_an_unsafe_value_and_braced_reference():
    headers = {"X-A": "pre'$fix ${PANGU_API_KEY} mid $PANGU_API_KEY_NOT $PANGU_API_KEY"}
    command = curl_command("http://h/", headers, "raw @body", secret_env=API_KEY_ENV, stream=False)
    code, args, _ = curl_args(command, PANGU_API_KEY="S")
    assert code == 0
    assert args[-4:] == [
        "-H",
        "X-A: pre'$fix S mid $PANGU_API_KEY_NOT S",
        "--data-raw",
        "raw @body",
    ]


def test_curl_command_without_the_variable_set_stops_before_curl():
    command = curl_command(
        "http://h/",
        {"X-Apig-AppCode": env_ref(API_KEY_ENV)},
        {},
        secret_env=API_KEY_ENV,
        stream=False,
    )
    code, args, err = curl_args(command)
    assert code != 0 and args == [] and API_KEY_ENV in err


def test_curl_command_without_secret_env_keeps_dollars_literal():
    command = curl_command(
        "http://h/", {"X-A": "$PANGU_API_KEY"}, {}, secret_env=None, stream=False
    )
    _, args, _ = curl_args(command, PANGU_API_KEY="S")
    assert "X-A: $PANGU_API_KEY" in args


# --- the whole snippets against a recording server on [::1] ---------------------------------

REPLY = 'Réponse: it\'s "fine" ☃'


class Recorder(ThreadingHTTPServer):
    address_family = AF_INET6
    daemon_threads = True

    def __init__(self):
        super().__init__(("::1", 0), RecordingHandler)
        self.seen: list[dict] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://[::1]:{self.server_address[1]}"


class RecordingHandler(BaseHTTPRequestHandler):
    server: Recorder
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw)
        with self.server.lock:
            self.server.seen.append(
                {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
            )
        if "/v3/auth/tokens" in self.path:
            return self._send(
                201, b'{"token": {}}', "application/json", [("X-Subject-Token", "MIIrecorded")]
            )
        v1 = "/api/v2/" not in self.path
        if not body.get("stream"):
            answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": REPLY}}]}
            return self._send(200, json.dumps(answer).encode(), "application/json")
        frames = []
        for piece in (REPLY[:5], REPLY[5:]):
            field = {"message": {"content": piece}} if v1 else {"delta": {"content": piece}}
            frames.append(("data:" if v1 else "data: ") + json.dumps({"choices": [field]}))
        frames.append("data:[DONE]" if v1 else "data: [DONE]")
        return self._send(200, "".join(f + "\n\n" for f in frames).encode(), "text/event-stream")

    def _send(self, status: int, payload: bytes, content_type: str, extra=()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture(scope="module")
def recorder():
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run_snippet(
    variant: Variant, code: str, env: dict[str, str], tmp_path
) -> subprocess.CompletedProcess:
    if variant.language == "curl":
        argv = ["sh", "-c", code]
    else:
        path = tmp_path / f"{variant.slug}.{'js' if variant.language == 'node' else 'py'}"
        path.write_text(code, encoding="utf-8")
        argv = [NODE if variant.language == "node" else sys.executable, str(path)]
    return subprocess.run(argv, capture_output=True, env=clean_env(**env), timeout=60)


NASTY_PASSWORD = "pa'ss\"wo\\rd $x `id` 中 !"
NASTY_PROMPT = 'It\'s "quoted" \\ $HOME `id` $(id) 中文 😀\nsecond line \u2028 end'


def nasty_target(base: str) -> SnippetTarget:
    prefix = base + "/edge/it's-$HOME"
    return SnippetTarget(
        name='O\'Brien "x" $(id) 中文',
        model_name='mo\'del "x" \\ $HOME `id` ü',
        urls={
            "v1": prefix + "/v1/p/deployments/d/chat/completions",
            "v2": prefix + "/api/v2/chat/completions",
        },
        iam=IamLogin(base + "/", 'o\'neil "x" ü', "ac$me `id`", "cn-southwest-2"),
    )


def test_every_language_sends_exactly_the_values_over_ipv6(recorder, tmp_path):
    t = nasty_target(recorder.base)
    env = {API_KEY_ENV: 'key\'with "quotes" $x', IAM_PASSWORD_ENV: NASTY_PASSWORD}
    runnable = [v for v in variants(t) if v.language != "node" or NODE]
    cases = []
    for variant in runnable:
        body = {"model": t.model_name, "messages": [{"role": "user", "content": NASTY_PROMPT}]}
        if variant.version == "v1":
            body.pop("model")
        cases.append((variant, body, snippet(t, variant, body=body)))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: run_snippet(c[0], c[2], env, tmp_path), cases))

    for (variant, _body, _code), result in zip(cases, results, strict=True):
        out = result.stdout.decode("utf-8")
        assert result.returncode == 0, (variant.slug, result.stderr.decode())
        if variant.language == "curl":
            assert ("MIIrecorded" not in out) and (
                "[DONE]" in out
                if variant.stream
                else REPLY in json.loads(out)["choices"][0]["message"]["content"]
            )
        else:
            assert out.strip() == REPLY, variant.slug

    chat_calls = [s for s in recorder.seen if "/chat/completions" in s["path"]]
    assert len(chat_calls) == len(cases)
    for seen in chat_calls:
        assert seen["path"].startswith("/edge/it's-$HOME/")
        assert seen["body"]["messages"][0]["content"] == NASTY_PROMPT
        if "/api/v2/" in seen["path"]:
            assert seen["body"]["model"] == t.model_name
            assert seen["headers"]["authorization"] == "Bearer " + env[API_KEY_ENV]
        elif "x-auth-token" in seen["headers"]:
            assert seen["headers"]["x-auth-token"] == "MIIrecorded"
        else:
            assert seen["headers"]["x-apig-appcode"] == env[API_KEY_ENV]
    iam_calls = [s for s in recorder.seen if "/v3/auth/tokens" in s["path"]]
    assert iam_calls and all(s["path"] == "/v3/auth/tokens?nocatalog=true" for s in iam_calls)
    for seen in iam_calls:
        user = seen["body"]["auth"]["identity"]["password"]["user"]
        assert user == {
            "name": t.iam.user,
            "password": NASTY_PASSWORD,
            "domain": {"name": t.iam.domain},
        }


def test_a_token_in_the_environment_skips_iam(recorder, tmp_path):
    t = nasty_target(recorder.base)
    before = len([s for s in recorder.seen if "/v3/auth/tokens" in s["path"]])
    token_variants = [v for v in variants(t) if v.auth_mode == "token" and not v.stream]
    token_variants = [v for v in token_variants if v.language != "node" or NODE]
    for variant in token_variants:
        result = run_snippet(variant, snippet(t, variant), {AUTH_TOKEN_ENV: "MIIfromenv"}, tmp_path)
        assert result.returncode == 0, (variant.slug, result.stderr.decode())
        assert recorder.seen[-1]["headers"]["x-auth-token"] == "MIIfromenv"
    assert len([s for s in recorder.seen if "/v3/auth/tokens" in s["path"]]) == before
