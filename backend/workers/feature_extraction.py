"""``feature_extraction.extract_features``: one step of the image pipeline, run on its own."""

from __future__ import annotations

from backend.shared.db.enums import StepName
from backend.workers.image_processing import step_task

extract_features = step_task(
    "feature_extraction.extract_features",
    StepName.EXTRACT_FEATURES,
    "Attribute extraction (colour, material, photo quality) of one image.",
)
