"""Schemathesis against the live app's OpenAPI document: no 5xx, no answer off its schema.

Bounded for `make test` (``IMAGINEAI_TEST_FUZZ_EXAMPLES``, 15 per operation); `make soak`
runs it with many more. The stateful run follows the OpenAPI links from product creation to
get, update, images and delete.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.fastapi_app.main import create_app
from backend.shared.config import get_settings
from backend.shared.ratelimit import get_rate_limiter
from tests.conftest import Database
from tests.fastapi_app.conftest import register_and_login

CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)
FUZZ_SETTINGS = hypothesis_settings(
    max_examples=get_settings().test_fuzz_examples,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def fuzzed_app(
    sqlite_database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    patch = pytest.MonkeyPatch()
    patch.setenv("IMAGINEAI_DATABASE_URL", sqlite_database.url)
    patch.setenv("IMAGINEAI_LOCAL_STORAGE_DIR", str(tmp_path_factory.mktemp("fuzz-storage")))
    # Fuzzing logs in and registers far more often than a person; the limits get their own test.
    patch.setenv("IMAGINEAI_LOGIN_ATTEMPTS_PER_IP", "1000000")
    patch.setenv("IMAGINEAI_LOGIN_ATTEMPTS_PER_EMAIL", "1000000")
    patch.setenv("IMAGINEAI_REGISTER_ATTEMPTS_PER_IP", "1000000")
    get_settings.cache_clear()
    get_rate_limiter.cache_clear()
    from backend.shared.db.session import reset_engine

    reset_engine()
    app = create_app(get_settings())
    with TestClient(app) as client:
        user = register_and_login(client, "fuzz@example.com")
    yield app, user.headers
    patch.undo()
    get_settings.cache_clear()
    get_rate_limiter.cache_clear()
    reset_engine()


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: tuple[FastAPI, dict[str, str]]) -> Any:
    app, _headers = fuzzed_app
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_operation(api_schema: Any, fuzzed_app: tuple[FastAPI, dict[str, str]]) -> None:
    _app, headers = fuzzed_app
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @FUZZ_SETTINGS
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()


def test_linked_product_lifecycle(
    api_schema: Any, fuzzed_app: tuple[FastAPI, dict[str, str]]
) -> None:
    _app, headers = fuzzed_app
    base = api_schema.as_state_machine()

    class ProductLifecycle(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    ProductLifecycle.run(
        settings=hypothesis_settings(
            max_examples=get_settings().test_fuzz_examples,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
