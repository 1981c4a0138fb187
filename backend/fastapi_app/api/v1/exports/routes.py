from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from backend.domain.exports import service as exports_service
from backend.domain.readiness import service as readiness_service
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.products.schemas import ProductStatusFilter
from backend.fastapi_app.deps import CurrentUser, SettingsDep
from backend.shared.db.types import utcnow

router = APIRouter(prefix="/exports", tags=["exports"])

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@router.get(
    "/products",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The export, streamed",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        },
        **problems(401, 422),
    },
)
def export_products(
    user: CurrentUser,
    settings: SettingsDep,
    export_format: Annotated[Literal["csv", "json"], Query(alias="format")] = "csv",
    bom: Annotated[bool, Query(description="Start the CSV with a UTF-8 BOM (spreadsheets)")] = (
        False
    ),
    preset: Annotated[str | None, Query(max_length=50, description="Readiness preset")] = None,
    status_filter: Annotated[ProductStatusFilter | None, Query(alias="status")] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
) -> StreamingResponse:
    """Every product (one row each) with its analysis and readiness, streamed as CSV or JSON."""
    chosen = readiness_service.resolve_preset(preset, settings)
    rows = exports_service.iter_rows(
        owner_id=user.id,
        preset=chosen,
        filters=exports_service.ExportFilter(status=status_filter, category=category),
        page_size=settings.export_page_size,
    )
    chunks = (
        exports_service.csv_chunks(rows, bom=bom)
        if export_format == "csv"
        else exports_service.json_chunks(rows)
    )
    filename = f"imagineai-products-{utcnow():%Y%m%d-%H%M%S}.{export_format}"
    return StreamingResponse(
        chunks,
        media_type=MEDIA_TYPES[export_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
