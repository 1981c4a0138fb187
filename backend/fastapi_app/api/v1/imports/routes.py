from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, status
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import PayloadTooLargeError
from backend.domain.imports import service as imports_service
from backend.domain.imports.service import ImportReport
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.imports.schemas import ImportedProduct, ImportResult, SkippedFile
from backend.fastapi_app.api.v1.jobs.schemas import JobPublic
from backend.fastapi_app.deps import (
    CurrentUser,
    DispatcherDep,
    SessionDep,
    SettingsDep,
    StorageDep,
)
from backend.fastapi_app.uploads import SpooledUpload, spool_file_field

router = APIRouter(prefix="/imports", tags=["imports"])


def _multipart(description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": description,
                            }
                        },
                    }
                }
            },
        }
    }


async def _spool(request: Request, folder: Path, max_bytes: int, what: str) -> SpooledUpload:
    try:
        return await spool_file_field(
            request, field_name="file", max_bytes=max_bytes, folder=folder
        )
    except PayloadTooLargeError as exc:
        raise PayloadTooLargeError(
            "too_large", f"The {what} may be at most {max_bytes} bytes."
        ) from exc


def _result(report: ImportReport) -> ImportResult:
    if report.job is None:
        raise RuntimeError("an import without images must have raised")
    return ImportResult(
        job=JobPublic.model_validate(report.job),
        products=[
            ImportedProduct(
                id=product.id,
                title=product.title,
                image_ids=[image.id for image in report.images if image.product_id == product.id],
            )
            for product in report.products
        ],
        images_imported=len(report.images),
        skipped=[SkippedFile(name=s.name, reason=s.reason) for s in report.skipped],
    )


@router.post(
    "/zip",
    response_model=ImportResult,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 413, 415, 422),
    openapi_extra=_multipart("A ZIP of photos, optionally with mapping.csv (filename,title)"),
)
async def import_zip(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
    dispatcher: DispatcherDep,
) -> ImportResult:
    """Photos from a ZIP become products and images, analysed by one batch job."""
    with tempfile.TemporaryDirectory(prefix="imagineai-import-") as folder:
        spooled = await _spool(request, Path(folder), settings.import_max_archive_bytes, "archive")
        report = await run_in_threadpool(
            imports_service.import_zip,
            session,
            storage,
            dispatcher,
            settings,
            owner_id=user.id,
            archive_path=spooled.path,
            archive_name=spooled.filename,
        )
    return _result(report)


@router.post(
    "/urls",
    response_model=ImportResult,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 413, 415, 422),
    openapi_extra=_multipart("A CSV with a url column, optionally title, description, category"),
)
async def import_urls(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
    dispatcher: DispatcherDep,
) -> ImportResult:
    """Images downloaded from the CSV's URLs become products and images, analysed by one job."""
    with tempfile.TemporaryDirectory(prefix="imagineai-import-") as folder:
        spooled = await _spool(request, Path(folder), settings.import_max_csv_bytes, "CSV file")
        report = await run_in_threadpool(
            imports_service.import_urls,
            session,
            storage,
            dispatcher,
            settings,
            owner_id=user.id,
            csv_path=spooled.path,
        )
    return _result(report)
