from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from backend.domain.readiness import service as readiness_service
from backend.domain.readiness.service import ImageReadiness, ProductReadiness
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.readiness.schemas import (
    ImageReadinessPublic,
    PresetPublic,
    PresetsPublic,
    ProductReadinessPublic,
    RuleResultPublic,
)
from backend.fastapi_app.deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(tags=["readiness"])

PresetQuery = Annotated[
    str | None,
    Query(max_length=50, description="Rule preset (see /readiness/presets); default from settings"),
]


def image_public(item: ImageReadiness, preset: str) -> ImageReadinessPublic:
    report = item.report
    return ImageReadinessPublic(
        image_id=item.image_id,
        product_id=item.product_id,
        preset=preset,
        is_main=item.is_main,
        status=item.status,
        counts=report.counts if report else {"pass": 0, "warn": 0, "fail": 0},
        rules=[RuleResultPublic.model_validate(rule.to_dict()) for rule in item.rules],
        note=item.note,
    )


def product_public(item: ProductReadiness) -> ProductReadinessPublic:
    return ProductReadinessPublic(
        product_id=item.product_id,
        preset=item.preset,
        status=item.status,
        main_image_id=item.main_image_id,
        fixes=item.fixes,
        images=[image_public(image, item.preset) for image in item.images],
    )


@router.get("/readiness/presets", response_model=PresetsPublic, responses=problems(401))
def list_readiness_presets(_user: CurrentUser, settings: SettingsDep) -> PresetsPublic:
    """The marketplace rule presets a readiness request can name, with their thresholds."""
    return PresetsPublic(
        default=settings.readiness_default_preset,
        data=[
            PresetPublic.model_validate(readiness_service.preset_summary(preset))
            for preset in readiness_service.presets()
        ],
    )


@router.get(
    "/images/{image_id}/readiness",
    response_model=ImageReadinessPublic,
    responses=problems(401, 404, 422),
)
def get_image_readiness(
    image_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    preset: PresetQuery = None,
) -> ImageReadinessPublic:
    """Each rule of the preset for one photo: pass / warn / fail, the measured value, a fix."""
    chosen = readiness_service.resolve_preset(preset, settings)
    item = readiness_service.for_image(
        session, settings, owner_id=user.id, image_id=image_id, preset=chosen.name
    )
    return image_public(item, chosen.name)


@router.get(
    "/products/{product_id}/readiness",
    response_model=ProductReadinessPublic,
    responses=problems(401, 404, 422),
)
def get_product_readiness(
    product_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    preset: PresetQuery = None,
) -> ProductReadinessPublic:
    """The product's photos judged together: the main photo by every rule, the others by
    the rules for every photo; the fixes to make, worst first."""
    item = readiness_service.for_product(
        session, settings, owner_id=user.id, product_id=product_id, preset=preset
    )
    return product_public(item)
