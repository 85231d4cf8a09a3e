"""The SSRF guard: Frontline fetches only public http(s) addresses unless told otherwise.

A URL given by a Discord member or found in a feed must not make the bot talk to the machine it runs
on, its private network or a cloud metadata service. Two checks:

- `check_url` before every hop (the first URL and every redirect): the scheme is http or https, and a
  host written as a literal IP is public.
- `GuardedBackend` at connection time: the host name is resolved here, every address it resolves to is
  checked, and the socket is opened to one of those checked addresses. So the address actually connected
  to is the one that was checked (a DNS answer that changes between a check and the connection cannot
  slip through), and a refused address never receives a byte, not even the request line.

This pins the connection in an httpcore network backend rather than reading the peer address from the
response afterwards (`network_stream.get_extra_info("server_addr")`), because by then the request has
already been sent to the private address.

`allow_private=True` turns the address checks off (tests, intranets); `trusted_networks` allows only
the listed networks (e.g. one intranet host) and keeps refusing the rest.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpcore
import httpx

from retrieval.errors import FrontlineError


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

ALLOWED_SCHEMES = ("http", "https")
ALLOW_HINT = "set FRONTLINE_ALLOW_PRIVATE_URLS=1 to allow private addresses"

# Instance metadata services: AWS/GCP/Azure/Oracle (169.254.169.254), AWS ECS tasks, AWS over IPv6,
# Alibaba Cloud, Azure's wire server (public space, so only this list catches it).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16",
))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(FrontlineError):
    """A URL the guard will not fetch; the message says why and what would allow it."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_private: bool = False
    trusted_networks: tuple[str, ...] = ()     # CIDRs allowed even though private, e.g. "10.1.2.0/24"

    def check(self, host: str, address: str, *, literal: bool = False) -> None:
        """Raise Refused when `address` (what `host` resolved to, or `host` itself) is not public."""
        if self.allow_private:
            return
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip in ipaddress.ip_network(net, strict=False) for net in self.trusted_networks):
            return
        reason = non_public_reason(ip)
        if reason is None:
            return
        what = f"{host} is {reason}" if literal else f"{host} resolves to {reason} ({ip})"
        raise Refused(f"refused: {what}; {ALLOW_HINT}")


def non_public_reason(ip: IPAddress) -> str | None:
    """'a loopback address', 'a private address', … or None for a public unicast address."""
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            inner = non_public_reason(embedded)
            return f"an IPv6 form of {inner}" if inner else None
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for test, label in (
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.version == 4 and ip in _CGNAT, "a carrier-grade NAT address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "a non-public address"),
    ):
        if test:
            return label
    return None


def check_url(url: str | httpx.URL, policy: AddressPolicy) -> httpx.URL:
    """The parsed URL, if its scheme is http(s) and a literal-IP host is allowed; else Refused."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise Refused(f"not a valid URL ({exc})") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        scheme = parsed.scheme or "(none)"
        raise Refused(f"refused: only http and https URLs are fetched, not {scheme}:")
    if not parsed.host:
        raise Refused("not a valid URL (no host)")
    try:
        literal = ipaddress.ip_address(parsed.host.split("%", 1)[0])
    except ValueError:
        return parsed   # a name: checked when it is resolved, at connection time
    policy.check(parsed.host, str(literal), literal=True)
    return parsed


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve, check every address, then connect to a checked address (never to the name)."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolve = resolver or system_resolver
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        try:
            addresses = list(self._resolve(host, port))
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({_os_reason(exc)})") from None
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host} (no address)")
        # One bad address refuses the name: a host that is both public and private is not to be trusted.
        for address in addresses:
            self._policy.check(host, address)
        last: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                               socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None) -> httpcore.NetworkStream:
        raise Refused("refused: unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _os_reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
