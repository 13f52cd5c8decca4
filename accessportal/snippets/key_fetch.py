"""The key fetched from the portal at run time instead of copied around: a line per
language that sets ``PANGU_API_KEY`` from the portal's audited secret endpoint, with a
personal API token (secrets scope) in ``PORTAL_TOKEN``. Put it before any snippet."""

from __future__ import annotations

from accessportal.snippets.literals import js_str, py_str, sh_quote
from accessportal.snippets.targets import API_KEY_ENV, CURL, NODE, PYTHON

PORTAL_TOKEN_ENV = "PORTAL_TOKEN"


def key_fetch(secret_url: str) -> dict[str, str]:
    """Language → code that sets ``$PANGU_API_KEY`` from ``secret_url``; fails loudly."""
    return {
        # A plain assignment keeps curl's exit status (``export X=$(…)`` would hide it),
        # so a script under ``set -e`` stops when the portal refuses.
        CURL: (
            f'{API_KEY_ENV}=$(curl -fsS -H "Authorization: Bearer ${{{PORTAL_TOKEN_ENV}:?}}" '
            f"{sh_quote(secret_url)})\n"
            f"export {API_KEY_ENV}"
        ),
        PYTHON: (
            "import os\n"
            "import requests\n\n"
            f"_answer = requests.get({py_str(secret_url)}, timeout=30, headers={{\n"
            f'    "Authorization": "Bearer " + os.environ[{py_str(PORTAL_TOKEN_ENV)}]}})\n'
            "_answer.raise_for_status()\n"
            f"os.environ[{py_str(API_KEY_ENV)}] = _answer.text"
        ),
        NODE: (
            f"const keyAnswer = await fetch({js_str(secret_url)}, {{\n"
            f"  headers: {{ Authorization: `Bearer ${{process.env.{PORTAL_TOKEN_ENV}}}` }},\n"
            "});\n"
            "if (!keyAnswer.ok) throw new Error(`portal answered ${keyAnswer.status}`);\n"
            f"process.env.{API_KEY_ENV} = await keyAnswer.text();"
        ),
    }
