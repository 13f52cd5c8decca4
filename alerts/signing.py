"""Message signatures: the portal's own, and the ones Feishu and DingTalk check.

Pure functions of (secret, timestamp, body), so receivers in any language can check
them from the README alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
SECRET_BYTES = 32


def generate_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def portal_signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``: the timestamp is
    signed too, so a receiver that refuses old timestamps also refuses replays."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def feishu_sign(secret: str, timestamp: int) -> str:
    """Feishu/Lark custom bot: HMAC-SHA256 keyed by ``"<timestamp>\\n<secret>"`` over an
    empty message, base64 (timestamp in seconds)."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk custom robot: HMAC-SHA256 keyed by the secret over
    ``"<timestamp ms>\\n<secret>"``, base64 (the caller URL-encodes it)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()
