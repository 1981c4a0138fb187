"""Downloading image URLs for an import: SSRF-checked, time-boxed and size-capped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from backend.domain.webhooks.outbound import (
    BlockedDestinationError,
    DestinationPolicy,
    redirect_target,
)

CHUNK_BYTES = 1 << 16


class FetchError(Exception):
    """Why one URL could not be downloaded (the import goes on without it)."""


@dataclass(frozen=True)
class FetchLimits:
    policy: DestinationPolicy
    max_bytes: int
    max_redirects: int


def fetch_to_file(client: httpx.Client, url: str, target: Path, limits: FetchLimits) -> None:
    """GET ``url`` into ``target``; every redirect hop is checked like the first URL."""
    current = url
    try:
        for _ in range(limits.max_redirects + 1):
            limits.policy.check_url(current)
            with client.stream("GET", current) as response:
                following = redirect_target(response)
                if following is not None:
                    current = following
                    continue
                if response.status_code != 200:
                    raise FetchError(f"the server answered HTTP {response.status_code}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limits.max_bytes:
                    raise FetchError(f"larger than {limits.max_bytes} bytes")
                _save(response, target, limits.max_bytes)
                return
    except BlockedDestinationError as exc:
        raise FetchError(f"refused: {exc}") from exc
    except httpx.TimeoutException as exc:
        raise FetchError("timed out") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"download failed ({type(exc).__name__})") from exc
    raise FetchError(f"more than {limits.max_redirects} redirects")


def _save(response: httpx.Response, target: Path, max_bytes: int) -> None:
    written = 0
    with target.open("wb") as sink:
        for chunk in response.iter_bytes(CHUNK_BYTES):
            written += len(chunk)
            if written > max_bytes:
                raise FetchError(f"larger than {max_bytes} bytes")
            sink.write(chunk)
