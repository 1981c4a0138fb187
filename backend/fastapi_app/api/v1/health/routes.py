from __future__ import annotations

from fastapi import APIRouter, Response, status

from backend import __version__
from backend.domain.health import service as health_service
from backend.fastapi_app.api.v1.health.schemas import CheckResult, Health, Readiness
from backend.fastapi_app.deps import SessionDep, SettingsDep, StorageDep

router = APIRouter(prefix="/health", tags=["health"])


@router.get("", response_model=Health)
def health() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok", version=__version__)


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A required dependency is down"}},
)
def ready(
    session: SessionDep, storage: StorageDep, settings: SettingsDep, response: Response
) -> Readiness:
    """Readiness: database and storage answer; the workers' heartbeat is reported too."""
    report = health_service.readiness(session=session, storage=storage, settings=settings)
    if report.status == "unavailable":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Readiness(
        status=report.status,
        checks={
            name: CheckResult(ok=check.ok, detail=check.detail, latency_ms=check.latency_ms)
            for name, check in report.checks.items()
        },
    )
