"""Values as code: shell words, Python and JavaScript literals. Every value that lands in
a snippet goes through here, never pasted in raw."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from accessportal.snippets.targets import NODE, PYTHON

if TYPE_CHECKING:
    pass

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
