"""``defect_detection.detect_defects``: one step of the image pipeline, run on its own."""

from __future__ import annotations

from backend.shared.db.enums import StepName
from backend.workers.image_processing import step_task

detect_defects = step_task(
    "defect_detection.detect_defects",
    StepName.DETECT_DEFECTS,
    "Defect boxes and the condition of one image.",
)
