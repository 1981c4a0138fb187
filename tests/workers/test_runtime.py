"""Pool processes share the cores: each prefork child gets its share of the model threads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from celery.signals import worker_init, worker_process_init

from backend.ml.config import get_ml_config, set_ml_config
from backend.ml.model_registry import get_registry, reset_registry
from backend.workers import runtime


@dataclass(frozen=True)
class FakeWorker:
    """What ``worker_init`` handlers read from the worker that sends it."""

    pool_cls: str
    concurrency: int


@pytest.fixture
def two_cores_two_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    set_ml_config(replace(get_ml_config(), intra_op_threads=2))
    yield
    set_ml_config(None)


@pytest.mark.parametrize(
    ("pool", "processes", "threads"),
    [("prefork", 2, 1), ("prefork", 4, 1), ("prefork", 1, 2), ("threads", 2, 2), ("solo", 1, 2)],
)
def test_prefork_children_get_their_share_of_the_cores(
    two_cores_two_threads: None, pool: str, processes: int, threads: int
) -> None:
    worker_init.send(sender=FakeWorker(pool_cls=pool, concurrency=processes))
    assert get_ml_config().intra_op_threads == threads


def test_share_never_exceeds_the_configured_threads() -> None:
    assert runtime.threads_per_pool_process(2, 16) == 8
    assert runtime.threads_per_pool_process(3, 2) == 1
    assert runtime.threads_per_pool_process(0, 2) == 2


@pytest.mark.parametrize("preload", [True, False])
def test_a_pool_process_loads_the_models_at_start_when_asked(
    monkeypatch: pytest.MonkeyPatch, preload: bool
) -> None:
    monkeypatch.setattr(runtime, "reset_engine", lambda: None)
    set_ml_config(replace(get_ml_config(), preload=preload))
    reset_registry()
    try:
        worker_process_init.send(sender=None)
        assert get_registry().loaded_versions() == (["1.0.0-fp32"] if preload else [])
    finally:
        set_ml_config(None)
        reset_registry()
