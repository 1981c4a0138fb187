"""The condition grade follows the defects: type, severity, confidence and area."""

from __future__ import annotations

import pytest

from backend.ml import inference
from backend.ml.condition_grade import Grade, grade_defects
from backend.ml.preprocessing import Box
from backend.ml.results import DefectResult, DefectType, Severity
from tests.ml.conftest import photo_bytes

OBJECT_AREA = 500.0 * 500.0


def defect(
    defect_type: DefectType, severity: Severity, confidence: float = 0.8, side: float = 20.0
) -> DefectResult:
    return DefectResult(
        defect_type=defect_type,
        severity=severity,
        confidence=confidence,
        box=Box(10, 10, side, side),
        description="",
    )


@pytest.mark.parametrize(
    ("defects", "expected"),
    [
        ([], Grade.NEW),
        ([defect("scratch", "low")], Grade.LIKE_NEW),
        ([defect("scratch", "medium")], Grade.GOOD),
        ([defect("stain", "medium"), defect("scratch", "low")], Grade.GOOD),
        (
            [defect("stain", "medium"), defect("dent", "medium"), defect("scratch", "low")],
            Grade.FAIR,
        ),
        ([defect("stain", "high")], Grade.FAIR),
        ([defect("crack", "high")], Grade.POOR),
        (
            [defect("tear", "medium"), defect("stain", "medium"), defect("dent", "medium")],
            Grade.POOR,
        ),
    ],
)
def test_more_and_worse_defects_give_a_lower_grade(
    defects: list[DefectResult], expected: Grade
) -> None:
    graded = grade_defects(defects, object_area=OBJECT_AREA)
    assert graded.grade == expected
    assert 0 < graded.confidence <= 1
    assert graded.reasons


def test_a_large_defect_weighs_more_than_a_small_one() -> None:
    small = grade_defects([defect("stain", "medium", side=20)], object_area=OBJECT_AREA)
    large = grade_defects([defect("stain", "medium", side=300)], object_area=OBJECT_AREA)
    assert large.points > small.points
    assert large.grade.rank > small.grade.rank
    assert "36.0% of the product" in large.reasons[0]


def test_uncertain_defects_are_not_graded_and_wear_prevents_new() -> None:
    assert grade_defects([defect("crack", "high", confidence=0.3)], object_area=1).grade == (
        Grade.NEW
    )
    worn = grade_defects([], object_area=OBJECT_AREA, wear_index=0.05)
    assert worn.grade == Grade.LIKE_NEW
    assert "wear" in worn.reasons[0]


def test_the_reasoning_names_each_defect_and_the_deciding_rule() -> None:
    graded = grade_defects(
        [defect("crack", "high", confidence=0.9), defect("scratch", "low", confidence=0.6)],
        object_area=OBJECT_AREA,
    )
    assert graded.grade == Grade.POOR
    assert graded.reasons[0].startswith("High crack (confidence 0.90")
    assert graded.reasons[1].startswith("Low scratch (confidence 0.60")
    assert graded.reasons[-1].endswith("graded poor (a severe crack).")
    attribute = graded.to_attribute()
    assert (attribute.name, attribute.value) == ("condition_grade", "poor")
    assert attribute.metadata["reasons"] == graded.reasons
    assert [d["defect_type"] for d in attribute.metadata["defects"]] == ["crack", "scratch"]


def _grade_photo(name: str) -> Grade:
    prepared = inference.prepare(photo_bytes(name))
    report = inference.detect_defects(prepared, inference.classify(prepared), include_heatmap=False)
    area = prepared.foreground.fill_ratio * prepared.original_width * prepared.original_height
    wear = float(report.condition.metadata["wear_index"])
    return grade_defects(report.defects, object_area=area, wear_index=wear).grade


@pytest.mark.parametrize(("clean", "damaged"), [("led_bulb.jpg", "led_bulb_crack.jpg")])
def test_on_real_photos_the_damaged_copy_grades_lower(clean: str, damaged: str) -> None:
    assert _grade_photo(clean) in (Grade.NEW, Grade.LIKE_NEW)
    assert _grade_photo(damaged).rank > _grade_photo(clean).rank
    assert _grade_photo("led_bulb_crack.jpg") == Grade.POOR
