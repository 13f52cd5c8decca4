"""What an edit changed, for the audit log: ``name (old → new)`` per changed field.

Secrets (a typed key or password) appear only as ``(changed)``: the audit log never holds
one. Values are shortened, so a long description cannot push the rest out of the summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

SECRET_FIELDS = frozenset({"api_key", "password"})
VALUE_LIMIT = 80
EMPTY = "—"


def shown(value: object) -> str:
    """One value as the audit log writes it."""
    if value is None or value == "" or value == [] or value == ():
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if not isinstance(value, str) and isinstance(value, Iterable):
        return ", ".join(sorted(shown(v) for v in value)) or EMPTY
    text = " ".join(str(value).split())  # one line: descriptions may hold line breaks
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def describe(changed: Iterable[str], before: Mapping, after: Mapping) -> str:
    """``Changed: name (a → b), password (changed)``, or ``No change``."""
    parts = []
    for name in changed:
        if name in SECRET_FIELDS:
            parts.append(f"{name} (changed)")
        else:
            parts.append(f"{name} ({shown(before.get(name))} → {shown(after.get(name))})")
    return "Changed: " + ", ".join(parts) if parts else "No change"


def describe_form(form) -> str:
    """The changes of a bound, valid form: its initial values against the cleaned ones.

    A field counts as changed when the form says so or when what is saved differs from
    what was there (a form may clear fields itself, e.g. the other mode's addresses).
    """
    before, after = form.initial, form.cleaned_data
    changed = [
        name
        for name in form.fields
        if name in form.changed_data
        or (
            name in after
            and name not in SECRET_FIELDS
            and shown(before.get(name)) != shown(after.get(name))
        )
    ]
    return describe(changed, before, after)
