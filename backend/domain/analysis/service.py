"""Reading analysis results."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from backend.domain.analysis import repository
from backend.domain.errors import NotFoundError
from backend.domain.jobs import repository as jobs_repository
from backend.ml.model_registry import get_registry
from backend.shared.db.models import AnalysisResult, JobStep


@dataclass(frozen=True, slots=True)
class AnalysisView:
    analysis: AnalysisResult
    steps: Sequence[JobStep]


def get_or_raise(session: Session, *, owner_id: uuid.UUID, image_id: uuid.UUID) -> AnalysisView:
    analysis = repository.get_for_owner(session, owner_id=owner_id, image_id=image_id)
    if analysis is None:
        raise NotFoundError("analysis_not_found", "This image has no analysis yet.")
    steps = jobs_repository.latest_steps_for_image(session, image_id=image_id)
    return AnalysisView(analysis=analysis, steps=steps)


def model_version_for(image_id: uuid.UUID) -> str:
    """The model version that analysing this image now would use (A/B routing included)."""
    return get_registry().route(str(image_id)).version
