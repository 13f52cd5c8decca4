"""``request_snippets``: one request (the playground's) in every language that can send it."""

from __future__ import annotations

from accessportal.snippets import (
    IamLogin,
    SnippetTarget,
    Variant,
    code_panel,
    request_snippets,
    snippet,
)

URLS = {
    "v1": "https://pangu.example.test/v1/p/deployments/d/chat/completions",
    "v2": "https://pangu.example.test/api/v2/chat/completions",
}
TARGET = SnippetTarget("Chat", "pangu-m", URLS, IamLogin("https://iam.example.test"))
BODY = {"messages": [{"role": "user", "content": "-n it's $HOME"}], "top_p": 0.5}


def languages(tabs) -> list[str]:
    return [tab.language for tab in tabs]


def test_one_snippet_per_language_of_the_requests_variant():
    tabs = request_snippets(TARGET, "v2", "api_key", BODY | {"stream": True})
    assert languages(tabs) == ["curl", "python", "openai", "node"]
    for tab in tabs:
        (only,) = tab.snippets
        assert only.variant == Variant(tab.language, "v2", "api_key", True)
        assert only.code == snippet(TARGET, only.variant, BODY | {"stream": True})


def test_v1_and_tokens_have_no_sdk():
    assert languages(request_snippets(TARGET, "v1", "token", BODY)) == ["curl", "python", "node"]
    assert languages(request_snippets(TARGET, "v1", "api_key", BODY)) == ["curl", "python", "node"]


def test_no_sdk_where_the_v2_path_does_not_end_in_chat_completions():
    odd = SnippetTarget("Odd", "m", {"v2": URLS["v2"] + "?x=1"}, IamLogin("https://iam.t"))
    assert languages(request_snippets(odd, "v2", "api_key", BODY)) == ["curl", "python", "node"]


def test_a_version_the_target_does_not_serve_has_no_code():
    v1_only = SnippetTarget("Old", "m", {"v1": URLS["v1"]}, IamLogin("https://iam.t"))
    assert request_snippets(v1_only, "v2", "api_key", BODY) == []


def test_the_body_is_the_requests_and_the_deployment_panel_keeps_its_example():
    (curl,) = request_snippets(TARGET, "v1", "api_key", BODY)[0].snippets
    assert "'\\''s $HOME" in curl.code and '"top_p": 0.5' in curl.code
    panel = {s.variant: s.code for tab in code_panel(TARGET) for s in tab.snippets}
    assert all("$HOME" not in code for code in panel.values())
    assert panel[curl.variant] == snippet(TARGET, curl.variant)
