from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from backend.domain.analysis import service as analysis_service
from backend.domain.jobs import service as jobs_service
from backend.fastapi_app.api.v1.analysis.presenters import analysis_public
from backend.fastapi_app.api.v1.analysis.schemas import AnalysisPublic
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.jobs.schemas import JobPublic
from backend.fastapi_app.deps import CurrentUser, DispatcherDep, SessionDep
from backend.shared.db.models import ProcessingJob

router = APIRouter(prefix="/images/{image_id}/analysis", tags=["analysis"])


@router.get("", response_model=AnalysisPublic, responses=problems(401, 404, 422))
def get_analysis(image_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AnalysisPublic:
    """Classification with top-k scores, attributes, defect boxes, description, timings."""
    view = analysis_service.get_or_raise(session, owner_id=user.id, image_id=image_id)
    return analysis_public(view)


@router.post(
    "",
    response_model=JobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(401, 404, 409, 422),
)
def reanalyze(
    image_id: uuid.UUID, session: SessionDep, user: CurrentUser, dispatcher: DispatcherDep
) -> ProcessingJob:
    """Analyse the image again with the current models."""
    return jobs_service.reanalyze(session, dispatcher, owner_id=user.id, image_id=image_id)
