"""The FastAPI application factory (``uvicorn --factory backend.fastapi_app.main:create_app``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from backend import __version__
from backend.fastapi_app.api.v1.analysis.routes import router as analysis_router
from backend.fastapi_app.api.v1.auth.routes import router as auth_router
from backend.fastapi_app.api.v1.common import PROBLEM_RESPONSE, Problem
from backend.fastapi_app.api.v1.corrections.routes import router as corrections_router
from backend.fastapi_app.api.v1.dashboard.routes import router as dashboard_router
from backend.fastapi_app.api.v1.exports.routes import router as exports_router
from backend.fastapi_app.api.v1.health.routes import router as health_router
from backend.fastapi_app.api.v1.images.routes import router as images_router
from backend.fastapi_app.api.v1.imports.routes import router as imports_router
from backend.fastapi_app.api.v1.jobs.routes import router as jobs_router
from backend.fastapi_app.api.v1.products.routes import router as products_router
from backend.fastapi_app.api.v1.readiness.routes import router as readiness_router
from backend.fastapi_app.api.v1.search.routes import router as search_router
from backend.fastapi_app.api.v1.storage.routes import router as storage_router
from backend.fastapi_app.api.v1.webhooks.routes import router as webhooks_router
from backend.fastapi_app.api.v1.ws.routes import router as ws_router
from backend.fastapi_app.deps import refuse_nul_in_query
from backend.fastapi_app.errors import install_error_handlers
from backend.fastapi_app.middleware import (
    REQUEST_ID_HEADER,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
)
from backend.shared.config import Settings, get_settings
from backend.shared.logging import configure_logging

API_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(refuse_nul_in_query)])
    for domain_router in (
        health_router,
        auth_router,
        products_router,
        images_router,
        analysis_router,
        jobs_router,
        dashboard_router,
        storage_router,
        webhooks_router,
        readiness_router,
        exports_router,
        imports_router,
        search_router,
        corrections_router,
    ):
        router.include_router(domain_router)
    return router


def _document_unparseable_bodies(schema: dict[str, Any]) -> None:
    """A body that is not even JSON (or not multipart) is answered 400 before validation."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["responses"].setdefault(
                    "400", {"description": "The body could not be parsed", **PROBLEM_RESPONSE}
                )


def install_problem_schema(app: FastAPI) -> None:
    """Publish the problem-details schema that every documented error response refers to."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            definitions = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(definitions.pop("$defs", {}))
            components["Problem"] = definitions
            _document_unparseable_bodies(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, *, serves_spa: bool = False) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    app = FastAPI(
        title="ImagineAI API",
        version=__version__,
        description="Product-image analysis: products, uploads, analysis results, jobs.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        # Operation ids are the handler names: short, stable, and what OpenAPI links refer to.
        generate_unique_id_function=lambda route: route.name,
    )
    app.include_router(build_api_router())
    app.include_router(ws_router)
    install_problem_schema(app)
    install_error_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware, serves_spa=serves_spa)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER, "Retry-After", "Content-Disposition"],
        max_age=600,
    )
    app.add_middleware(RequestIdMiddleware)
    return app
