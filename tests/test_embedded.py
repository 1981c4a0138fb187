"""``imagineai up``'s worker: the models load before it takes jobs when the settings ask."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from backend import embedded
from backend.ml.config import get_ml_config, set_ml_config
from backend.ml.model_registry import get_registry, reset_registry
from backend.shared.config import get_settings


class _Idle:
    """Stands in for the Celery worker and beat: this test is about what happens before them."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        self.started = False

    def start(self) -> None:
        self.started = True

    def stop(self, **_kwargs: Any) -> None:
        self.started = False


def test_the_embedded_worker_loads_the_models_before_it_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embedded, "EmbeddedService", _Idle)
    worker = embedded.EmbeddedWorker(get_settings())
    monkeypatch.setattr(worker._app, "Worker", _Idle)
    set_ml_config(replace(get_ml_config(), preload=True))
    reset_registry()
    try:
        worker.start()
        assert get_registry().loaded_versions() == ["1.0.0-fp32"]
        worker.stop()
    finally:
        set_ml_config(None)
        reset_registry()
