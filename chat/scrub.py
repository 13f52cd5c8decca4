"""Masking the secrets of a call out of whatever the upstream sends back.

Some gateways and IAM servers repeat the request in an error ("invalid header
Authorization: Bearer …"), or an echo service answers with it. Before anything from the
upstream is relayed, stored or logged, every secret used for the call (the API key, the
IAM token, the IAM password) is replaced by its mask, in the forms an echo may take:

- as it is;
- JSON-escaped: any character as ``\\uXXXX`` (either case, surrogate pairs for astral
  characters), ``\\/``, ``\\"``, ``\\\\``, also escaped again (JSON inside JSON);
- URL-encoded: any character as ``%XX`` of its UTF-8 bytes (either case, also ``%25XX``),
  a space as ``+``;
- base64 (standard and URL-safe, padded or not), also inside a longer base64 text
  (``user:password`` in Basic authentication) at each of the three byte offsets.

Each form may mix with the others character by character: a regular expression per secret
allows every spelling of every character. Pure functions, no Django.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass

from accessportal.masking import mask_secret

# Below this many base64 characters a fragment is too likely to occur by chance in a
# longer base64 text (an image, a signature) to be masked there.
_MIN_BASE64_CORE = 6
# The letter after the backslash in JSON's short escapes (\" \\ \/ \b \f \n \r \t).
_SHORT_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "\b": "b", "\f": "f", "\n": "n", "\r": "r"}
_SHORT_ESCAPES["\t"] = "t"
_BACKSLASHES = r"\\+"  # one backslash, or several when the text was escaped again


def _hex(value: int, width: int) -> str:
    """A hex number matching either case: ``[aA][0-9]`` for 0xA0."""
    digits = f"{value:0{width}x}"
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)


def _json_unit(code_unit: int) -> str:
    return _BACKSLASHES + "u" + _hex(code_unit, 4)


def _char_pattern(char: str) -> str:
    """Every spelling of one character an echo may use."""
    spellings = [re.escape(char)]
    point = ord(char)
    if point > 0xFFFF:
        high, low = divmod(point - 0x10000, 0x400)
        spellings.append(_json_unit(0xD800 + high) + _json_unit(0xDC00 + low))
    else:
        spellings.append(_json_unit(point))
    if char in _SHORT_ESCAPES:
        spellings.append(_BACKSLASHES + re.escape(_SHORT_ESCAPES[char]))
    spellings.append("".join(f"%(?:25)*{_hex(b, 2)}" for b in char.encode("utf-8")))
    if char == " ":
        spellings.append(r"\+")
    return "(?:" + "|".join(spellings) + ")"


def _base64_cores(secret: str) -> set[str]:
    """The base64 text of ``secret`` alone, and the part that stays the same whatever
    precedes it in a longer encoded text (one core per byte offset modulo 3)."""
    raw = secret.encode("utf-8")
    found: set[str] = set()
    whole = base64.b64encode(raw).decode("ascii")
    found.update({whole, whole.rstrip("=")})
    for offset in (0, 1, 2):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = -(-offset * 8 // 6)  # first character made of the secret's bits only
        end = (offset + len(raw)) * 8 // 6  # after the last such character
        core = encoded[start:end]
        if len(core) >= _MIN_BASE64_CORE:
            found.add(core)
    url_safe = {c.translate(str.maketrans("+/", "-_")) for c in found}
    return {c for c in found | url_safe if c}


# One level of JSON escaping, read left to right as a JSON parser does: an escaped
# backslash followed by "u0041" stays a backslash and "u0041", it is not an "A".
_JSON_ESCAPE = re.compile(r'\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))')
_SHORT_VALUES = {v: k for k, v in _SHORT_ESCAPES.items()}


def _json_decoded(text: str) -> str:
    if "\\" not in text:
        return text
    text = _JSON_ESCAPE.sub(
        lambda m: chr(int(m.group(1), 16)) if m.group(1) else _SHORT_VALUES[m.group(2)], text
    )
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # pairs


_PERCENT_RUN = re.compile(r"(?:%[0-9a-fA-F]{2})+")


def _percent_decoded(text: str, *, plus: bool) -> str:
    """URL-decoded until nothing changes (``%2541`` is ``%41`` is ``A``); a run of
    escapes is decoded as UTF-8 at once (regular expressions: fast on long texts)."""
    if plus:
        text = text.replace("+", " ")  # before %2B becomes a + that is not a space
    for _ in range(4):
        decoded = _PERCENT_RUN.sub(
            lambda m: bytes.fromhex(m.group().replace("%", "")).decode("utf-8", "replace"), text
        )
        if decoded == text:
            break
        text = decoded
    return text


def decoded_views(text: str) -> list[str]:
    """``text`` with its escapes undone in each order an echo may have applied them.

    A text holding any spelling of a secret holds the secret itself in one of these: a
    quick test that spares the full pattern for the texts (nearly all) without it.
    """
    layers = [text]
    for _ in range(3):  # JSON inside JSON inside JSON
        if "\\" not in layers[-1]:
            break
        layers.append(_json_decoded(layers[-1]))
    views = list(layers)
    for layer in layers:
        if "%" not in layer and "+" not in layer:
            continue
        for plus in (False, True):
            decoded = _percent_decoded(layer, plus=plus)
            if decoded != layer:
                views += [decoded, _json_decoded(decoded)]
    return views


def secret_pattern(secret: str) -> re.Pattern[str]:
    """One expression matching ``secret`` in any of the forms above."""
    spelled = "".join(_char_pattern(c) for c in secret)
    encoded = sorted(_base64_cores(secret), key=len, reverse=True)
    return re.compile("|".join([spelled, *map(re.escape, encoded)]))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of every secret replaced by that secret's mask."""
    return Scrubber(secrets).text(text)


_ESCAPABLE = frozenset('"\\/') | frozenset(map(chr, range(0x20)))


@dataclass(frozen=True)
class _Marks:
    """What escapes a text holds, looked at once per text."""

    unicode_escape: bool  # \uXXXX
    percent: bool  # %XX
    backslash: bool
    plus: bool

    @classmethod
    def of(cls, text: str) -> _Marks:
        return cls(
            unicode_escape="\\u" in text,
            percent="%" in text and _PERCENT_RUN.search(text) is not None,
            backslash="\\" in text,
            plus="+" in text,
        )


class _Rule:
    """One secret: its mask, its base64 cores, and its full pattern, compiled only when a
    text could hold an escaped spelling of it (most answers cannot)."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.mask = mask_secret(secret)
        self.cores = sorted(_base64_cores(secret), key=len, reverse=True)
        self._pattern: re.Pattern[str] | None = None
        self._short_escapable = any(c in _ESCAPABLE for c in secret)

    def __repr__(self) -> str:
        return "_Rule(…)"

    def could_be_escaped(self, marks: _Marks) -> bool:
        return (
            marks.unicode_escape
            or marks.percent
            or (marks.backslash and self._short_escapable)
            or (marks.plus and " " in self.secret)
        )

    def apply(self, value: str, marks: _Marks) -> str:
        if not self.could_be_escaped(marks):
            # The only spellings left are the secret as it is and its base64 forms:
            # plain replacing gives what the pattern would, much faster.
            for form in (self.secret, *self.cores):
                value = value.replace(form, self.mask)
            return value
        if not any(self.secret in view for view in decoded_views(value)) and not any(
            core in value for core in self.cores
        ):
            return value  # no spelling of the secret can be in it
        if self._pattern is None:
            self._pattern = secret_pattern(self.secret)
        return self._pattern.sub(lambda _match: self.mask, value)  # the mask taken literally


class Scrubber:
    """The secrets of one call, applied to every piece of its answer."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._rules: list[_Rule] = []
        self._seen: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def __repr__(self) -> str:  # never the secrets
        return f"Scrubber({len(self._rules)} secret(s))"

    def add(self, secret: str | None) -> None:
        if not secret or secret in self._seen:
            return
        self._seen.add(secret)
        self._rules.append(_Rule(secret))
        # Longer secrets first: one that contains another is masked whole.
        self._rules.sort(key=lambda rule: len(rule.secret), reverse=True)

    def text(self, value: str) -> str:
        if not self._rules or not value:  # a stream's blank separator lines: half of them
            return value
        marks = _Marks.of(value)
        for rule in self._rules:
            value = rule.apply(value, marks)
        return value

    def data(self, value: object) -> object:
        """Every string inside a JSON-like value (dicts, lists), scrubbed."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value
