"""CSV and JSON exports of a user's products with their analysis, one row per product.

Rows are produced page by page (keyset pagination, a fresh session per page), so a catalogue
of any size streams out in constant memory. The columns and their order are fixed
(:data:`COLUMNS`) and only ever extended at the end. CSV is UTF-8 (optionally with a BOM,
which spreadsheet programs need to read UTF-8), and cells that a spreadsheet would run as a
formula are prefixed with an apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from backend.domain.readiness.service import PENDING, product_readiness, visible_images
from backend.ml.condition_grade import Grade
from backend.ml.readiness import Preset
from backend.shared.db.enums import AnalysisStatus
from backend.shared.db.models import AnalysisResult, Product, ProductImage
from backend.shared.db.session import session_scope

COLUMNS: tuple[str, ...] = (
    "product_id",
    "title",
    "description",
    "category",
    "subcategory",
    "status",
    "ai_description",
    "image_count",
    "analyzed_image_count",
    "main_image_id",
    "main_image_filename",
    "main_image_width",
    "main_image_height",
    "classification_label",
    "classification_confidence",
    "color",
    "secondary_color",
    "material",
    "condition",
    "condition_grade",
    "condition_grade_confidence",
    "defect_count",
    "defect_types",
    "readiness_preset",
    "readiness_status",
    "readiness_failed_rules",
    "readiness_fixes",
    "model_version",
    "created_at",
    "updated_at",
)
BOM = "\ufeff"
LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ExportFilter:
    status: str | None = None
    category: str | None = None


def iter_rows(
    *, owner_id: uuid.UUID, preset: Preset, filters: ExportFilter, page_size: int
) -> Iterator[dict[str, Any]]:
    """Every matching product of ``owner_id`` as a row, oldest first."""
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        with session_scope() as session:
            query = (
                select(Product)
                .where(Product.user_id == owner_id, Product.deleted_at.is_(None))
                .order_by(Product.created_at, Product.id)
                .limit(page_size)
                .options(
                    selectinload(Product.images)
                    .selectinload(ProductImage.analysis)
                    .selectinload(AnalysisResult.attributes),
                    selectinload(Product.images)
                    .selectinload(ProductImage.analysis)
                    .selectinload(AnalysisResult.defects),
                )
            )
            if filters.status:
                query = query.where(Product.status == filters.status)
            if filters.category:
                query = query.where(Product.category == filters.category)
            if after is not None:
                query = query.where(
                    or_(
                        Product.created_at > after[0],
                        and_(Product.created_at == after[0], Product.id > after[1]),
                    )
                )
            products = list(session.scalars(query))
            rows = [product_row(product, preset) for product in products]
        yield from rows
        if len(products) < page_size:
            return
        after = (products[-1].created_at, products[-1].id)


def product_row(product: Product, preset: Preset) -> dict[str, Any]:
    images = visible_images(product)
    main = next((image for image in images if image.is_primary), images[0] if images else None)
    analysed = [
        image.analysis
        for image in images
        if image.analysis is not None and image.analysis.status == AnalysisStatus.COMPLETED
    ]
    lead = (
        main.analysis
        if main is not None and main.analysis in analysed
        else (analysed[0] if analysed else None)
    )
    attributes = {a.attribute_name: a for a in lead.attributes} if lead else {}
    grades = [
        attribute
        for analysis in analysed
        for attribute in analysis.attributes
        if attribute.attribute_name == "condition_grade"
    ]
    worst_grade = max(grades, key=lambda a: Grade(a.attribute_value).rank, default=None)
    defects = [defect for analysis in analysed for defect in analysis.defects]
    readiness = product_readiness(product, preset)
    failed_rules = sorted(
        {
            rule.rule
            for item in readiness.images
            for rule in item.rules
            if rule.status.value == "fail"
        }
    )
    return {
        "product_id": str(product.id),
        "title": product.title,
        "description": product.description,
        "category": product.category,
        "subcategory": product.subcategory,
        "status": product.status,
        "ai_description": product.ai_description,
        "image_count": len(images),
        "analyzed_image_count": len(analysed),
        "main_image_id": str(main.id) if main else None,
        "main_image_filename": main.original_filename if main else None,
        "main_image_width": main.width if main else None,
        "main_image_height": main.height if main else None,
        "classification_label": lead.classification_label if lead else None,
        "classification_confidence": _rounded(lead.classification_confidence if lead else None),
        "color": _value(attributes, "color"),
        "secondary_color": _value(attributes, "secondary_color"),
        "material": _value(attributes, "material"),
        "condition": _value(attributes, "condition"),
        "condition_grade": worst_grade.attribute_value if worst_grade else None,
        "condition_grade_confidence": _rounded(worst_grade.confidence if worst_grade else None),
        "defect_count": len(defects),
        "defect_types": sorted({defect.defect_type for defect in defects}),
        "readiness_preset": preset.name,
        "readiness_status": readiness.status if readiness.status != PENDING else None,
        "readiness_failed_rules": failed_rules,
        "readiness_fixes": readiness.fixes,
        "model_version": lead.model_version if lead else None,
        "created_at": product.created_at.isoformat(),
        "updated_at": product.updated_at.isoformat(),
    }


def _value(attributes: dict[str, Any], name: str) -> str | None:
    attribute = attributes.get(name)
    return str(attribute.attribute_value) if attribute is not None else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def csv_chunks(rows: Iterator[dict[str, Any]], *, bom: bool) -> Iterator[bytes]:
    """The header, then one CSV line per row, as UTF-8 bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield ((BOM if bom else "") + buffer.getvalue()).encode("utf-8")
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(row[column]) for column in COLUMNS])
        yield buffer.getvalue().encode("utf-8")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def json_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """A JSON array of row objects (keys in column order), streamed element by element."""
    yield b"["
    first = True
    for row in rows:
        prefix = "\n" if first else ",\n"
        first = False
        yield (prefix + json.dumps({c: row[c] for c in COLUMNS}, ensure_ascii=False)).encode()
    yield b"\n]\n"
