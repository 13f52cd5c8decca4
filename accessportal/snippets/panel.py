"""A snippet by variant, and the deployment page's Code panel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accessportal.headers import scheme_for
from accessportal.snippets.languages import RENDERERS
from accessportal.snippets.targets import (
    LANGUAGES,
    SnippetTarget,
    Variant,
    request_body,
    variants,
)

if TYPE_CHECKING:
    pass


def snippet(target: SnippetTarget, variant: Variant, body: Mapping | None = None) -> str:
    """The code of one variant, ready to paste and run once the environment is set."""
    if variant.version not in target.urls:
        raise ValueError(f"{target.name} does not serve {variant.version.upper()}")
    scheme_for(variant.version, variant.auth_mode)  # raises for V2 + token
    sent = request_body(target, variant, body)
    render = RENDERERS[variant.language]
    return render(target, variant, sent)


@dataclass(frozen=True)
class Snippet:
    variant: Variant
    code: str

    @property
    def dom_id(self) -> str:
        return f"snippet-{self.variant.slug}"


@dataclass(frozen=True)
class LanguageTab:
    language: str
    label: str
    snippets: tuple[Snippet, ...]


def request_snippets(
    target: SnippetTarget, version: str, auth_mode: str, body: Mapping
) -> list[LanguageTab]:
    """One request (the playground's: its version, auth mode and body, streaming as the
    body says) in every language that can send it, one snippet per language."""
    stream = bool(body.get("stream"))
    return [
        LanguageTab(
            variant.language,
            LANGUAGES[variant.language],
            (Snippet(variant, snippet(target, variant, body)),),
        )
        for variant in variants(target)
        if (variant.version, variant.auth_mode, variant.stream) == (version, auth_mode, stream)
    ]


def code_panel(target: SnippetTarget) -> list[LanguageTab]:
    """The deployment page's Code panel: one tab per language with its variants."""
    by_language: dict[str, list[Snippet]] = {}
    for variant in variants(target):
        by_language.setdefault(variant.language, []).append(
            Snippet(variant, snippet(target, variant))
        )
    return [
        LanguageTab(language, LANGUAGES[language], tuple(found))
        for language, found in by_language.items()
    ]
