"""Driving the playground the way the browser does, and reading its SSE events."""

from __future__ import annotations

import json

from django.test import Client

from accessportal.examples import SEED_PROMPT


def body(stream: bool = False, **extra) -> str:
    return json.dumps(
        {"messages": [{"role": "user", "content": SEED_PROMPT}], "max_tokens": 50}
        | ({"stream": True} if stream else {})
        | extra
    )


def parse_sse(raw: bytes) -> list[tuple[str, dict]]:
    events = []
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def send(client: Client, workspace, *, deployment, version="v1", auth, payload=None, stream=False):
    """POST to the playground; returns (response, events)."""
    response = client.post(
        f"/w/{workspace.code}/playground/send/",
        {
            "deployment": str(deployment.code),
            "version": version,
            "auth": auth,
            "body": payload if payload is not None else body(stream),
        },
    )
    if response.get("Content-Type", "").startswith("text/event-stream"):
        return response, parse_sse(b"".join(response.streaming_content))
    return response, []


def auth_of(access=None, credential=None) -> str:
    return f"access:{access.code}" if access else f"credential:{credential.code}"


def named(events, name):
    return [data for event, data in events if event == name]


def start_of_a_rate_window(margin: float = 10.0) -> None:
    """Wait until the one-minute rate window has at least ``margin`` seconds left, so a
    test's few calls all fall into the same window."""
    import time

    from chat.ratelimit import WINDOW_SECONDS

    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < margin:
        time.sleep(left + 0.05)
