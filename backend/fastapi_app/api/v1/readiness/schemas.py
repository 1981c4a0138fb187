from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

RuleStatusName = Literal["pass", "warn", "fail"]
OverallStatus = Literal["pass", "warn", "fail", "pending"]


class RuleLimitsPublic(BaseModel):
    pass_at: float
    warn_at: float
    worst: RuleStatusName
    main_image_only: bool


class PresetPublic(BaseModel):
    name: str
    title: str
    description: str
    sources: list[str]
    rules: dict[str, RuleLimitsPublic]


class PresetsPublic(BaseModel):
    default: str
    data: list[PresetPublic]


class RuleResultPublic(BaseModel):
    rule: str
    label: str
    status: RuleStatusName
    measured: float | None = Field(description="Null when the rule could not be measured")
    unit: Literal["px", "score", "share", "count"]
    target: str
    message: str
    fix: str | None = Field(description="One line on what to change; null when it passes")


class ImageReadinessPublic(BaseModel):
    image_id: uuid.UUID
    product_id: uuid.UUID
    preset: str
    is_main: bool
    status: OverallStatus
    counts: dict[str, int]
    rules: list[RuleResultPublic]
    note: str | None


class ProductReadinessPublic(BaseModel):
    product_id: uuid.UUID
    preset: str
    status: OverallStatus
    main_image_id: uuid.UUID | None
    fixes: list[str]
    images: list[ImageReadinessPublic]
