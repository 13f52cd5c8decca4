"""One test call: planned from the catalog, run through the one outbound client, told
as the portal's own events, and recorded.

The browser names only codes (deployment, key or credential), a version and a body;
everything that decides where the call goes and what it carries comes from the catalog
here. The decrypted key or token exists only inside ``CallRun._send``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accessportal import snippets
from accessportal.callpaths import V2
from accessportal.crypto import CryptoError
from accessportal.headers import API_KEY, TOKEN, request_headers
from accessportal.models import ApplicationAccess, Deployment, IamCredential
from chat import tokens
from chat.hints import hint_for, upstream_message
from chat.models import Origin, Outcome, TestCall
from chat.scrub import Scrubber
from chat.storable import storable
from chat.streams import (
    Delta,
    Done,
    Finish,
    Reasoning,
    StreamError,
    StreamParser,
    Usage,
    parse_completion,
    parse_error_body,
)
from chat.upstream import Cancellation, UpstreamError, UpstreamPolicy, open_stream, post_json

# A token the platform says is stale is fetched again once, and the call retried once.
TOKEN_RETRY_CODES = {"APIG.0301", "APIG.0307"}
RAW_LIMIT = 64 * 1024  # how much of the raw answer the playground shows
KEPT_RAW_LIMIT = 16 * 1024  # how much of it the history keeps, per call


def policy_from_settings() -> UpstreamPolicy:
    return UpstreamPolicy(
        connect_timeout=settings.PORTAL_UPSTREAM_CONNECT_TIMEOUT,
        read_timeout=settings.PORTAL_UPSTREAM_READ_TIMEOUT,
        total_deadline=settings.PORTAL_UPSTREAM_DEADLINE,
        max_bytes=settings.PORTAL_UPSTREAM_MAX_BYTES,
        allow_loopback=settings.PORTAL_UPSTREAM_ALLOW_LOOPBACK,
        allow_private=settings.PORTAL_UPSTREAM_ALLOW_PRIVATE,
    )


@dataclass
class CallPlan:
    deployment: Deployment
    version: str
    user: object
    body: dict
    access: ApplicationAccess | None = None
    credential: IamCredential | None = None
    origin: str = Origin.PLAYGROUND

    @property
    def auth_mode(self) -> str:
        return TOKEN if self.credential else API_KEY

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @cached_property
    def url(self) -> str:
        return self.deployment.call_paths()[self.version]

    @property
    def auth_label(self) -> str:
        if self.credential:
            label = f"IAM {self.credential.name} ({self.credential.iam_user})"
        else:
            label = f"{self.access.name} ({self.access.key_hint})"
        return label[:150]  # the history column

    def masked_headers(self) -> dict[str, str]:
        stand_in = "<IAM token>" if self.credential else self.access.key_hint
        return request_headers(self.version, self.auth_mode, stand_in)

    def curl(self) -> str:
        """The same request as a curl command, the secret read from the environment."""
        env = snippets.AUTH_TOKEN_ENV if self.credential else snippets.API_KEY_ENV
        headers = request_headers(self.version, self.auth_mode, snippets.env_ref(env))
        return snippets.curl_command(
            self.url, headers, self.body, secret_env=env, stream=self.stream
        )

    def body_bytes(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode()


def final_body(body: dict, *, deployment: Deployment, version: str) -> dict:
    """The body as sent: V2's ``model`` always comes from the catalog."""
    body = dict(body)
    if version == V2:
        body["model"] = deployment.model_name
        if body.get("stream"):
            # OpenAI-style streams report usage only when asked to.
            body.setdefault("stream_options", {"include_usage": True})
    return body


@dataclass
class CallResult:
    status: int | None = None
    outcome: str = Outcome.OK
    error_code: str = ""
    error_message: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    latency_ms: int | None = None
    ttft_ms: int | None = None
    raw: list[str] = field(default_factory=list)
    raw_size: int = 0
    # The call's secrets: whatever the upstream sends back passes through it before it
    # is relayed, kept or recorded (an upstream may echo the request's headers).
    scrubber: Scrubber = field(default_factory=Scrubber, repr=False)

    def keep_raw(self, text: str) -> None:
        """Keep ``text`` for the history: already passed through ``scrubber`` by the
        caller (every caller relays or parses the scrubbed text too), so it is not
        scrubbed a second time (a stream keeps two lines per chunk)."""
        if self.raw_size < RAW_LIMIT:
            self.raw.append(storable(text[: RAW_LIMIT - self.raw_size]))
            self.raw_size += len(text)

    def fail(self, code: str, message: str) -> dict:
        # Upstream codes and texts are untrusted: cut to what the history keeps.
        code, message = (
            storable(self.scrubber.text(code)[:64]),
            storable(self.scrubber.text(message)[:500]),
        )
        self.outcome, self.error_code, self.error_message = Outcome.ERROR, code, message
        return {
            "code": code,
            "message": message,
            "hint": hint_for(code, self.status),
            "status": self.status,
        }


class CallRun:
    """Runs a plan; iterate ``events()`` for (name, data) pairs: start, status (a
    stream's HTTP status, once its head arrived), reasoning (a reasoning model's thoughts)
    and delta (the first of either with ttft_ms), usage, error, end. ``result`` fills in
    as it goes, so it can be recorded even when the consumer stops early (the browser went
    away or pressed Stop)."""

    def __init__(self, plan: CallPlan, policy: UpstreamPolicy) -> None:
        self.plan = plan
        self.policy = policy
        self.result = CallResult()
        self._started = 0.0
        # cancel() from any thread ends the upstream call at once (the browser left).
        self.cancellation = Cancellation()

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self._started) * 1000)

    def events(self) -> Iterator[tuple[str, dict]]:
        plan = self.plan
        self._started = time.monotonic()
        yield (
            "start",
            {
                "url": plan.url,
                "headers": plan.masked_headers(),
                "body": plan.body,
                "version": plan.version,
                "auth": plan.auth_label,
                "stream": plan.stream,
                "curl": plan.curl(),
            },
        )
        try:
            if plan.stream:
                yield from self._stream()
            else:
                yield from self._once()
        except UpstreamError as error:
            self.result.status = self.result.status or error.status
            if error.kind == "cancelled":
                # Nobody is left to tell: the relay records the call as stopped.
                self.result.latency_ms = self.elapsed_ms()
                return
            # In the caller's language, stored as written (like the audit's text);
            # the code stays the machine-readable part.
            yield "error", self.result.fail(f"upstream.{error.kind}", upstream_message(error))
        except tokens.TokenError as error:
            self.result.status = error.status
            yield "error", self.result.fail(error.code, error.message)
        except CryptoError:
            yield (
                "error",
                self.result.fail(
                    "portal.decrypt", _("The stored key or password cannot be decrypted.")
                ),
            )
        self.result.latency_ms = self.elapsed_ms()
        yield "end", self.end_data()

    def end_data(self) -> dict:
        r = self.result
        return {
            "status": r.status,
            "outcome": r.outcome,
            "latency_ms": r.latency_ms,
            "ttft_ms": r.ttft_ms,
            "finish_reason": r.finish_reason,
            "raw": "".join(r.raw),
        }

    @sensitive_variables()  # all locals, also in the client frames below this one
    def _send(self, opener, *, refresh: bool = False):
        plan = self.plan
        scrubber = self.result.scrubber
        if plan.credential:
            scrubber.add(plan.credential.password())
            secret = tokens.get_token(plan.credential, self.policy, refresh=refresh)
        else:
            secret = plan.access.api_key()
        scrubber.add(secret)
        headers = request_headers(plan.version, plan.auth_mode, secret)
        if plan.stream:
            headers["Accept"] = "text/event-stream"
            headers["Accept-Encoding"] = "identity"
        return opener(
            plan.url,
            headers=headers,
            body=plan.body_bytes(),
            policy=self.policy,
            cancellation=self.cancellation,
        )

    def _needs_new_token(self, status: int, body: bytes) -> bool:
        if not self.plan.credential or status < 400:
            return False
        error = parse_error_body(body)
        return bool(error and error[0] in TOKEN_RETRY_CODES)

    def _scrubbed(self, body: bytes) -> bytes:
        return self.result.scrubber.text(body.decode("utf-8", "replace")).encode()

    def _error_from_body(self, body: bytes) -> dict:
        code, message = parse_error_body(body) or (
            f"HTTP {self.result.status}",
            body[:300].decode("utf-8", "replace") or _("The service answered with an error."),
        )
        return self.result.fail(code, message)

    def _once(self) -> Iterator[tuple[str, dict]]:
        response = self._send(post_json)
        if self._needs_new_token(response.status, response.body):
            response = self._send(post_json, refresh=True)
        self.result.status = response.status
        answer = self._scrubbed(response.body)
        self.result.keep_raw(answer.decode())
        if not 200 <= response.status < 300:
            yield "error", self._error_from_body(answer)
            return
        completion = parse_completion(answer)
        if completion is None:
            yield (
                "error",
                self.result.fail(
                    "upstream.malformed",
                    _("The service answered 200 but not with a chat completion."),
                ),
            )
            return
        # No time to first token: the whole answer came at once, so it would only
        # repeat the latency.
        for index, thought in enumerate(completion.reasonings):
            if thought:
                yield "reasoning", {"text": thought, "index": index}
        for index, text in enumerate(completion.texts or (completion.text,)):
            yield "delta", {"text": text, "index": index}
        self.result.finish_reason = completion.finish_reason
        if completion.usage:
            self.result.usage = completion.usage
            yield "usage", usage_data(completion.usage)

    def _stream(self) -> Iterator[tuple[str, dict]]:
        upstream = self._send(open_stream)
        try:
            error_body = None if 200 <= upstream.status < 300 else upstream.read_body()
            if error_body is not None and self._needs_new_token(upstream.status, error_body):
                upstream.close()
                upstream = self._send(open_stream, refresh=True)
                error_body = None if 200 <= upstream.status < 300 else upstream.read_body()
            self.result.status = upstream.status
            if error_body is not None:
                error_body = self._scrubbed(error_body)
                self.result.keep_raw(error_body.decode())
                yield "error", self._error_from_body(error_body)
                return
            # The browser shows the status now, not when the stream ends.
            yield "status", {"status": upstream.status}
            parser = StreamParser()
            for raw_line in upstream.iter_lines():
                line = self.result.scrubber.text(raw_line)
                self.result.keep_raw(line + "\n")
                for event in parser.feed_line(line):
                    yield from self._stream_event(event)
                if self.result.outcome == Outcome.ERROR:
                    break
                if parser.done:
                    upstream.finish()  # the connection goes back to the pool
                    break
            else:
                for event in parser.finish():
                    yield from self._stream_event(event)
        finally:
            upstream.close()  # also when the consumer stops early: the upstream sees it

    def _stream_event(self, event) -> Iterator[tuple[str, dict]]:
        if isinstance(event, Delta | Reasoning):
            data = {"text": event.text, "index": event.index}
            if self.result.ttft_ms is None:
                # A reasoning model's first thought is its first token.
                self.result.ttft_ms = self.elapsed_ms()
                data["ttft_ms"] = self.result.ttft_ms  # shown as soon as it is known
            yield ("delta" if isinstance(event, Delta) else "reasoning"), data
        elif isinstance(event, Usage):
            self.result.usage = event
            yield "usage", usage_data(event)
        elif isinstance(event, Finish):
            self.result.finish_reason = event.reason
        elif isinstance(event, StreamError):
            code = "upstream.malformed" if event.code == "malformed" else event.code
            yield "error", self.result.fail(code, event.message)
        elif isinstance(event, Done):
            pass


def usage_data(usage: Usage) -> dict:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
    }


def prompt_excerpt(body: dict) -> str:
    limit = settings.PORTAL_TESTCALL_PROMPT_CHARS
    if limit <= 0:
        return ""
    messages = body.get("messages") or []
    texts = [str(m.get("content", "")) for m in messages if isinstance(m, dict)]
    return storable(" / ".join(texts)[: min(limit, 500)])


def kept_request(plan: CallPlan, raw: str) -> dict:
    """What the history keeps of the request and the answer: the masked headers always
    (they hold no secret), the body and the raw answer only when the operator keeps
    prompts at all."""
    kept = {"request_url": plan.url[:500], "request_headers": plan.masked_headers()}
    if settings.PORTAL_TESTCALL_PROMPT_CHARS > 0:
        kept |= {"request_body": storable(plan.body), "response_raw": raw[:KEPT_RAW_LIMIT]}
    return kept


def record(run: CallRun, *, aborted: bool = False, code: uuid.UUID | None = None) -> TestCall:
    """Write the TestCall and the key's last use, whatever happened to the call.

    ``code``: the one the browser was already told (the relay records after the end)."""
    plan, result = run.plan, run.result
    if aborted and result.outcome == Outcome.OK:
        result.outcome = Outcome.ABORTED
    usage = result.usage
    with transaction.atomic():
        call = TestCall.objects.create(
            **({"code": code} if code else {}),
            workspace=plan.deployment.workspace,
            deployment=plan.deployment,
            deployment_name=plan.deployment.name,
            user=plan.user,
            username=plan.user.get_username() if plan.user else "",  # a key check's asker gone
            api_version=plan.version,
            auth_mode=plan.auth_mode,
            access=plan.access,
            credential=plan.credential,
            auth_label=plan.auth_label,
            stream=plan.stream,
            outcome=result.outcome,
            status_code=result.status,
            error_code=result.error_code,
            error_message=result.error_message,
            latency_ms=result.latency_ms if result.latency_ms is not None else run.elapsed_ms(),
            ttft_ms=result.ttft_ms,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            total_tokens=usage.total_tokens if usage else None,
            prompt_excerpt=prompt_excerpt(plan.body),
            origin=plan.origin,
            **kept_request(plan, "".join(result.raw)),
        )
        if plan.access is not None:
            ApplicationAccess.objects.filter(pk=plan.access.pk).update(last_used_at=timezone.now())
    return call
