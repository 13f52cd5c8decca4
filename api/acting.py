"""Every change made through the API says so in the audit log, with the token used."""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.http import HttpRequest

from accessportal import audit


def token_label(token) -> str:
    return f"API token {token.prefix}… {token.name}"[:120]


def acting(request: HttpRequest) -> AbstractContextManager[None]:
    return audit.via(token_label(request.auth))
