"""Skip, or fail under IMAGINEAI_REQUIRE_SERVICES=1, when a real service cannot be reached."""

from __future__ import annotations

from typing import NoReturn

import pytest

from backend.shared.config import get_settings


def service_unavailable(service: str, reason: object) -> NoReturn:
    message = f"{service} is not reachable: {reason}"
    if get_settings().require_services:
        pytest.fail(f"{message} (IMAGINEAI_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)
