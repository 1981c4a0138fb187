from __future__ import annotations

from fastapi import APIRouter

from backend.domain.dashboard import service as dashboard_service
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.dashboard.schemas import (
    CategoryCount,
    DashboardStatsPublic,
    DayPoint,
)
from backend.fastapi_app.deps import CurrentUser, SessionDep

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


@router.get("/stats", response_model=DashboardStatsPublic, responses=problems(401))
def dashboard_stats(session: SessionDep, user: CurrentUser) -> DashboardStatsPublic:
    """Counts, category distribution, defect rate, timings and the last 30 days."""
    stats = dashboard_service.stats(session, owner_id=user.id)
    return DashboardStatsPublic(
        products_total=stats.products_total,
        products_by_status=stats.products_by_status,
        images_total=stats.images_total,
        images_analyzed=stats.images_analyzed,
        category_distribution=[
            CategoryCount(category=name, count=count) for name, count in stats.category_distribution
        ],
        defect_rate=stats.defect_rate,
        avg_processing_time_ms=stats.avg_processing_time_ms,
        jobs_in_flight=stats.jobs_in_flight,
        timeseries=[
            DayPoint(
                date=point.day,
                images_analyzed=point.images_analyzed,
                avg_processing_time_ms=point.avg_processing_time_ms,
                defects=point.defects,
            )
            for point in stats.timeseries
        ],
    )
