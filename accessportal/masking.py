"""How a secret is shown on a page: enough to recognise it, never enough to use it."""

from __future__ import annotations

MASK = "******"
LONG_ENOUGH = 12  # below this, 3 + 3 visible characters would give too much away


def mask_secret(value: str) -> str:
    """``d59******9C3`` for a long key; only the last two characters for a short one."""
    if len(value) >= LONG_ENOUGH:
        return f"{value[:3]}{MASK}{value[-3:]}"
    return f"{MASK}{value[-2:]}" if len(value) > 2 else MASK
