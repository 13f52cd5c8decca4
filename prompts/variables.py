"""``{{variables}}`` in a saved prompt's messages: find them, fill them. Pure functions.

The rules (README, "Saved prompts"):
- A variable is ``{{name}}``, spaces inside the braces allowed (``{{ name }}``); a name is
  a letter or ``_`` then letters, digits or ``_``. Names are case-sensitive.
- Anything else between double braces (``{{ not a name }}``, JSON such as ``{"a": {}}``)
  is text, left as written.
- ``\\{{name}}`` (a backslash before the braces) is the literal text ``{{name}}``: the
  backslash goes, the braces stay, nothing is filled.
- Only the ``content`` of messages (strings) holds variables; parameters never do.
- A name used several times is one variable, filled everywhere with the same value.
- Filling is one pass: a value that itself holds ``{{x}}`` is not filled again.
- Every variable needs a value that is not blank; values for names the prompt does not use
  are refused (a typo would otherwise be silently ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# An escaped variable first, so ``\{{x}}`` is never read as a variable.
_TOKEN = re.compile(r"(?P<escaped>\\)?\{\{\s*(?P<name>" + NAME + r")\s*\}\}")
MAX_VARIABLES = 50


@dataclass(frozen=True)
class FillError(Exception):
    """What is wrong with the values given: names missing a value, names unknown."""

    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


def names_in_text(text: str) -> list[str]:
    """The variable names of one text, each once, in order of first use."""
    seen: dict[str, None] = {}
    for match in _TOKEN.finditer(text):
        if not match.group("escaped"):
            seen.setdefault(match.group("name"))
    return list(seen)


def _contents(body: dict) -> list[str]:
    messages = body.get("messages") if isinstance(body, dict) else None
    return [
        m["content"]
        for m in messages or []
        if isinstance(m, dict) and isinstance(m.get("content"), str)
    ]


def variables_of(body: dict) -> list[str]:
    """The variable names of a request body's messages, each once, in order of first use."""
    seen: dict[str, None] = {}
    for text in _contents(body):
        for name in names_in_text(text):
            seen.setdefault(name)
    return list(seen)


def fill_text(text: str, values: dict[str, str]) -> str:
    """``text`` with each variable replaced by its value and each escape undone. Names
    without a value stay as written (``fill`` checks for them first)."""

    def replace(match: re.Match) -> str:
        if match.group("escaped"):
            return match.group(0)[1:]
        return values.get(match.group("name"), match.group(0))

    return _TOKEN.sub(replace, text)


def fill(body: dict, values: dict[str, str]) -> dict:
    """A copy of ``body`` with every message's variables filled. Raises ``FillError``
    naming every missing and unknown variable at once; ``body`` is never changed."""
    wanted = variables_of(body)
    given = {k: v for k, v in values.items() if isinstance(v, str) and v.strip()}
    missing = tuple(name for name in wanted if name not in given)
    unknown = tuple(sorted(name for name in values if name not in wanted))
    if missing or unknown:
        raise FillError(missing=missing, unknown=unknown)
    filled = dict(body)
    filled["messages"] = [
        {**m, "content": fill_text(m["content"], given)}
        if isinstance(m, dict) and isinstance(m.get("content"), str)
        else m
        for m in body.get("messages") or []
    ]
    return filled
