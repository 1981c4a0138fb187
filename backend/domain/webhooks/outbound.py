"""Outbound HTTP that cannot be pointed at the platform's own network (SSRF protection).

Webhook deliveries and image-URL imports send requests to addresses users choose. A name is
resolved here, every address it resolves to is checked, and the connection is made to the
checked address itself, so a second DNS answer (rebinding) cannot slip a private address
in between the check and the connect. Refused: loopback, private (RFC 1918, unique local),
link-local (cloud metadata at 169.254.169.254 included), shared (100.64.0.0/10), multicast,
reserved, unspecified and documentation ranges, and IPv4 addresses hidden in IPv6 forms
(``::ffff:127.0.0.1``) -- everything :attr:`ipaddress.IPv4Address.is_global` excludes --
unless the address lies in a network the settings allow (self-hosting, tests). Proxies from
the environment are ignored, and redirects are followed only by callers that re-check them.
TLS is verified against the URL's host name as usual.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedDestinationError(Exception):
    """The URL or one of the addresses its host resolves to may not be reached."""


@dataclass(frozen=True)
class DestinationPolicy:
    allowed_networks: tuple[IPNetwork, ...] = ()
    require_https: bool = True

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str], *, require_https: bool) -> DestinationPolicy:
        return cls(
            allowed_networks=tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs),
            require_https=require_https,
        )

    def check_address(self, address: IPAddress) -> None:
        if any(address in network for network in self.allowed_networks):
            return
        effective = _unwrap(address)
        if any(effective in network for network in self.allowed_networks):
            return
        if not effective.is_global or effective.is_multicast:
            raise BlockedDestinationError(f"{address} is {_kind(effective)} address")

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of ``host``, each checked; an empty or refused answer raises."""
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        else:
            try:
                answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise BlockedDestinationError(f"{host} does not resolve: {exc.strerror}") from exc
            addresses = []
            for *_, sockaddr in answers:
                address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
                if address not in addresses:
                    addresses.append(address)
        if not addresses:
            raise BlockedDestinationError(f"{host} has no address")
        for address in addresses:
            self.check_address(address)
        return addresses

    def check_url(self, url: str) -> None:
        """Scheme, credentials and every resolved address of ``url``'s host."""
        parts = urlsplit(url)
        allowed_schemes = ("https",) if self.require_https else ("https", "http")
        if parts.scheme not in allowed_schemes:
            raise BlockedDestinationError(f"only {' or '.join(allowed_schemes)} URLs are allowed")
        if not parts.hostname:
            raise BlockedDestinationError("the URL has no host")
        if parts.username or parts.password:
            raise BlockedDestinationError("credentials in the URL are not allowed")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise BlockedDestinationError("the URL has an invalid port") from exc
        self.resolve(parts.hostname, port)


def _unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address inside IPv4-mapped, 6to4 and NAT64-style IPv6 forms."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _kind(address: IPAddress) -> str:
    for attribute, words in (
        ("is_loopback", "a loopback"),
        ("is_link_local", "a link-local"),
        ("is_multicast", "a multicast"),
        ("is_unspecified", "an unspecified"),
        ("is_private", "a private"),
        ("is_reserved", "a reserved"),
    ):
        if getattr(address, attribute):
            return words
    return "a non-public"


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses of the requested host."""

    def __init__(self, policy: DestinationPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in self._policy.resolve(host, port):
            try:
                return self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"cannot connect to {host}")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise BlockedDestinationError("unix sockets are not reachable")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool opening connections through the guard."""

    def __init__(self, policy: DestinationPolicy, *, max_connections: int = 10) -> None:
        super().__init__(trust_env=False, retries=0)
        # httpx builds its pool without a way to pass a network backend; same pool otherwise.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            network_backend=_GuardedBackend(policy),
        )


def guarded_client(
    policy: DestinationPolicy,
    *,
    connect_timeout_s: float,
    read_timeout_s: float,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """A client that refuses forbidden destinations; it never follows redirects itself."""
    return httpx.Client(
        transport=GuardedTransport(policy),
        timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
        follow_redirects=False,
        trust_env=False,
        headers=headers,
    )


def read_capped(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """Up to ``max_bytes`` of a streamed response body, and whether there was more."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False


def redirect_target(response: httpx.Response) -> str | None:
    if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
        return str(response.url.join(response.headers["location"]))
    return None


__all__: Sequence[str] = (
    "BlockedDestinationError",
    "DestinationPolicy",
    "GuardedTransport",
    "guarded_client",
    "read_capped",
    "redirect_target",
)
