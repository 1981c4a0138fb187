"""Dashboard figures, aggregated in SQL."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from backend.shared.db.enums import AnalysisStatus, JobStatus, UploadStatus
from backend.shared.db.models import (
    AnalysisResult,
    DetectedDefect,
    ProcessingJob,
    Product,
    ProductImage,
)
from backend.shared.db.types import utcnow

UNCATEGORISED = "unknown"


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: date
    images_analyzed: int
    avg_processing_time_ms: float | None
    defects: int


@dataclass(frozen=True, slots=True)
class DashboardStats:
    products_total: int
    products_by_status: dict[str, int]
    images_total: int
    images_analyzed: int
    category_distribution: list[tuple[str, int]]
    defect_rate: float
    avg_processing_time_ms: float | None
    jobs_in_flight: int
    timeseries: list[DayFigures]


def _owned_analyses(owner_id: uuid.UUID) -> Select[AnalysisResult]:
    return (
        select(AnalysisResult)
        .join(ProductImage, ProductImage.id == AnalysisResult.product_image_id)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            Product.user_id == owner_id,
            Product.deleted_at.is_(None),
            ProductImage.deleted_at.is_(None),
            AnalysisResult.status == AnalysisStatus.COMPLETED,
        )
    )


def stats(
    session: Session, *, owner_id: uuid.UUID, days: int = 30, now: datetime | None = None
) -> DashboardStats:
    now = now or utcnow()
    by_status = dict(
        session.execute(
            select(Product.status, func.count())
            .where(Product.user_id == owner_id, Product.deleted_at.is_(None))
            .group_by(Product.status)
        ).all()
    )
    images_total = session.scalar(
        select(func.count())
        .select_from(ProductImage)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            Product.user_id == owner_id,
            Product.deleted_at.is_(None),
            ProductImage.deleted_at.is_(None),
            ProductImage.upload_status == UploadStatus.UPLOADED,
        )
    )
    analyses = _owned_analyses(owner_id).subquery()
    analyzed, avg_ms = session.execute(
        select(func.count(), func.avg(analyses.c.processing_time_ms))
    ).one()
    with_defects = session.scalar(
        select(func.count(distinct(DetectedDefect.analysis_result_id))).where(
            DetectedDefect.analysis_result_id.in_(select(analyses.c.id))
        )
    )
    labels = session.execute(
        select(analyses.c.classification_label, func.count()).group_by(
            analyses.c.classification_label
        )
    )
    categories: Counter[str] = Counter()
    for label, count in labels:
        categories[(label or UNCATEGORISED).split("/")[0]] += count
    jobs_in_flight = session.scalar(
        select(func.count()).where(
            ProcessingJob.user_id == owner_id,
            ProcessingJob.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
        )
    )
    return DashboardStats(
        products_total=sum(by_status.values()),
        products_by_status=by_status,
        images_total=int(images_total or 0),
        images_analyzed=int(analyzed or 0),
        category_distribution=categories.most_common(),
        defect_rate=(int(with_defects or 0) / analyzed) if analyzed else 0.0,
        avg_processing_time_ms=float(avg_ms) if avg_ms is not None else None,
        jobs_in_flight=int(jobs_in_flight or 0),
        timeseries=_timeseries(session, owner_id=owner_id, days=days, now=now),
    )


def _timeseries(
    session: Session, *, owner_id: uuid.UUID, days: int, now: datetime
) -> list[DayFigures]:
    first_day = (now - timedelta(days=days - 1)).date()
    analyses = (
        _owned_analyses(owner_id)
        .where(
            AnalysisResult.updated_at
            >= datetime.combine(first_day, datetime.min.time(), now.tzinfo)
        )
        .subquery()
    )
    day = func.date(analyses.c.updated_at)
    defect_counts = (
        select(DetectedDefect.analysis_result_id, func.count().label("defects"))
        .group_by(DetectedDefect.analysis_result_id)
        .subquery()
    )
    rows = session.execute(
        select(
            day,
            func.count(),
            func.avg(analyses.c.processing_time_ms),
            func.coalesce(func.sum(defect_counts.c.defects), 0),
        )
        .select_from(analyses)
        .outerjoin(defect_counts, defect_counts.c.analysis_result_id == analyses.c.id)
        .group_by(day)
    ).all()
    by_day = {
        (value if isinstance(value, date) else date.fromisoformat(str(value))): (c, a, d)
        for value, c, a, d in rows
    }
    series = []
    for offset in range(days):
        current = first_day + timedelta(days=offset)
        count, avg_ms, defects = by_day.get(current, (0, None, 0))
        series.append(
            DayFigures(
                day=current,
                images_analyzed=int(count),
                avg_processing_time_ms=float(avg_ms) if avg_ms is not None else None,
                defects=int(defects),
            )
        )
    return series
