"""An upstream that repeats the request back: the secrets of the call must appear nowhere.

A tiny echo server over a real loopback socket plays inference API and IAM at once. It
answers with the request's headers and body in several spellings (as they are,
JSON-escaped with escaped slashes and \\u escapes, URL-encoded, base64), as an error, as a
completion and as a stream. The canary key, IAM password and IAM token must then be
absent from the events, the pages, every table and the logs.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chat.models import TestCall
from tests import factories
from tests.playground_helpers import auth_of, send
from tests.test_canary import every_stored_text

RUN = uuid.uuid4().hex[:12]
KEY = f"CANARYkey/{RUN}+=x"
IAM_PASSWORD = f'pässwörd/"{RUN}"+CANARY'
TOKEN = f"CANARYtoken-{RUN}/+=MII"


def spellings(text: str) -> list[str]:
    every_char = "".join(f"\\u{ord(c):04x}" for c in text)
    return [
        text,
        json.dumps(text, ensure_ascii=True).replace("/", "\\/"),
        every_char,
        quote(text, safe=""),
        base64.b64encode(text.encode()).decode(),
    ]


def leaks(haystack: str) -> list[str]:
    """Spellings of the secrets found in ``haystack``. Each secret holds RUN in its middle,
    which a mask never shows: RUN anywhere means some spelling got through."""
    found = [form for s in (KEY, IAM_PASSWORD, TOKEN) for form in spellings(s) if form in haystack]
    return found + ([RUN] if RUN in haystack else [])


class Echo(BaseHTTPRequestHandler):
    mode = "error"  # error | answer; IAM refuses when iam_refuses

    iam_refuses = False

    def log_message(self, *args) -> None:  # quiet
        pass

    def _reply(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        seen = "\n".join(f"{k}: {v}" for k, v in self.headers.items()) + "\n" + raw
        values = [v for _, v in self.headers.items()] + [raw]
        echo = " | ".join(
            [seen, json.dumps({"headers": dict(self.headers), "body": raw}).replace("/", "\\/")]
            + [form for v in values for form in spellings(v)[1:]]
        )
        if self.path.startswith("/v3/auth/tokens"):
            if Echo.iam_refuses:
                body = json.dumps(
                    {"error": {"code": 401, "message": "bad request: " + raw + " | " + echo}}
                )
                return self._reply(401, body.encode(), "application/json")
            body = json.dumps({"token": {"expires_at": "2099-01-01T00:00:00Z"}})
            return self._reply(201, body.encode(), "application/json", **{"X-Subject-Token": TOKEN})
        if Echo.mode == "error":
            body = json.dumps({"error_code": "APIG.0101", "error_msg": echo})
            return self._reply(400, body.encode(), "application/json")
        if json.loads(raw).get("stream"):
            lines = [
                "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": piece}}]})
                for piece in echo.split(" | ")
            ]
            body = ("\n\n".join([*lines, "data: [DONE]"]) + "\n\n").encode()
            return self._reply(200, body, "text/event-stream")
        answer = {
            "choices": [{"index": 0, "message": {"role": "assistant", "content": echo}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        return self._reply(200, json.dumps(answer).encode(), "application/json")


@pytest.fixture
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    Echo.mode, Echo.iam_refuses = "error", False


@pytest.fixture
def echoing(db, echo_server, settings, world):
    settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK = True
    ws = world.alpha
    ws.inference_endpoint = ws.iam_endpoint = echo_server
    ws.save()
    deployment = factories.make_deployment(ws, name="Echo", serves_v1=True, serves_v2=True)
    access = factories.make_access(ws, key=KEY, name="echo-key")
    credential = factories.make_credential(ws, password=IAM_PASSWORD)
    return ws, deployment, access, credential


CASES = [("v1", "key"), ("v2", "key"), ("v1", "token")]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("mode", ["error", "answer"])
@pytest.mark.parametrize(("version", "auth"), CASES)
def test_echoed_secrets_are_masked_everywhere(
    echoing, world, member_client, caplog, version, auth, mode, stream
):
    caplog.set_level(logging.DEBUG)
    ws, deployment, access, credential = echoing
    Echo.mode = mode
    chosen = auth_of(credential=credential) if auth == "token" else auth_of(access)
    response, events = send(
        member_client, ws, deployment=deployment, version=version, auth=chosen, stream=stream
    )
    assert response.status_code == 200
    relayed = json.dumps(events, ensure_ascii=False)
    # The echo came through (masked), so the test would see a leak if there were one.
    assert "echo-key" in relayed or auth == "token"
    assert ("APIG.0101" in relayed) == (mode == "error")
    assert (access.key_hint if auth == "key" else "CAN******MII") in relayed
    assert not leaks(relayed)
    history = member_client.get(f"/w/{ws.code}/playground/history/").content.decode()
    assert not leaks(history)
    call = TestCall.objects.get()
    assert (call.outcome == "error") == (mode == "error")
    assert not leaks(every_stored_text())
    assert not leaks(caplog.text)


def test_iam_repeating_the_password_in_its_refusal(echoing, member_client, caplog):
    caplog.set_level(logging.DEBUG)
    ws, deployment, _access, credential = echoing
    Echo.iam_refuses = True
    _, events = send(member_client, ws, deployment=deployment, auth=auth_of(credential=credential))
    relayed = json.dumps(events, ensure_ascii=False)
    assert "IAM.401" in relayed and "bad request" in relayed
    assert not leaks(relayed)
    assert not leaks(every_stored_text()) and not leaks(caplog.text)
    assert not leaks(member_client.get(f"/w/{ws.code}/playground/history/").content.decode())


def test_key_check_against_an_echoing_upstream(echoing, world, caplog):
    caplog.set_level(logging.DEBUG)
    ws, _deployment, access, _credential = echoing
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    page = admin.post(f"/w/{ws.code}/access/{access.code}/check/", follow=True)
    assert page.status_code == 200
    assert not leaks(page.content.decode())
    assert not leaks(every_stored_text()) and not leaks(caplog.text)
