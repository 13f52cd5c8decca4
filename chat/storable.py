"""Text as every database can keep it (pure).

PostgreSQL's text and jsonb cannot hold the NUL character, so a message someone typed
with one (JSON's ``\\u0000``), an upstream's answer or a webhook receiver's error text
carrying one would make writing the record (a test call's, a probe's, a delivery's) fail,
after the answer, and the record would be lost. Each NUL becomes U+FFFD, the replacement
character, which says that something was there.
"""

from __future__ import annotations

NUL, REPLACEMENT = "\x00", "\ufffd"


def storable(value):
    """``value`` with NUL replaced in every string, inside dicts and lists too."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value
