"""A notification's words in every language, and its times in any zone (pure).

An event is raised once but read by channels in different languages and zones. The
raiser passes lazy texts (``gettext_lazy``, ``ngettext_lazy``, ``lazy_format``) and
datetimes; ``render_all`` turns them into plain strings once per language, stored with the
event, and a time stays an instant (``{"at": ISO}``) until a channel writes it in its zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy

from accessportal import timefmt

TIME_KEY = "at"


def _plain(value):
    return str(value) if isinstance(value, Promise) else value


def _format(template, params: dict) -> str:
    return str(template) % {key: _plain(value) for key, value in params.items()}


# Evaluated each time it is read, so in the language active then.
lazy_format = lazy(_format, str)


def is_text(value) -> bool:
    return isinstance(value, str | Promise)


def stored_value(value) -> str | dict:
    if isinstance(value, datetime):
        return {TIME_KEY: value.astimezone(UTC).isoformat()}
    return str(value)


def render_all(subject, facts: dict) -> dict[str, dict]:
    """``{language: {"subject": …, "facts": [[label, value], …]}}`` for every language."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = {
                "subject": str(subject)[:300],
                "facts": [[str(label), stored_value(value)] for label, value in facts.items()],
            }
    return texts


def value_text(value, zone: tzinfo) -> str:
    """A stored fact value as the reader sees it: a time in ``zone``, saying which."""
    if isinstance(value, dict) and TIME_KEY in value:
        return timefmt.absolute(datetime.fromisoformat(value[TIME_KEY]), zone)
    return str(value)


def text_in(texts: dict, language: str) -> dict | None:
    """The stored rendering for ``language`` (or its base language, then the default)."""
    for code in (language, language.split("-")[0], settings.LANGUAGE_CODE):
        if code in texts:
            return texts[code]
    return None
