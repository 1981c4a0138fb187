from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class CategoryCount(BaseModel):
    category: str
    count: int


class DayPoint(BaseModel):
    date: dt.date
    images_analyzed: int
    avg_processing_time_ms: float | None
    defects: int


class DashboardStatsPublic(BaseModel):
    products_total: int
    products_by_status: dict[str, int]
    images_total: int
    images_analyzed: int
    category_distribution: list[CategoryCount]
    defect_rate: float
    avg_processing_time_ms: float | None
    jobs_in_flight: int
    timeseries: list[DayPoint]
