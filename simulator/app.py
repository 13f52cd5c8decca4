"""The WSGI application: routes requests to IAM, V1, V2 and the /_sim/ test endpoints.

Check order for a chat call (first failure answers): edge path prefix
(APIG.0101) -> gateway authentication (APIG.03xx) -> deployment lookup
(PANGU.3254) -> key scope (APIG.0304) -> running (PANGU.3259) -> body
(PANGU.0010/3278/3318/3320/3321) -> fault -> answer. V2 has to read the body
for `model` before it can look the deployment up.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from typing import Any

from simulator import faults
from simulator.auth import (
    TokenStore,
    authenticate_v1,
    authenticate_v2,
    issue_iam_token,
    require_scope,
)
from simulator.completions import (
    Api,
    complete,
    completion_body,
    decode_json_object,
    parse_chat_request,
    stream_frames,
)
from simulator.errors import (
    ApiError,
    api_not_found,
    gateway_error,
    iam_error,
    parameter_illegal,
    parameter_missing,
    service_error,
    service_not_found,
    service_not_running,
)
from simulator.state import AppAccess, Deployment, State
from simulator.stats import Stats
from simulator.wire import (
    ENV_CLOSE_AFTER_RESPONSE,
    Request,
    Response,
    event_stream,
    json_response,
)

log = logging.getLogger("simulator")

MAX_BODY_BYTES = 8 * 1024 * 1024

_V1_PATH = re.compile(
    r"^(?:/(?P<prefix>.+?))?/v1/(?P<project_id>[^/]+)/deployments/(?P<deployment_id>[^/]+)"
    r"/chat/completions$"
)
_V2_PATH = re.compile(r"^(?:/(?P<prefix>.+?))?/api/v2/chat/completions$")
# Console call paths of cloud services may carry this gateway prefix.
_GATEWAY_PREFIX = re.compile(r"^v1/infers/[^/]+$")
_AUTH_HEADERS = ("x-auth-token", "x-apig-appcode", "authorization")
_WAIT_STEP_SECONDS = 0.1


@dataclass(frozen=True)
class Pacing:
    """How fast the simulated model talks."""

    first_token_ms: float = 200
    chunk_delay_ms: float = 50
    chunks: int = 16


class SimulatorApp:
    def __init__(
        self,
        state: State,
        pacing: Pacing | None = None,
        stats: Stats | None = None,
        stopping: threading.Event | None = None,
    ) -> None:
        self.state = state
        self.pacing = pacing or Pacing()
        self.stats = stats or Stats()
        self.tokens = TokenStore(state.token_ttl_seconds)
        # Set when the server shuts down: every wait in a request ends early.
        self.stopping = stopping or threading.Event()

    def __call__(
        self, environ: Mapping[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        try:
            request = Request.from_environ(environ, _read_body(environ))
            response = self._route(request)
        except ApiError as err:
            response = err.response
        except (ConnectionError, TimeoutError):
            raise  # the client is gone; the server handles it quietly
        except Exception:
            log.exception("simulator bug while handling %s", environ.get("PATH_INFO"))
            response = service_error(500, "PANGU.0031", "Inner service exception.").response
        headers = list(response.headers)
        if response.content_type:
            headers.append(("Content-Type", response.content_type))
        start_response(f"{response.status} {HTTPStatus(response.status).phrase}", headers)
        return [response.body] if isinstance(response.body, bytes) else response.body

    # --- routing -------------------------------------------------------------

    def _route(self, request: Request) -> Response:
        if request.path.startswith("/_sim/"):
            return self._sim_endpoint(request)
        self.stats.increment("requests")
        if request.path == "/v3/auth/tokens":
            if request.method != "POST":
                raise iam_error(405, "The method is not allowed for the requested URL.")
            response = issue_iam_token(self.state, self.tokens, request)
            self.stats.increment("iam_tokens_issued")
            return response
        if request.method == "POST":
            if match := _V1_PATH.match(request.path):
                return self._v1(request, match)
            if match := _V2_PATH.match(request.path):
                return self._v2(request, match)
        raise api_not_found()

    def _v1(self, request: Request, match: re.Match[str]) -> Response:
        reachable = self._reachable_at(match["prefix"])
        access = authenticate_v1(self.state, self.tokens, request)
        deployment = self.state.deployment(match["deployment_id"])
        if match["project_id"] != self.state.project_id:
            deployment = None
        return self._call("v1", request, access, deployment, reachable)

    def _v2(self, request: Request, match: re.Match[str]) -> Response:
        reachable = self._reachable_at(match["prefix"])
        access = authenticate_v2(self.state, request)
        model = decode_json_object(request.body).get("model")
        if model is None or model == "":
            raise parameter_missing("model")
        if not isinstance(model, str):
            raise parameter_illegal("model must be a string")
        deployment = self.state.deployment_for_model(model)
        return self._call("v2", request, access, deployment, reachable)

    def _reachable_at(self, prefix: str | None) -> Callable[[Deployment], bool]:
        """Which deployments answer under this path prefix (the address they live at)."""
        if prefix is None:  # the cloud endpoint, or an edge node's host port
            return lambda d: d.mode in ("cloud", "edge_node")
        if _GATEWAY_PREFIX.match(prefix):
            return lambda d: d.mode == "cloud"
        published = self.state.deployment_for_api_url(prefix)
        if published is None:
            raise api_not_found()
        return lambda d: d.deployment_id == published.deployment_id

    def _call(
        self,
        api: Api,
        request: Request,
        access: AppAccess | None,
        deployment: Deployment | None,
        reachable: Callable[[Deployment], bool],
    ) -> Response:
        if deployment is None or not reachable(deployment) or api not in deployment.versions:
            raise service_not_found()
        require_scope(access, deployment)
        if not deployment.running:
            raise service_not_running(deployment.status)
        chat = parse_chat_request(decode_json_object(request.body))
        completion = complete(chat, deployment.model, reasoning=deployment.reasoning)

        def healthy() -> Response:
            if chat.stream:
                pace = partial(self._pace, request)
                frames = stream_frames(api, chat, completion, self.pacing.chunks, pace)
                return event_stream(frames)
            self._linger(request, self.pacing.first_token_ms / 1000)
            return json_response(200, completion_body(completion))

        ctx = faults.FaultContext(
            request, api, chat, completion, self.pacing.chunks, partial(self._linger, request)
        )
        return faults.respond(self.state.fault_for(deployment.deployment_id), ctx, healthy)

    # --- waiting -------------------------------------------------------------

    def _pace(self, request: Request, chunk_index: int) -> None:
        delay = self.pacing.first_token_ms if chunk_index == 0 else self.pacing.chunk_delay_ms
        # Lingering, not sleeping: a long pause ends as soon as the client leaves.
        self._linger(request, delay / 1000)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.stopping.wait(seconds):
            raise ConnectionAbortedError("simulator stopping")

    def _linger(self, request: Request, seconds: float) -> None:
        """A long wait in small steps, given up once the client or the server is gone."""
        remaining = seconds
        while remaining > 0:
            self._sleep(min(_WAIT_STEP_SECONDS, remaining))
            remaining -= _WAIT_STEP_SECONDS
            if request.client_gone():
                self.stats.increment("client_left")
                raise ConnectionAbortedError("client went away")

    # --- /_sim/ test support -------------------------------------------------

    def _sim_endpoint(self, request: Request) -> Response:
        if request.path == faults.REDIRECT_TARGET:  # any method
            self.stats.increment("redirect_target_hits")
            if any(request.header(name) is not None for name in _AUTH_HEADERS):
                self.stats.increment("redirect_target_auth_headers")
            return json_response(200, {"redirect_target": True})
        actions: dict[str, tuple[str, Callable[[], Any]]] = {
            "/_sim/stats": ("GET", self.stats.snapshot),
            "/_sim/reset-stats": ("POST", lambda: self.stats.reset() or {"reset": True}),
            "/_sim/revoke-tokens": ("POST", lambda: {"revoked": self.tokens.revoke_all()}),
        }
        if request.path not in actions:
            return json_response(404, {"error": f"no simulator endpoint {request.path}"})
        method, action = actions[request.path]
        if request.method != method:
            return json_response(405, {"error": f"use {method}"}, [("Allow", method)])
        return json_response(200, action())


def _read_body(environ: Mapping[str, Any]) -> bytes:
    """The whole request body, so the connection can be reused for the next request."""
    stream = environ["wsgi.input"]
    close_after = environ.get(ENV_CLOSE_AFTER_RESPONSE, lambda: None)
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return _read_chunked(stream, close_after)
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        close_after()
        raise parameter_illegal("invalid Content-Length") from None
    if length > MAX_BODY_BYTES:
        close_after()  # the unread body would be taken for the next request
        raise gateway_error(413, "APIG.0201", "Request entity too large.")
    return stream.read(length) if length > 0 else b""


def _read_chunked(stream: Any, close_after: Callable[[], None]) -> bytes:
    body = bytearray()
    while True:
        try:
            size = int(stream.readline(1024).split(b";")[0].strip(), 16)
        except ValueError:
            close_after()
            raise parameter_illegal("malformed chunked request body") from None
        if size == 0:
            while stream.readline(1024).strip():  # trailers, up to the blank line
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY_BYTES:
            close_after()
            raise gateway_error(413, "APIG.0201", "Request entity too large.")
        body += stream.read(size)
        stream.readline(1024)  # CRLF after each chunk
