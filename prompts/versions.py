"""What changed between two versions of a prompt, as a short list a person reads.

``changes`` is pure and language-free: it returns ``[kind, details]`` pairs that are
stored with the version; ``describe`` words one in the reader's language when shown (and
in every language for the audit log). Messages are compared by position: the third
message of one version against the third of the other."""

from __future__ import annotations

from django.utils.translation import gettext as _

SNIPPET = 40  # characters of a changed text quoted in the summary


def snippet(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _messages(snapshot: dict) -> list:
    messages = (snapshot.get("body") or {}).get("messages")
    return messages if isinstance(messages, list) else []


def _parameters(snapshot: dict) -> dict:
    return {k: v for k, v in (snapshot.get("body") or {}).items() if k != "messages"}


def _role(message) -> str:
    return str(message.get("role", "")) if isinstance(message, dict) else ""


def _content(message):
    return message.get("content") if isinstance(message, dict) else message


def changes(old: dict, new: dict) -> list[list]:
    """The differences from ``old`` to ``new`` (each ``{"name", "description", "body"}``)."""
    found: list[list] = []
    if old.get("name") != new.get("name"):
        found.append(["renamed", {"old": old.get("name", ""), "new": new.get("name", "")}])
    if old.get("description", "") != new.get("description", ""):
        found.append(["description", {}])
    before, after = _messages(old), _messages(new)
    for i in range(max(len(before), len(after))):
        n = i + 1
        if i >= len(before):
            found.append(["message_added", {"n": n, "role": _role(after[i])}])
        elif i >= len(after):
            found.append(["message_removed", {"n": n, "role": _role(before[i])}])
        elif _role(before[i]) != _role(after[i]):
            found.append(
                ["message_role", {"n": n, "old": _role(before[i]), "new": _role(after[i])}]
            )
        if i < len(before) and i < len(after) and _content(before[i]) != _content(after[i]):
            found.append(
                [
                    "message_text",
                    {
                        "n": n,
                        "role": _role(after[i]),
                        "old": snippet(_content(before[i])),
                        "new": snippet(_content(after[i])),
                    },
                ]
            )
    p_old, p_new = _parameters(old), _parameters(new)
    for name in sorted(p_old.keys() | p_new.keys()):
        if name not in p_old:
            found.append(["parameter_set", {"name": name, "new": snippet(p_new[name])}])
        elif name not in p_new:
            found.append(["parameter_removed", {"name": name, "old": snippet(p_old[name])}])
        elif p_old[name] != p_new[name]:
            found.append(
                [
                    "parameter_changed",
                    {"name": name, "old": snippet(p_old[name]), "new": snippet(p_new[name])},
                ]
            )
    return found


def describe(change: list) -> str:
    """One change in words, in the active language."""
    kind, d = change[0], change[1] if len(change) > 1 else {}
    texts = {
        "created": lambda: _("Created."),
        "restored": lambda: _("Restored from version %(number)s.") % d,
        "renamed": lambda: _("Renamed from “%(old)s” to “%(new)s”.") % d,
        "description": lambda: _("Description changed."),
        "message_added": lambda: _("Message %(n)s (%(role)s) added.") % d,
        "message_removed": lambda: _("Message %(n)s (%(role)s) removed.") % d,
        "message_role": lambda: _("Message %(n)s: role %(old)s → %(new)s.") % d,
        "message_text": lambda: _("Message %(n)s (%(role)s): “%(old)s” → “%(new)s”.") % d,
        "parameter_set": lambda: _("%(name)s set to %(new)s.") % d,
        "parameter_removed": lambda: _("%(name)s removed (was %(old)s).") % d,
        "parameter_changed": lambda: _("%(name)s: %(old)s → %(new)s.") % d,
    }
    return texts[kind]() if kind in texts else str(kind)


def summary(found: list[list]) -> str:
    """Every change in one line, or a note that nothing changed."""
    return " ".join(describe(c) for c in found) or _("No change.")
