"""The client's address as far as the portal can trust it.

gunicorn puts the TCP peer in REMOTE_ADDR and never rewrites it from X-Forwarded-For.
Behind reverse proxies that peer is the nearest proxy, so every user would share one
address. Each proxy that follows the usual convention (nginx's
``$proxy_add_x_forwarded_for``) *appends* the address it received the request from;
with ``PORTAL_TRUSTED_PROXY_COUNT = n`` the client is therefore the n-th entry from the
right. Entries further left were written by the client itself and are never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def forwarded_client(remote_addr: str, forwarded_for: str, trusted_proxies: int) -> str:
    """Pure rule behind :func:`client_ip`: the address ``trusted_proxies`` hops back."""
    if trusted_proxies <= 0:
        return remote_addr
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if len(hops) < trusted_proxies:
        # The request did not pass through every configured proxy: only the peer is known.
        return remote_addr
    candidate = hops[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def client_ip(request: HttpRequest) -> str | None:
    """For django-axes (AXES_CLIENT_IP_CALLABLE) and anything else that needs it."""
    remote = request.META.get("REMOTE_ADDR", "")
    address = forwarded_client(
        remote,
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 0),
    )
    return address or None
