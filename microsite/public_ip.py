"""Which addresses `check --external` may connect to: the public internet's, and no other.

A source's `url` comes with a pull request, and the check runs on a maintainer's machine or in
CI: an address that leads to that machine (127.0.0.1, `localhost`, `2130706433`), to its
network (10.x, fc00::) or to a cloud's metadata service (169.254.169.254) would make the check a
way into places a contributor cannot reach. The check resolves a name first and asks this
about every address it resolves to, then connects to an address it asked about.
"""
from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

SHARED = IPv4Network("100.64.0.0/10")  # carrier-grade NAT: an operator's network, not the internet
NAT64 = IPv6Network("64:ff9b::/96")  # an IPv4 address in its last 32 bits, reached through a gateway
LOOPBACK = "loopback"


def carried_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one leads to (mapped ::ffff:a.b.c.d, NAT64, 6to4), if any:
    the address a connection really reaches, so the one to judge."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def refused_reason(ip: IPv4Address | IPv6Address) -> str | None:
    """Why the check may not connect to `ip` (the kind of address, for the report), or None for
    an address of the public internet."""
    if isinstance(ip, IPv6Address):
        ip = carried_ipv4(ip) or ip
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return LOOPBACK
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip in SHARED:
        return "shared (carrier-grade NAT)"
    if not ip.is_global:
        return "private or special-use"
    return None
