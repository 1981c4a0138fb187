"""Pure geometry and arithmetic behind the admin's pictures: defect boxes, progress, timelines."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

SEVERITY_ORDER = ("high", "medium", "low")


class DefectLike(Protocol):
    defect_type: str
    severity: str
    confidence: float
    bounding_box: Any
    description: str


@dataclass(frozen=True, slots=True)
class DefectBox:
    """One defect's rectangle in the image's pixel space, clamped to the frame."""

    x: int
    y: int
    width: int
    height: int
    defect_type: str
    severity: str
    confidence_pct: int
    description: str
    label_y: float

    @property
    def label(self) -> str:
        return f"{self.defect_type.replace('_', ' ')} {self.confidence_pct}%"


@dataclass(frozen=True, slots=True)
class Overlay:
    """An image with its defect boxes drawn in an SVG of the same coordinate space."""

    width: int
    height: int
    boxes: list[DefectBox]
    stroke_width: float
    font_size: float


def _box_numbers(raw: Any) -> tuple[int, int, int, int] | None:
    if not isinstance(raw, Mapping):
        return None
    try:
        x, y, width, height = (int(raw[key]) for key in ("x", "y", "width", "height"))
    except (KeyError, TypeError, ValueError):
        return None
    if width <= 0 or height <= 0:
        return None
    return x, y, width, height


def overlay(
    defects: Iterable[DefectLike], *, image_width: int | None, image_height: int | None
) -> Overlay:
    """Boxes in pixels of the stored image; a frame is inferred when its size is unknown."""
    parsed = [
        (defect, numbers)
        for defect in defects
        if (numbers := _box_numbers(defect.bounding_box)) is not None
    ]
    width = image_width or max((x + w for _, (x, _, w, _) in parsed), default=1)
    height = image_height or max((y + h for _, (_, y, _, h) in parsed), default=1)
    longest_side = max(width, height)
    font_size = round(max(longest_side / 32, 8.0), 1)
    boxes: list[DefectBox] = []
    for defect, (x, y, box_width, box_height) in parsed:
        left, top = min(max(x, 0), width - 1), min(max(y, 0), height - 1)
        right, bottom = min(x + box_width, width), min(y + box_height, height)
        boxes.append(
            DefectBox(
                x=left,
                y=top,
                width=max(right - left, 1),
                height=max(bottom - top, 1),
                defect_type=defect.defect_type,
                severity=defect.severity,
                confidence_pct=round(float(defect.confidence) * 100),
                description=defect.description,
                # Above the box when there is room, else just inside its top edge.
                label_y=top - font_size / 4 if top >= font_size else top + font_size,
            )
        )
    boxes.sort(key=lambda box: (_severity_rank(box.severity), -box.confidence_pct))
    return Overlay(
        width=width,
        height=height,
        boxes=boxes,
        stroke_width=round(max(longest_side / 250, 1.0), 2),
        font_size=font_size,
    )


def _severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def progress_percent(*, processed: int, failed: int, total: int) -> int:
    """Share of the job's images that are finished, successfully or not."""
    if total <= 0:
        return 100
    return min(100, round((processed + failed) * 100 / total))


@dataclass(frozen=True, slots=True)
class ScoreBar:
    label: str
    percent: float


def score_bars(scores: Any, *, limit: int = 10) -> list[ScoreBar]:
    """The classifier's top labels (``{"top_k": [{"label", "score"}]}``), best first."""
    top_k = scores.get("top_k") if isinstance(scores, Mapping) else None
    bars: list[ScoreBar] = []
    for entry in top_k if isinstance(top_k, list) else []:
        if isinstance(entry, Mapping) and "label" in entry and "score" in entry:
            try:
                bars.append(ScoreBar(str(entry["label"]), round(float(entry["score"]) * 100, 1)))
            except (TypeError, ValueError):
                continue
    bars.sort(key=lambda bar: -bar.percent)
    return bars[:limit]


class StepLike(Protocol):
    step_name: str
    status: str
    image_id: uuid.UUID | None
    started_at: datetime | None
    completed_at: datetime | None
    duration_ms: int | None
    error_message: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class TimelineBar:
    step_name: str
    status: str
    started_at: datetime | None
    completed_at: datetime | None
    duration_ms: int | None
    error_message: str | None
    attempts: int
    offset_pct: float
    width_pct: float


@dataclass(frozen=True, slots=True)
class TimelineLane:
    """The steps of one image, placed on the job's shared time axis."""

    image_id: uuid.UUID | None
    bars: list[TimelineBar]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Lanes of steps on one time axis, from the first start to the last end (or now)."""

    lanes: list[TimelineLane]
    starts_at: datetime | None
    span_ms: int


def timeline(steps: Sequence[StepLike], *, now: datetime) -> Timeline:
    """Group steps per image (in first-seen order) and place each on the job's time span."""
    starts = [step.started_at for step in steps if step.started_at is not None]
    origin = min(starts, default=now)
    ends = [_end_of(step, now) for step in steps if step.started_at is not None]
    span_s = max((max(ends, default=origin) - origin).total_seconds(), 0.001)
    lanes: dict[uuid.UUID | None, list[TimelineBar]] = {}
    for step in steps:
        offset_pct, width_pct = _place(step, origin=origin, span_s=span_s, now=now)
        lanes.setdefault(step.image_id, []).append(
            TimelineBar(
                step_name=step.step_name,
                status=step.status,
                started_at=step.started_at,
                completed_at=step.completed_at,
                duration_ms=step.duration_ms,
                error_message=step.error_message,
                attempts=step.attempts,
                offset_pct=offset_pct,
                width_pct=width_pct,
            )
        )
    return Timeline(
        lanes=[TimelineLane(image_id=image_id, bars=bars) for image_id, bars in lanes.items()],
        starts_at=min(starts) if starts else None,
        span_ms=round(span_s * 1000) if starts else 0,
    )


def _place(
    step: StepLike, *, origin: datetime, span_s: float, now: datetime
) -> tuple[float, float]:
    """Left edge and width in percent of the span; a step that never started has no bar."""
    if step.started_at is None:
        return 0.0, 0.0
    offset = (step.started_at - origin).total_seconds() / span_s * 100
    width = (_end_of(step, now) - step.started_at).total_seconds() / span_s * 100
    offset = min(max(offset, 0.0), 99.5)
    # Very short steps still get a visible sliver.
    width = min(max(width, 0.5), 100.0 - offset)
    return round(offset, 2), round(width, 2)


def _end_of(step: StepLike, now: datetime) -> datetime:
    if step.completed_at is not None:
        return step.completed_at
    return now
