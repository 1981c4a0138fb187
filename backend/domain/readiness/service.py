"""Listing readiness of a user's images and products, judged from stored measurements.

The analysis stores each photo's measured values (``analysis_results.quality_metrics``);
judging them against a preset needs no image, so any preset can be asked for at any time.
A product is judged on its main (primary) photo with every rule, and on its other photos
with the rules that apply to every photo; its status is the worst of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend.domain.errors import InvalidInputError, NotFoundError
from backend.ml.readiness import (
    PhotoMetrics,
    Preset,
    ReadinessReport,
    RuleResult,
    RuleStatus,
    UnknownPresetError,
    evaluate,
    get_preset,
    load_presets,
    worst,
)
from backend.shared.config import Settings
from backend.shared.db.enums import UploadStatus
from backend.shared.db.models import Product, ProductImage

PENDING = "pending"


@dataclass(frozen=True)
class ImageReadiness:
    image_id: uuid.UUID
    product_id: uuid.UUID
    is_main: bool
    status: str  # pass / warn / fail, or pending while the photo has no measurements
    report: ReadinessReport | None
    note: str | None = None

    @property
    def rules(self) -> list[RuleResult]:
        return self.report.rules if self.report else []


@dataclass(frozen=True)
class ProductReadiness:
    product_id: uuid.UUID
    preset: str
    status: str
    main_image_id: uuid.UUID | None
    images: list[ImageReadiness] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)


def resolve_preset(name: str | None, settings: Settings) -> Preset:
    try:
        return get_preset(name or settings.readiness_default_preset)
    except UnknownPresetError as exc:
        raise InvalidInputError(
            "unknown_preset",
            f"No readiness preset {exc.name!r}; choose from {', '.join(exc.available)}.",
        ) from exc


def presets() -> list[Preset]:
    return list(load_presets().values())


def image_readiness(image: ProductImage, preset: Preset, *, is_main: bool) -> ImageReadiness:
    analysis = image.analysis
    metrics = PhotoMetrics.from_dict(analysis.quality_metrics) if analysis else None
    if metrics is None:
        note = (
            "Not analysed yet."
            if analysis is None or analysis.status != "completed"
            else "Analysed before readiness was measured: run the analysis again."
        )
        return ImageReadiness(image.id, image.product_id, is_main, PENDING, None, note)
    report = evaluate(metrics, preset, main_image=is_main)
    return ImageReadiness(image.id, image.product_id, is_main, report.status.value, report)


def product_readiness(product: Product, preset: Preset) -> ProductReadiness:
    images = visible_images(product)
    main = next((image for image in images if image.is_primary), images[0] if images else None)
    judged = [image_readiness(image, preset, is_main=image is main) for image in images]
    measured = [RuleStatus(item.status) for item in judged if item.status != PENDING]
    if not images:
        return ProductReadiness(
            product.id,
            preset.name,
            RuleStatus.FAIL.value,
            None,
            [],
            ["Add a photo of the product."],
        )
    status = worst(measured).value if measured else PENDING
    failing = sorted(
        (rule for item in judged for rule in item.rules if rule.fix and rule.status != "pass"),
        key=lambda rule: -rule.status.rank,
    )
    fixes = list(dict.fromkeys(rule.fix for rule in failing if rule.fix))
    return ProductReadiness(
        product.id, preset.name, status, main.id if main else None, judged, fixes
    )


def visible_images(product: Product) -> list[ProductImage]:
    return [
        image
        for image in product.images
        if image.deleted_at is None and image.upload_status == UploadStatus.UPLOADED
    ]


def for_image(
    session: Session,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    image_id: uuid.UUID,
    preset: str | None,
) -> ImageReadiness:
    chosen = resolve_preset(preset, settings)
    image = session.scalar(
        select(ProductImage)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            ProductImage.id == image_id,
            Product.user_id == owner_id,
            Product.deleted_at.is_(None),
            ProductImage.deleted_at.is_(None),
        )
        .options(selectinload(ProductImage.analysis))
    )
    if image is None or image.upload_status != UploadStatus.UPLOADED:
        raise NotFoundError("image_not_found", "No such image.")
    product = _load_products(session, owner_id=owner_id, product_ids=[image.product_id])[0]
    main = next(
        (i for i in visible_images(product) if i.is_primary), next(iter(visible_images(product)))
    )
    return image_readiness(image, chosen, is_main=main.id == image.id)


def for_product(
    session: Session,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    product_id: uuid.UUID,
    preset: str | None,
) -> ProductReadiness:
    chosen = resolve_preset(preset, settings)
    found = _load_products(session, owner_id=owner_id, product_ids=[product_id])
    if not found:
        raise NotFoundError("product_not_found", "No such product.")
    return product_readiness(found[0], chosen)


def _load_products(
    session: Session, *, owner_id: uuid.UUID, product_ids: Sequence[uuid.UUID]
) -> list[Product]:
    return list(
        session.scalars(
            select(Product)
            .where(
                Product.id.in_(product_ids),
                Product.user_id == owner_id,
                Product.deleted_at.is_(None),
            )
            .options(selectinload(Product.images).selectinload(ProductImage.analysis))
        )
    )


def preset_summary(preset: Preset) -> dict[str, Any]:
    return {
        "name": preset.name,
        "title": preset.title,
        "description": preset.description,
        "sources": list(preset.sources),
        "rules": {
            name: {
                "pass_at": limits.pass_at,
                "warn_at": limits.warn_at,
                "worst": limits.worst.value,
                "main_image_only": limits.main_image_only,
            }
            for name, limits in preset.rules.items()
        },
    }
