"""The address filter of `check --external`: each kind of address it refuses, named, in IPv4 and
IPv6, and IPv6 addresses that carry an IPv4 one judged by where they lead."""
from __future__ import annotations

from ipaddress import IPv6Address, ip_address

import pytest

from microsite.public_ip import carried_ipv4, refused_reason


@pytest.mark.parametrize("address, reason", [
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("169.254.169.254", "link-local"),  # a cloud's metadata service
    ("fe80::1", "link-local"),
    ("fe80::1%2", "link-local"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.255", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("::7f00:1", "reserved"),  # IPv4-compatible, long deprecated
    ("100.64.0.0", "shared (carrier-grade NAT)"),
    ("100.127.255.255", "shared (carrier-grade NAT)"),
    ("10.0.0.1", "private or special-use"),
    ("172.16.0.1", "private or special-use"),
    ("192.168.1.1", "private or special-use"),
    ("0.1.2.3", "private or special-use"),  # "this network", 0.0.0.0/8
    ("192.0.2.1", "private or special-use"),  # documentation
    ("fc00::1", "private or special-use"),  # unique local, fc00::/7
    ("fdff:ffff::1", "private or special-use"),
    ("2001:db8::1", "private or special-use"),  # documentation
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped: judged as the IPv4 address it is
    ("::ffff:0.0.0.0", "unspecified"),
    ("::ffff:169.254.169.254", "link-local"),
    ("::ffff:10.0.0.1", "private or special-use"),
    ("::ffff:100.64.0.1", "shared (carrier-grade NAT)"),
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
    ("64:ff9b::a00:1", "private or special-use"),  # NAT64 of 10.0.0.1
    ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:e000:1::", "multicast"),  # 6to4 of 224.0.0.1
])
def test_each_kind_of_address_that_is_not_public_is_refused_by_name(address, reason):
    assert refused_reason(ip_address(address)) == reason


@pytest.mark.parametrize("address", [
    "8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "223.255.255.255", "9.255.255.255", "11.0.0.0",
    "2606:4700:4700::1111", "2001:4860:4860::8888",
    "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",  # carrying a public IPv4 address
])
def test_a_public_address_is_not_refused(address):
    assert refused_reason(ip_address(address)) is None


@pytest.mark.parametrize("address, carried", [
    ("::ffff:192.0.2.7", "192.0.2.7"),
    ("64:ff9b::c000:207", "192.0.2.7"),
    ("64:ff9b::ffff:ffff", "255.255.255.255"),
    ("2002:c000:207::1", "192.0.2.7"),
    ("2606:4700:4700::1111", None),
    ("64:ff9b:1::c000:207", None),  # the local-use NAT64 prefix is not the well-known one
])
def test_the_ipv4_address_an_ipv6_one_leads_to(address, carried):
    found = carried_ipv4(IPv6Address(address))
    assert (str(found) if found else None) == carried
