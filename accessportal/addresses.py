"""Which addresses the portal may call: one classification for the outbound client
(``chat/upstream.py``, at connect time, for every resolved address) and for the forms
(at save time, for addresses typed as IP literals).

Pure functions, no Django: the caller passes the settings in.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # most clouds, Huawei Cloud included
        "fd00:ec2::254",  # AWS IPv6 IMDS (a ULA, so "private" would otherwise pass it)
        "100.100.100.200",  # Alibaba Cloud (inside CGNAT 100.64/10)
    )
)

# Checked in order; the first match names the category.
_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(net), category)
    for net, category in (
        ("0.0.0.0/8", "unspecified"),  # Linux connects 0.0.0.0 to the local host
        ("::/128", "unspecified"),
        ("169.254.0.0/16", "link_local"),
        ("fe80::/10", "link_local"),
        ("224.0.0.0/4", "multicast"),
        ("ff00::/8", "multicast"),
        ("240.0.0.0/4", "reserved"),  # includes 255.255.255.255
        ("127.0.0.0/8", "loopback"),
        ("::1/128", "loopback"),
        ("10.0.0.0/8", "private"),
        ("172.16.0.0/12", "private"),
        ("192.168.0.0/16", "private"),
        ("100.64.0.0/10", "private"),  # carrier-grade NAT, often cloud-internal
        ("192.0.0.0/24", "private"),  # IETF protocol assignments (DS-Lite, NAT64 discovery)
        ("198.18.0.0/15", "private"),  # benchmarking, used inside some clouds
        ("fc00::/7", "private"),
        ("fec0::/10", "private"),  # deprecated site-local
        ("64:ff9b:1::/48", "private"),  # local-use NAT64 (RFC 8215); embedding varies
    )
)

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT, RFC 2765
ALWAYS_REFUSED = frozenset({"metadata", "unspecified", "link_local", "multicast", "reserved"})


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address really reaches, for the forms that carry one.

    A dual-stack socket connects ::ffff:a.b.c.d to a.b.c.d, and a NAT64 or 6to4 gateway
    forwards to the embedded address, so these must be judged as that IPv4 address.
    """
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64 or address in _IPV4_TRANSLATED:
        return low32
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # not :: and not ::1
        return low32
    return None


def classify_address(ip: str) -> str:
    """One of metadata, unspecified, link_local, multicast, reserved, loopback, private,
    public. Raises ValueError if ``ip`` is not an IP address."""
    address: _IPAddress = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            address = ipaddress.IPv6Address(str(address).split("%", 1)[0])
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            address = embedded
    if address in _METADATA_ADDRESSES:
        return "metadata"
    for network, category in _NETWORKS:
        if address.version == network.version and address in network:
            return category
    return "public"


def refusal(ip: str, *, allow_loopback: bool, allow_private: bool) -> str | None:
    """Why ``ip`` may not be contacted, or None if it may."""
    try:
        category = classify_address(ip)
    except ValueError:
        return "unparseable"
    return refusal_of_category(category, allow_loopback=allow_loopback, allow_private=allow_private)


def refusal_of_category(category: str, *, allow_loopback: bool, allow_private: bool) -> str | None:
    """``category`` if addresses of it may not be contacted under these settings."""
    if category in ALWAYS_REFUSED:
        return category
    if category == "loopback" and not allow_loopback:
        return category
    if category == "private" and not allow_private:
        return category
    return None


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogs (``refresh_catalogs`` finds the
    name) and returns it unchanged: this module and the outbound client stay free of
    the web framework; the portal translates where a person reads the text."""
    return message


CATEGORY_TEXT = {
    "metadata": gettext_noop("a cloud metadata address"),
    "unspecified": gettext_noop("an unspecified address"),
    "link_local": gettext_noop("a link-local address"),
    "multicast": gettext_noop("a multicast address"),
    "reserved": gettext_noop("a reserved address"),
    "loopback": gettext_noop("a loopback address (not allowed by the portal's settings)"),
    "private": gettext_noop("a private-network address (not allowed by the portal's settings)"),
    "unparseable": gettext_noop("an address the portal cannot check"),
}


def literal_ip(host: str) -> str | None:
    """The IP address ``host`` spells without any DNS lookup, or None for a name.

    Besides the usual forms this accepts what the system resolver also takes for an
    address (``inet_aton``: ``127.1``, ``0x7f.0.0.1``, ``2130706433``, ``0177.0.0.1``),
    since the outbound client would connect there. ``[v6]``, zone ids and one trailing
    dot are accepted too.
    """
    host = host.strip().strip("[]").removesuffix(".")
    if not host:
        return None
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        pass
    if all(c in "0123456789abcdefABCDEFxX." for c in host) and any(c.isdigit() for c in host):
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return None
    return None


def classify_host(host: str) -> str | None:
    """The category of a host typed in a form, when it can be known without DNS:
    an IP literal (any notation above) or a ``localhost`` name (RFC 6761); else None."""
    name = host.strip().strip("[]").removesuffix(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return "loopback"
    ip = literal_ip(host)
    return classify_address(ip) if ip else None


def url_host(url: str) -> str:
    """The host of an http(s) URL, or "" when there is none to read."""
    try:
        return urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
