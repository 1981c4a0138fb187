"""``classification.classify_image``: one step of the image pipeline, run on its own."""

from __future__ import annotations

from backend.shared.db.enums import StepName
from backend.workers.image_processing import step_task

classify_image = step_task(
    "classification.classify_image",
    StepName.CLASSIFY,
    "Product category classification of one image.",
)
