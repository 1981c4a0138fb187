"""`make soak`: the long reliability and load runs. Marked ``soak`` and left out of every run
that does not ask for them with ``-m soak`` (so `make test` never starts them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.real_stack import rabbitmq_broker_url, real_stack, redis_test_url

__all__ = ["rabbitmq_broker_url", "real_stack", "redis_test_url"]

REPORT_DIR = Path(__file__).resolve().parents[2] / "var" / "soak"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "soak: long reliability and load run (make soak); only with -m soak"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "soak" in (config.getoption("markexpr") or ""):
        return
    deselected = [item for item in items if item.get_closest_marker("soak")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("soak")]


@pytest.fixture
def report_dir() -> Path:
    """Where the soak runs leave their figures (JSON), next to printing them."""
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    return REPORT_DIR
