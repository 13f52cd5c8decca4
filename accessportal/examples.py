"""The example request body from the platform's own page, per API version."""

from __future__ import annotations

import json

from accessportal.callpaths import V2

SEED_PROMPT = "Introduce the Yangtze River and its typical fish species."


def example_body(version: str, model_name: str = "") -> dict:
    body: dict = {"messages": [{"content": SEED_PROMPT}], "temperature": 0.9, "max_tokens": 600}
    if version == V2:
        # V2 requires the deployment's model name and OpenAI-style roles.
        body = {"model": model_name, "messages": [{"role": "user", "content": SEED_PROMPT}]} | {
            k: v for k, v in body.items() if k != "messages"
        }
    return body


def example_json(version: str, model_name: str = "") -> str:
    return json.dumps(example_body(version, model_name), indent=2, ensure_ascii=False)
