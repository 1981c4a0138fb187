"""``description_gen.generate_description``: one step of the image pipeline, run on its own."""

from __future__ import annotations

from backend.shared.db.enums import StepName
from backend.workers.image_processing import step_task

generate_description = step_task(
    "description_gen.generate_description",
    StepName.GENERATE_DESCRIPTION,
    "The listing description of one image (and of its product, when primary).",
)
