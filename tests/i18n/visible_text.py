"""What a person reads on a page, and the English words in it (pure helpers)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is code, data for scripts, or a value shown as it is.
SKIPPED = {"script", "style", "code", "pre", "textarea"}
# Attributes a person reads (tooltips, screen-reader names, confirm dialogs, hints).
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-confirm"}
VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area", "base"}

# Product and tool names, protocol words the console itself writes in Latin letters,
# header and JSON field names: never translated (locale/GLOSSARY.md, "Kept as written").
ALLOWED = {
    "API", "Key", "Token", "IAM", "ELB", "IP", "URL", "Header", "JSON", "HTTP", "TLS",
    "UTC", "ID", "V1", "V2", "ModelArts", "Pangu", "OpenAI", "Postman", "Collection",
    "Environment", "curl", "Python", "Node", "SDK", "requests", "fetch", "English",
    "domain", "model", "temperature", "top_p", "max_tokens", "n", "presence_penalty",
    "frequency_penalty", "stream", "http", "https", "PORTAL_ENCRYPTION_KEYS",
    "Webhook", "Lark", "Slack",  # notification channels' product names
    "ms", "MB",  # unit symbols, written so in Chinese too
    "IPv4", "IPv6", "CSV", "UTF", "ISO", "Ctrl", "Mac",  # formats and keys
    "sendalerts",  # a management command named in running text
    "CI", "REST", "GitHub", "gitleaks",  # tools and protocols
    "read", "write", "secrets",  # the API tokens' scope names, as the API spells them
    "secret", "scanning",  # "GitHub secret scanning", a product feature's name
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:'[a-z]+)?")
# Codes, addresses, paths, zone names, masks: tokens with a dot, slash, @, colon or a digit
# run inside are values, not words.
_VALUE = re.compile(r"\S*[./@:*<>{}$=]\S*|\S*\d\S*-\S*|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping:
            self.texts += [v for k, v in attrs if k in READ_ATTRIBUTES and v]
            if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
                self.texts.append(dict(attrs).get("value") or "")
        if tag in SKIPPED or (self.skipping and tag not in VOID):
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and tag not in VOID:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    return [t.strip() for t in reader.texts if t.strip()]


def words_of(text: str) -> list[str]:
    return _WORD.findall(_VALUE.sub(" ", text))


def english_words(html: str, allowed: set[str]) -> list[tuple[str, str]]:
    """(word, the text it is in) for each Latin word that is neither allowed nor data."""
    found = []
    for text in visible_texts(html):
        for word in words_of(text):
            if word not in allowed and word not in ALLOWED:
                found.append((word, text))
    return found
