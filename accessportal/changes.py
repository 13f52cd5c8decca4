"""What an edit changed, for the audit log: ``name (old → new)`` per changed field.

Secrets (a typed key or password) appear only as ``(changed)``: the audit log never holds
one. Values are shortened, so a long description cannot push the rest out of the summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from django.utils.translation import gettext as _

SECRET_FIELDS = frozenset({"api_key", "password"})
VALUE_LIMIT = 80
EMPTY = "—"


def shown(value: object) -> str:
    """One value as the audit log writes it."""
    if value is None or value == "" or value == [] or value == ():
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if not isinstance(value, str) and isinstance(value, Iterable):
        return ", ".join(sorted(shown(v) for v in value)) or EMPTY
    text = " ".join(str(value).split())  # one line: descriptions may hold line breaks
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def describe(
    changed: Iterable[str], before: Mapping, after: Mapping, labels: Mapping | None = None
) -> str:
    """``Changed: Name (a → b), Password (changed)``, or ``No change``; each field by its
    label (in the active language) where ``labels`` has one."""
    labels = labels or {}
    parts = []
    for name in changed:
        label = str(labels.get(name) or name)
        if name in SECRET_FIELDS:
            parts.append(_("%(field)s (changed)") % {"field": label})
        else:
            parts.append(f"{label} ({shown(before.get(name))} → {shown(after.get(name))})")
    if not parts:
        return _("No change")
    return _("Changed: %(fields)s") % {"fields": ", ".join(parts)}


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
    labels = {name: field.label for name, field in form.fields.items()}
    return describe(changed, before, after, labels)
