"""Defect boxes, progress and timelines: pure arithmetic, no database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.django_app.presentation import overlay, progress_percent, score_bars, timeline


@dataclass
class Defect:
    defect_type: str
    severity: str
    confidence: float
    bounding_box: Any
    description: str = ""


@dataclass
class Step:
    step_name: str
    status: str
    image_id: uuid.UUID | None
    started_at: datetime | None
    completed_at: datetime | None
    duration_ms: int | None = None
    error_message: str | None = None
    attempts: int = 1


def test_boxes_are_clamped_to_the_frame_and_ordered_by_severity() -> None:
    drawn = overlay(
        [
            Defect("stain", "low", 0.55, {"x": 600, "y": 400, "width": 100, "height": 200}),
            Defect("crack", "high", 0.9, {"x": -5, "y": 10, "width": 50, "height": 20}),
            Defect("dent", "medium", 0.7, {"x": 1, "y": 1, "width": 0, "height": 5}),
            Defect("other", "low", 0.5, "not a box"),
        ],
        image_width=640,
        image_height=480,
    )
    assert (drawn.width, drawn.height) == (640, 480)
    assert [box.defect_type for box in drawn.boxes] == ["crack", "stain"]
    crack, stain = drawn.boxes
    assert (crack.x, crack.y, crack.width, crack.height) == (0, 10, 45, 20)
    assert (stain.x, stain.y, stain.width, stain.height) == (600, 400, 40, 80)
    assert crack.label == "crack 90%"
    assert crack.label_y > crack.y, "no room above the box: the label goes inside"
    assert stain.label_y < stain.y


def test_an_unknown_image_size_is_inferred_from_the_boxes() -> None:
    drawn = overlay(
        [Defect("tear", "high", 0.8, {"x": 100, "y": 50, "width": 20, "height": 30})],
        image_width=None,
        image_height=None,
    )
    assert (drawn.width, drawn.height) == (120, 80)
    assert overlay([], image_width=None, image_height=None).boxes == []


def test_progress_counts_finished_images_whatever_their_outcome() -> None:
    assert progress_percent(processed=1, failed=1, total=4) == 50
    assert progress_percent(processed=3, failed=0, total=3) == 100
    assert progress_percent(processed=0, failed=0, total=0) == 100


def test_score_bars_keep_valid_entries_best_first() -> None:
    bars = score_bars(
        {"top_k": [{"label": "cup", "score": 0.1}, {"label": "mug", "score": 0.85}, {"x": 1}]}
    )
    assert [(bar.label, bar.percent) for bar in bars] == [("mug", 85.0), ("cup", 10.0)]
    assert score_bars({}) == []
    assert score_bars(None) == []


def test_timeline_places_steps_per_image_on_one_axis() -> None:
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    first, second = uuid.uuid4(), uuid.uuid4()
    steps = [
        Step("classify", "completed", first, start, start + timedelta(seconds=2), 2000),
        Step(
            "classify",
            "failed",
            second,
            start + timedelta(seconds=2),
            start + timedelta(seconds=4),
            2000,
            "boom",
        ),
        Step("detect_defects", "pending", second, None, None),
    ]
    axis = timeline(steps, now=start + timedelta(seconds=10))
    assert (axis.starts_at, axis.span_ms) == (start, 4000)
    lanes = axis.lanes
    assert [lane.image_id for lane in lanes] == [first, second]
    assert (lanes[0].bars[0].offset_pct, lanes[0].bars[0].width_pct) == (0.0, 50.0)
    failed, pending = lanes[1].bars
    assert (failed.offset_pct, failed.width_pct) == (50.0, 50.0)
    assert failed.error_message == "boom"
    assert (pending.offset_pct, pending.width_pct) == (0.0, 0.0)


def test_a_running_step_extends_to_now() -> None:
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    steps = [
        Step("preprocess", "completed", None, start, start + timedelta(seconds=1)),
        Step("classify", "running", None, start + timedelta(seconds=1), None),
    ]
    [lane] = timeline(steps, now=start + timedelta(seconds=4)).lanes
    assert [(bar.offset_pct, bar.width_pct) for bar in lane.bars] == [(0.0, 25.0), (25.0, 75.0)]
