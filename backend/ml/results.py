"""Result types of the ML pipeline: frozen dataclasses whose ``to_dict()`` is JSON-safe."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from backend.ml.preprocessing import Box

DefectType = Literal[
    "scratch", "crack", "stain", "dent", "tear", "missing_part", "discoloration", "other"
]
Severity = Literal["low", "medium", "high"]
DEFECT_TYPES: tuple[str, ...] = (
    "scratch",
    "crack",
    "stain",
    "dent",
    "tear",
    "missing_part",
    "discoloration",
    "other",
)
UNKNOWN_LABEL = "unknown"


def _round(value: float, digits: int = 4) -> float:
    return round(float(value), digits)


def json_safe(value: Any) -> Any:
    """Plain JSON types from numpy scalars, tuples and nested containers."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float):
        return _round(value, 6)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


@dataclass(frozen=True)
class ClassificationResult:
    label: str  # "category/subcategory", a category alone (``Category.answer_alone``) or "unknown"
    category: str | None
    subcategory: str | None
    confidence: float  # probability of ``label``
    category_confidence: float  # probability of ``category`` (all its subcategories)
    top_k: list[tuple[str, float]]
    model_version: str
    imagenet_top: list[tuple[str, float]] = field(default_factory=list)

    @property
    def is_unknown(self) -> bool:
        return self.label == UNKNOWN_LABEL

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "category": self.category,
            "subcategory": self.subcategory,
            "confidence": _round(self.confidence),
            "category_confidence": _round(self.category_confidence),
            "top_k": [{"label": label, "score": _round(score)} for label, score in self.top_k],
            "imagenet_top": [
                {"label": label, "score": _round(score)} for label, score in self.imagenet_top
            ],
            "model_version": self.model_version,
        }


@dataclass(frozen=True)
class AttributeResult:
    name: str
    value: str
    confidence: float  # in [0, 1]
    method: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "confidence": _round(self.confidence),
            "method": self.method,
            "metadata": json_safe(self.metadata),
        }


@dataclass(frozen=True)
class DefectResult:
    defect_type: DefectType
    severity: Severity
    confidence: float
    box: Box  # original image pixels, after EXIF orientation
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "defect_type": self.defect_type,
            "severity": self.severity,
            "confidence": _round(self.confidence),
            "box": self.box.to_dict(),
            "description": self.description,
            "metadata": json_safe(self.metadata),
        }


@dataclass(frozen=True)
class Heatmap:
    """Anomaly scores in [0, 1] on a coarse grid laid over ``region`` (original pixels)."""

    values: list[list[float]]
    region: Box

    def to_dict(self) -> dict[str, Any]:
        return {
            "values": [[_round(v, 3) for v in row] for row in self.values],
            "region": self.region.to_dict(),
        }


@dataclass(frozen=True)
class ReferenceSetUsed:
    """The memory bank the patch anomaly compared the object with: defect-free photos of the
    category (shipped or the user's own)."""

    category: str
    images: int

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "images": self.images}


@dataclass(frozen=True)
class DefectReport:
    defects: list[DefectResult]
    condition: AttributeResult
    anomaly_score: float  # image-level score in [0, 1] (used for AUROC)
    model_version: str
    heatmap: Heatmap | None = None
    reference_set: ReferenceSetUsed | None = None  # None: the object compared with itself

    def to_dict(self) -> dict[str, Any]:
        return {
            "defects": [defect.to_dict() for defect in self.defects],
            "condition": self.condition.to_dict(),
            "anomaly_score": _round(self.anomaly_score),
            "model_version": self.model_version,
            "heatmap": self.heatmap.to_dict() if self.heatmap else None,
            "reference_set": self.reference_set.to_dict() if self.reference_set else None,
        }


@dataclass(frozen=True)
class QualityReport:
    width: int
    height: int
    megapixels: float
    sharpness: float  # 0 (blurred) .. 1 (crisp)
    exposure: float  # 0 (badly exposed) .. 1 (well exposed)
    brightness: float  # mean L* of the object, 0..100
    highlights: float  # 95th percentile of the object's L*
    shadows: float  # 5th percentile of the object's L*
    background_whiteness: float  # share of the border that is near-white
    fill_ratio: float  # share of the frame covered by the object
    score: float  # overall 0..1
    issues: list[str]

    def to_dict(self) -> dict[str, Any]:
        payload: dict[str, Any] = json_safe(
            {
                "width": self.width,
                "height": self.height,
                "megapixels": _round(self.megapixels, 3),
                "sharpness": _round(self.sharpness),
                "exposure": _round(self.exposure),
                "brightness": _round(self.brightness, 2),
                "highlights": _round(self.highlights, 2),
                "shadows": _round(self.shadows, 2),
                "background_whiteness": _round(self.background_whiteness),
                "fill_ratio": _round(self.fill_ratio),
                "score": _round(self.score),
                "issues": list(self.issues),
            }
        )
        return payload


@dataclass(frozen=True)
class AnalysisResult:
    classification: ClassificationResult
    attributes: list[AttributeResult]
    defects: DefectReport
    quality: QualityReport
    embedding: list[float]  # L2-normalised, 1280 values
    model_versions: dict[str, str]
    timings_ms: dict[str, float]
    routing: dict[str, Any]
    image: dict[str, Any]

    @property
    def condition(self) -> AttributeResult:
        return self.defects.condition

    def to_dict(self, *, include_embedding: bool = True) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "classification": self.classification.to_dict(),
            "attributes": [attribute.to_dict() for attribute in self.attributes],
            "defects": self.defects.to_dict(),
            "condition": self.condition.to_dict(),
            "quality": self.quality.to_dict(),
            "model_versions": dict(self.model_versions),
            "timings_ms": {key: _round(value, 2) for key, value in self.timings_ms.items()},
            "routing": json_safe(self.routing),
            "image": json_safe(self.image),
        }
        if include_embedding:
            payload["embedding"] = [_round(value, 6) for value in self.embedding]
        return payload
