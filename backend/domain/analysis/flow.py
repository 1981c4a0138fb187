"""The analysis of one image within a job: preprocess -> classify -> attributes -> defects ->
description, each step recorded in ``job_steps`` with its results in the same transaction.

The image is decoded and run through the network once per run; outputs travel in memory
between steps. A step that already completed is never redone, so a redelivered task picks up
where the last run stopped, and counters move exactly once per image.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from backend.domain.analysis import describe, recording
from backend.domain.corrections import heads
from backend.domain.jobs import events, progress
from backend.domain.jobs.progress import Claim, LeaseLostError
from backend.domain.products import service as products_service
from backend.domain.search import recording as search_recording
from backend.ml import condition_grade, inference, readiness
from backend.ml.errors import ImageDecodeError
from backend.ml.few_shot import HeadDecision
from backend.ml.results import ClassificationResult
from backend.shared.config import Settings
from backend.shared.db.enums import JobStatus, StepName, StepStatus
from backend.shared.db.models import JobStep, ProcessingJob, ProductImage
from backend.shared.db.session import session_scope
from backend.shared.pubsub.base import Event
from backend.shared.storage.base import (
    ImageStorage,
    ObjectNotFoundError,
    ObjectTooLargeError,
    StorageError,
)

logger = structlog.get_logger(__name__)

STEP_ORDER = {name: index for index, name in enumerate(StepName)}
FINAL_STEP_STATES = {
    StepStatus.COMPLETED,
    StepStatus.FAILED,
    StepStatus.SKIPPED,
    StepStatus.CANCELLED,
}
MAX_ERROR_CHARS = 500

Publish = Callable[[uuid.UUID, Event], None]


class TransientStepError(Exception):
    """A step failed for a reason that may pass (storage, database, LLM throttling)."""


class PermanentStepError(Exception):
    """A step can never succeed for this image (undecodable, missing file...)."""


@dataclass(frozen=True, slots=True)
class ImageContext:
    job_id: uuid.UUID
    image_id: uuid.UUID
    product_id: uuid.UUID
    owner_id: uuid.UUID
    s3_key: str


@dataclass
class _Outputs:
    """What earlier steps computed in this run, computed on demand for later ones."""

    context: ImageContext
    storage: ImageStorage
    settings: Settings
    prepared: inference.PreparedImage | None = None
    classification: ClassificationResult | None = None
    head_decision: HeadDecision | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def image(self) -> inference.PreparedImage:
        if self.prepared is None:
            data = self.storage.read_bytes(
                self.context.s3_key, max_bytes=self.settings.max_upload_bytes
            )
            self.prepared = inference.prepare(data, image_id=str(self.context.image_id))
        return self.prepared

    def decision(self, session: Session) -> HeadDecision:
        """The seller's custom head when it answers, the base taxonomy otherwise."""
        if self.head_decision is None:
            self.head_decision = heads.classify_for_owner(
                session, self.image(), owner_id=self.context.owner_id, settings=self.settings
            )
        return self.head_decision

    def classified(self, session: Session) -> ClassificationResult:
        if self.classification is None:
            self.classification = self.decision(session).result
        return self.classification


@dataclass(frozen=True, slots=True)
class RunReport:
    ran_steps: int
    image_finished: bool
    job_finished: bool


@dataclass(frozen=True, slots=True)
class _StepOutcome:
    """How a step ended: the claim on the next step (taken in the same transaction), or the
    end of the image, with the events to publish once committed."""

    next_claim: Claim | None = None
    image_finished: bool = False
    job_finished: bool = False
    events: tuple[Event, ...] = ()


def run_image(
    *,
    job_id: uuid.UUID,
    image_id: uuid.UUID,
    storage: ImageStorage,
    settings: Settings,
    publish: Publish,
    only_steps: Sequence[StepName] | None = None,
) -> RunReport:
    """Run the image's unfinished steps (all, or ``only_steps``) in the spec's order.

    Each step costs one transaction: it writes its results, completes itself and claims the
    next step together, so the bookkeeping stays cheap next to the model.
    """
    context, todo, claim = _load_and_claim(job_id=job_id, image_id=image_id, only_steps=only_steps)
    if context is None or claim is None:
        return RunReport(ran_steps=0, image_finished=False, job_finished=False)
    outputs = _Outputs(context=context, storage=storage, settings=settings)
    ran = 0
    for index, step in enumerate(todo):
        next_step = todo[index + 1] if index + 1 < len(todo) else None
        outcome = _run_step(step, claim, next_step=next_step, outputs=outputs, publish=publish)
        if outcome is None:
            break
        ran += 1
        if outcome.image_finished:
            return RunReport(ran_steps=ran, image_finished=True, job_finished=outcome.job_finished)
        if outcome.next_claim is None:
            break
        claim = outcome.next_claim
    return RunReport(ran_steps=ran, image_finished=False, job_finished=False)


def _load_and_claim(
    *, job_id: uuid.UUID, image_id: uuid.UUID, only_steps: Sequence[StepName] | None
) -> tuple[ImageContext | None, list[JobStep], Claim | None]:
    """The image's context, the steps left to run in order, and a claim on the first one."""
    with session_scope() as session:
        job = session.get(ProcessingJob, job_id)
        image = session.get(ProductImage, image_id)
        if job is None or image is None or job.status == JobStatus.CANCELLED:
            return None, [], None
        steps = sorted(
            progress.image_steps(session, job_id=job_id, image_id=image_id),
            key=lambda step: STEP_ORDER.get(StepName(step.step_name), len(STEP_ORDER)),
        )
        if any(step.status == StepStatus.FAILED for step in steps):
            return None, [], None
        todo = [
            step
            for step in steps
            if step.status not in FINAL_STEP_STATES
            and (only_steps is None or step.step_name in only_steps)
        ]
        context = ImageContext(
            job_id=job_id,
            image_id=image_id,
            product_id=image.product_id,
            owner_id=job.user_id,
            s3_key=image.s3_key,
        )
        claim = progress.claim(session, step=todo[0]) if todo else None
        return context, todo, claim


def _run_step(
    step: JobStep,
    claim: Claim,
    *,
    next_step: JobStep | None,
    outputs: _Outputs,
    publish: Publish,
) -> _StepOutcome | None:
    """Run one claimed step; ``None`` if this run must stop (taken over or failed early)."""
    context = outputs.context
    name = StepName(step.step_name)
    _publish_step(publish, context, name, StepStatus.RUNNING, None, None)
    started = time.perf_counter()
    try:
        with session_scope() as session:
            result_data = _STEP_RUNNERS[name](session, outputs)
            duration_ms = _elapsed_ms(started)
            progress.complete(
                session, claim=claim, result_data=result_data, duration_ms=duration_ms
            )
            session.flush()
            if _image_done(session, context):
                outcome = _finish_image(session, context=context, succeeded=True, error=None)
            else:
                next_claim = (
                    progress.claim(session, step=next_step) if next_step is not None else None
                )
                outcome = _StepOutcome(next_claim=next_claim)
    except LeaseLostError:
        logger.info("step_taken_over", step=name, image_id=str(context.image_id))
        return None
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the step
        return _handle_failure(
            exc, claim=claim, name=name, outputs=outputs, started=started, publish=publish
        )
    _publish_step(publish, context, name, StepStatus.COMPLETED, duration_ms, None)
    for event in outcome.events:
        publish(context.owner_id, event)
    return outcome


def _handle_failure(
    exc: Exception,
    *,
    claim: Claim,
    name: StepName,
    outputs: _Outputs,
    started: float,
    publish: Publish,
) -> _StepOutcome | None:
    context = outputs.context
    if is_transient(exc):
        with session_scope() as session:
            progress.release(session, claim=claim)
        raise TransientStepError(f"{name}: {describe_error(exc)}") from exc
    error = describe_error(exc)
    logger.info("step_failed", step=name, image_id=str(context.image_id), error=error)
    duration_ms = _elapsed_ms(started)
    try:
        with session_scope() as session:
            progress.fail(
                session, claim=claim, error=error, duration_ms=duration_ms, transient=False
            )
            progress.skip_remaining(session, job_id=context.job_id, image_id=context.image_id)
            outcome = _finish_image(session, context=context, succeeded=False, error=error)
    except LeaseLostError:
        return None
    _publish_step(publish, context, name, StepStatus.FAILED, duration_ms, error)
    for event in outcome.events:
        publish(context.owner_id, event)
    return outcome


def fail_after_retries(
    *, job_id: uuid.UUID, image_id: uuid.UUID, error: str, publish: Publish
) -> None:
    """Give up on an image whose transient errors outlasted the retry limit."""
    context, todo, claim = _load_and_claim(job_id=job_id, image_id=image_id, only_steps=None)
    if context is None or claim is None:
        return
    message = f"gave up after retries: {error}"[:MAX_ERROR_CHARS]
    with session_scope() as session:
        progress.fail(session, claim=claim, error=message, duration_ms=0, transient=True)
        progress.skip_remaining(session, job_id=job_id, image_id=image_id)
        outcome = _finish_image(session, context=context, succeeded=False, error=message)
    _publish_step(publish, context, StepName(todo[0].step_name), StepStatus.FAILED, 0, message)
    for event in outcome.events:
        publish(context.owner_id, event)


def _image_done(session: Session, context: ImageContext) -> bool:
    return all(
        step.status in FINAL_STEP_STATES
        for step in progress.image_steps(session, job_id=context.job_id, image_id=context.image_id)
    )


def _finish_image(
    session: Session, *, context: ImageContext, succeeded: bool, error: str | None
) -> _StepOutcome:
    """Close the image (analysis, product status, job counters) and prepare its events."""
    analysis = recording.finish(
        session, job_id=context.job_id, image_id=context.image_id, succeeded=succeeded, error=error
    )
    products_service.refresh_status(session, product_id=context.product_id)
    finished_job = progress.count_image(session, job_id=context.job_id, succeeded=succeeded)
    job = finished_job or session.get(ProcessingJob, context.job_id, populate_existing=True)
    image_events: list[Event] = [
        events.image_analyzed(
            image_id=context.image_id,
            product_id=context.product_id,
            status=analysis.status,
            classification_label=analysis.classification_label,
        )
    ]
    if job is not None:
        image_events.append(events.job_progress(job))
        if finished_job is not None:
            image_events.append(events.job_finished(finished_job))
    return _StepOutcome(
        image_finished=True, job_finished=finished_job is not None, events=tuple(image_events)
    )


def _publish_step(
    publish: Publish,
    context: ImageContext,
    name: StepName,
    status: StepStatus,
    duration_ms: int | None,
    error: str | None,
) -> None:
    publish(
        context.owner_id,
        events.job_step(
            job_id=context.job_id,
            image_id=context.image_id,
            product_id=context.product_id,
            step=name,
            status=status,
            duration_ms=duration_ms,
            error=error,
        ),
    )


def _preprocess(session: Session, outputs: _Outputs) -> dict[str, Any]:
    recording.start(session, image_id=outputs.context.image_id)
    prepared = outputs.image()
    return {
        "width": prepared.original_width,
        "height": prepared.original_height,
        "model_version": prepared.model_version,
        "timings_ms": {name: round(ms, 1) for name, ms in prepared.timings_ms.items()},
    }


def _classify(session: Session, outputs: _Outputs) -> dict[str, Any]:
    context = outputs.context
    recorded = recording.record_classification(
        session, image_id=context.image_id, result=outputs.classified(session)
    )
    heads.record_decision(
        session,
        owner_id=context.owner_id,
        image_id=context.image_id,
        decision=outputs.decision(session),
    )
    recorded["head"] = "custom" if outputs.decision(session).answered_by_custom else "base"
    recorded.update(
        search_recording.record_embedding(
            session,
            image_id=context.image_id,
            owner_id=context.owner_id,
            prepared=outputs.image(),
            settings=outputs.settings,
        )
    )
    return recorded


def _extract_features(session: Session, outputs: _Outputs) -> dict[str, Any]:
    prepared = outputs.image()
    attributes = inference.extract_features(prepared, outputs.classified(session))
    metrics = readiness.measure_photo(
        prepared.gray, prepared.lab, prepared.foreground, prepared.quality
    )
    return recording.record_attributes(
        session,
        image_id=outputs.context.image_id,
        attributes=attributes,
        quality_metrics=metrics.to_dict(),
    )


def _detect_defects(session: Session, outputs: _Outputs) -> dict[str, Any]:
    prepared = outputs.image()
    report = inference.detect_defects(prepared, outputs.classified(session))
    grade = condition_grade.grade_defects(
        report.defects,
        object_area=prepared.foreground.fill_ratio
        * prepared.original_width
        * prepared.original_height,
        wear_index=float(report.condition.metadata.get("wear_index", 0.0)),
    )
    return recording.record_defects(
        session,
        image_id=outputs.context.image_id,
        report=report,
        extra_attributes=[grade.to_attribute()],
    )


def _generate_description(session: Session, outputs: _Outputs) -> dict[str, Any]:
    session.flush()
    generated = describe.describe_image(
        session,
        image_id=outputs.context.image_id,
        settings=outputs.settings,
        storage=outputs.storage,
    )
    return {"model": generated.model, "provider": generated.provider}


_STEP_RUNNERS: dict[StepName, Callable[[Session, _Outputs], dict[str, Any]]] = {
    StepName.PREPROCESS: _preprocess,
    StepName.CLASSIFY: _classify,
    StepName.EXTRACT_FEATURES: _extract_features,
    StepName.DETECT_DEFECTS: _detect_defects,
    StepName.GENERATE_DESCRIPTION: _generate_description,
}


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ObjectNotFoundError | ObjectTooLargeError):
        return False
    if isinstance(exc, StorageError | OperationalError | TransientStepError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return describe.is_transient_provider_error(exc)


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, ImageDecodeError | PermanentStepError):
        text = str(exc)
    elif isinstance(exc, ObjectNotFoundError):
        text = "the stored image file is missing"
    elif isinstance(exc, ObjectTooLargeError):
        text = "the stored image file is larger than the upload size limit"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_CHARS]


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
