"""SSRF protection: special addresses are refused after DNS resolution, unless allowed."""

from __future__ import annotations

import ipaddress

import pytest

from backend.domain.webhooks.outbound import (
    BlockedDestinationError,
    DestinationPolicy,
    guarded_client,
)
from tests.support.webhook_receiver import webhook_receiver

STRICT = DestinationPolicy()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::5",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
    ],
)
def test_special_addresses_are_refused(address: str) -> None:
    with pytest.raises(BlockedDestinationError):
        STRICT.check_address(ipaddress.ip_address(address))


def test_public_addresses_pass_and_the_allow_list_opens_a_network() -> None:
    STRICT.check_address(ipaddress.ip_address("93.184.216.34"))
    STRICT.check_address(ipaddress.ip_address("2606:4700::1111"))
    local = DestinationPolicy.from_cidrs(["127.0.0.0/8"], require_https=True)
    local.check_address(ipaddress.ip_address("127.0.0.1"))
    with pytest.raises(BlockedDestinationError):
        local.check_address(ipaddress.ip_address("10.0.0.1"))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.216.34/hook", "only https"),
        ("ftp://93.184.216.34/hook", "only https"),
        ("https://user:pw@93.184.216.34/hook", "credentials"),
        ("https://10.0.0.1/hook", "private"),
        ("https://localhost/hook", "loopback"),
        ("https://[::1]:8443/hook", "loopback"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_urls_are_checked_after_resolution(url: str, reason: str) -> None:
    with pytest.raises(BlockedDestinationError, match=reason):
        STRICT.check_url(url)


def test_the_client_refuses_to_connect_to_loopback_even_through_a_host_name() -> None:
    with webhook_receiver() as receiver:
        by_name = receiver.url.replace("127.0.0.1", "localhost")
        refused = DestinationPolicy(require_https=False)
        with (
            guarded_client(refused, connect_timeout_s=2, read_timeout_s=2) as client,
            pytest.raises(BlockedDestinationError, match="loopback"),
        ):
            client.post(by_name, content=b"{}")
        allowed = DestinationPolicy.from_cidrs(["127.0.0.1/32", "::1/128"], require_https=False)
        with guarded_client(allowed, connect_timeout_s=2, read_timeout_s=2) as client:
            assert client.post(by_name, content=b"{}").status_code == 200
        assert len(receiver.requests) == 1
