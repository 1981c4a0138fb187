"""Condition grade for second-hand goods: new / like new / good / fair / poor, from the defects.

Each reported defect adds damage points: its severity's weight, times its type's weight
(a crack, tear or missing part matters more than a scuff), times the detector's confidence,
plus a share-of-surface term (a stain over a tenth of the product is worse than a speck).
The total picks the grade; a high-severity structural defect caps it at ``poor``, any high
severity at ``fair``. The reasons list every defect that counted and the rule that decided.

A photo cannot prove an item unused: with no visible defect the grade is ``new`` only when
the surface shows no wear either, and its confidence stays moderate (``like_new`` otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from backend.ml.results import AttributeResult, DefectResult

ATTRIBUTE_NAME = "condition_grade"
METHOD = "defect-points"

SEVERITY_POINTS = {"low": 1.0, "medium": 3.0, "high": 6.0}
TYPE_WEIGHT = {
    "scratch": 1.0,
    "stain": 1.0,
    "discoloration": 0.8,
    "dent": 1.2,
    "other": 1.0,
    "crack": 2.0,
    "tear": 2.0,
    "missing_part": 2.5,
}
STRUCTURAL = frozenset({"crack", "tear", "missing_part"})
#: Points for a defect covering the whole product; scaled by its share of the product's area.
AREA_POINTS = 10.0
#: Upper bounds of total points per grade (inclusive), checked in order.
GRADE_LIMITS = (("like_new", 1.5), ("good", 4.5), ("fair", 10.0))
#: The surface counts as worn (no longer ``new``) above this share of ridge-like pixels.
WEAR_NEW_MAX = 0.02
#: Defects below this confidence are too uncertain to grade on.
MIN_DEFECT_CONFIDENCE = 0.5
NO_DEFECT_CONFIDENCE_CAP = 0.7


class Grade(StrEnum):
    NEW = "new"
    LIKE_NEW = "like_new"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"

    @property
    def rank(self) -> int:
        return list(Grade).index(self)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class GradedDefect:
    defect_type: str
    severity: str
    confidence: float
    area_share: float  # of the product's area
    points: float


@dataclass(frozen=True)
class ConditionGrade:
    grade: Grade
    confidence: float
    points: float
    reasons: list[str]
    defects: list[GradedDefect]

    def to_attribute(self) -> AttributeResult:
        return AttributeResult(
            ATTRIBUTE_NAME,
            self.grade.value,
            self.confidence,
            METHOD,
            {
                "label": self.grade.label,
                "points": round(self.points, 3),
                "reasons": list(self.reasons),
                "defects": [
                    {
                        "defect_type": d.defect_type,
                        "severity": d.severity,
                        "confidence": round(d.confidence, 4),
                        "area_share": round(d.area_share, 5),
                        "points": round(d.points, 3),
                    }
                    for d in self.defects
                ],
            },
        )

    def to_dict(self) -> dict[str, Any]:
        attribute = self.to_attribute()
        return {"grade": self.grade.value, "confidence": round(self.confidence, 4)} | dict(
            attribute.metadata
        )


def grade_defects(
    defects: Sequence[DefectResult], *, object_area: float, wear_index: float = 0.0
) -> ConditionGrade:
    """Grade from detected defects (boxes in original pixels) and the product's area in the
    same pixels; ``wear_index`` is the defect detector's share of worn-looking surface."""
    counted = [
        _graded(defect, object_area)
        for defect in defects
        if defect.confidence >= MIN_DEFECT_CONFIDENCE
    ]
    if not counted:
        return _without_defects(wear_index)
    points = sum(d.points for d in counted)
    grade, rule = _grade_for_points(points)
    structural_high = [d for d in counted if d.severity == "high" and d.defect_type in STRUCTURAL]
    any_high = [d for d in counted if d.severity == "high"]
    if structural_high:
        grade, rule = Grade.POOR, f"a severe {structural_high[0].defect_type.replace('_', ' ')}"
    elif any_high and grade.rank < Grade.FAIR.rank:
        grade, rule = Grade.FAIR, f"a severe {any_high[0].defect_type.replace('_', ' ')}"
    reasons = [_describe(d) for d in sorted(counted, key=lambda d: d.points, reverse=True)]
    reasons.append(f"{points:.1f} damage points in total; graded {grade.label} ({rule}).")
    confidence = sum(d.confidence * d.points for d in counted) / points
    return ConditionGrade(grade, float(min(0.95, confidence)), points, reasons, counted)


def _graded(defect: DefectResult, object_area: float) -> GradedDefect:
    share = min(1.0, defect.box.area / object_area) if object_area > 0 else 0.0
    points = (
        SEVERITY_POINTS[defect.severity] * TYPE_WEIGHT.get(defect.defect_type, 1.0)
        + AREA_POINTS * share
    ) * defect.confidence
    return GradedDefect(defect.defect_type, defect.severity, defect.confidence, share, points)


def _grade_for_points(points: float) -> tuple[Grade, str]:
    for name, limit in GRADE_LIMITS:
        if points <= limit:
            return Grade(name), f"at most {limit:g} points"
    return Grade.POOR, f"more than {GRADE_LIMITS[-1][1]:g} points"


def _without_defects(wear_index: float) -> ConditionGrade:
    if wear_index <= WEAR_NEW_MAX:
        reasons = [
            "No defect was found and the surface shows no wear.",
            "Photos cannot prove the item is unused: check before listing it as new.",
        ]
        return ConditionGrade(Grade.NEW, NO_DEFECT_CONFIDENCE_CAP, 0.0, reasons, [])
    reasons = [
        "No defect was found, but the surface shows signs of wear "
        f"(wear index {wear_index:.3f} > {WEAR_NEW_MAX}).",
    ]
    return ConditionGrade(Grade.LIKE_NEW, 0.6, 0.0, reasons, [])


def _describe(defect: GradedDefect) -> str:
    name = defect.defect_type.replace("_", " ")
    return (
        f"{defect.severity.capitalize()} {name} (confidence {defect.confidence:.2f}, "
        f"{defect.area_share * 100:.1f}% of the product): {defect.points:.1f} points."
    )
