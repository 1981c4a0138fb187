"""Listing readiness: does a photo pass a marketplace's image rules?

Two halves. :func:`measure_photo` turns an analysed image into plain numbers (longest side,
sharpness, exposure, white share of the border, how much of the frame the product spans, how
far off centre it sits, how many separate objects there are, how much of the background
carries text-like marks); the analysis stores them in ``analysis_results.quality_metrics``.
:func:`evaluate` judges stored numbers against a rule preset (``data/readiness_presets.json``)
and says, per rule, pass / warn / fail with the measured value and a one-line fix. Judging
needs no image, so a request may pick any preset without re-analysing anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from backend.ml.config import DATA_DIR
from backend.ml.foreground import Foreground, distance_to
from backend.ml.quality import DARK_HIGHLIGHTS
from backend.ml.results import QualityReport

METRICS_VERSION = 1
PRESETS_FILE = DATA_DIR / "readiness_presets.json"
DEFAULT_PRESET = "generic"

#: Parts of the object mask closer than this share of the frame's long side count as one
#: object (a mug and its handle, a bag and its strap).
OBJECT_MERGE_FRACTION = 0.02
#: A separate object must have at least this share of the largest one's area, and of the frame.
OBJECT_MIN_SHARE_OF_LARGEST = 0.12
OBJECT_MIN_SHARE_OF_FRAME = 0.004
#: A text-like mark is an overlay when this share of its surroundings is the backdrop's colour
#: (within this delta E of it); print on the product is surrounded by the product instead.
OVERLAY_BACKDROP_DELTA_E = 12.0
OVERLAY_MIN_BACKDROP_AROUND = 0.65
#: A written word (three characters or more) is this many times wider than tall, and a row
#: through it crosses at least this many separate strokes.
OVERLAY_MIN_ASPECT = 3.0
OVERLAY_MIN_STROKE_RUNS = 5
#: A stroke pixel differs from the local backdrop by at least this much grey level.
OVERLAY_STROKE_CONTRAST = 40
#: Near-white (L* > 90, chroma < 10) and pure white (L* >= 98, chroma < 3, about RGB >= 250).
NEAR_WHITE_LIGHTNESS, NEAR_WHITE_CHROMA = 90.0, 10.0
PURE_WHITE_LIGHTNESS, PURE_WHITE_CHROMA = 98.0, 3.0
BORDER_FRACTION = 0.04


class RuleStatus(StrEnum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    WARN = "warn"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        return {"pass": 0, "warn": 1, "fail": 2}[self.value]


def worst(statuses: list[RuleStatus]) -> RuleStatus:
    return max(statuses, key=lambda status: status.rank, default=RuleStatus.PASS)


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoMetrics:
    """The measured values the readiness rules read; ``None`` where a value cannot be measured.

    ``object_extent`` is the share of the frame's width or height the product spans,
    whichever is larger (how marketplaces mean "fills 85% of the frame"); ``fill_ratio`` is the
    share of the frame's area the object mask covers. ``centre_offset`` is how far the centre
    of the product's box sits from the frame's centre, as a share of half the frame (0 is
    centred, 1 at the edge). ``background_whiteness`` / ``background_pure_white`` are the
    near-white / pure-white shares of the border strip outside the product. ``exposure`` is
    the quality report's score (``quality.exposure_score``): 1 for a well exposed product,
    falling towards 0 when it has no highlights at all (too dark: ``highlights``, the 95th
    percentile of its L*, is low) or when many pixels are clipped (washed out); ``shadows`` is
    the 5th percentile of its L*. ``overlay_share`` is the share of
    the plain backdrop covered by text-like marks (added text, logos, watermarks); it is only
    measured on plain backdrops.
    """

    width: int
    height: int
    longest_side: int
    sharpness: float
    exposure: float
    brightness: float
    highlights: float
    shadows: float
    background_whiteness: float
    background_pure_white: float
    background_uniformity: float
    background_plain: bool
    object_found: bool
    fill_ratio: float
    object_extent: float | None
    centre_offset: float | None
    object_count: int | None
    overlay_share: float | None
    overlay_marks: int | None
    mask_method: str
    mask_confidence: float
    version: int = METRICS_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "width": self.width,
            "height": self.height,
            "longest_side": self.longest_side,
            "sharpness": _round(self.sharpness),
            "exposure": _round(self.exposure),
            "brightness": _round(self.brightness, 2),
            "highlights": _round(self.highlights, 2),
            "shadows": _round(self.shadows, 2),
            "background_whiteness": _round(self.background_whiteness),
            "background_pure_white": _round(self.background_pure_white),
            "background_uniformity": _round(self.background_uniformity),
            "background_plain": self.background_plain,
            "object_found": self.object_found,
            "fill_ratio": _round(self.fill_ratio),
            "object_extent": _round_or_none(self.object_extent),
            "centre_offset": _round_or_none(self.centre_offset),
            "object_count": self.object_count,
            "overlay_share": _round_or_none(self.overlay_share, 5),
            "overlay_marks": self.overlay_marks,
            "mask_method": self.mask_method,
            "mask_confidence": _round(self.mask_confidence),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PhotoMetrics | None:
        """The metrics stored by :meth:`to_dict`; ``None`` for an empty or older record."""
        if data.get("version") != METRICS_VERSION:
            return None
        return cls(
            width=int(data["width"]),
            height=int(data["height"]),
            longest_side=int(data["longest_side"]),
            sharpness=float(data["sharpness"]),
            exposure=float(data["exposure"]),
            brightness=float(data["brightness"]),
            highlights=float(data["highlights"]),
            shadows=float(data["shadows"]),
            background_whiteness=float(data["background_whiteness"]),
            background_pure_white=float(data["background_pure_white"]),
            background_uniformity=float(data["background_uniformity"]),
            background_plain=bool(data["background_plain"]),
            object_found=bool(data["object_found"]),
            fill_ratio=float(data["fill_ratio"]),
            object_extent=_float_or_none(data.get("object_extent")),
            centre_offset=_float_or_none(data.get("centre_offset")),
            object_count=_int_or_none(data.get("object_count")),
            overlay_share=_float_or_none(data.get("overlay_share")),
            overlay_marks=_int_or_none(data.get("overlay_marks")),
            mask_method=str(data.get("mask_method", "")),
            mask_confidence=float(data.get("mask_confidence", 0.0)),
        )


def measure_photo(
    gray: np.ndarray, lab: np.ndarray, foreground: Foreground, quality: QualityReport
) -> PhotoMetrics:
    """Readiness measures of one analysed image (``gray`` uint8 and ``lab`` float CIELAB of
    the working image, its foreground mask and quality report)."""
    plain = foreground.method == "border-color"
    object_mask = foreground.mask
    overlay_share = overlay_marks = None
    if plain:
        overlay = measure_overlay(gray, lab, foreground)
        overlay_share, overlay_marks = overlay.share, overlay.marks
        # Text on the backdrop differs from it too, so the object mask holds it: drop it there.
        object_mask = foreground.mask & ~overlay.mask
    box = _mask_box(object_mask) if foreground.method != "full-frame" else None
    extent = centre = None
    count = None
    if box is not None:
        height, width = object_mask.shape
        x0, y0, x1, y1 = box
        extent = max((x1 - x0) / width, (y1 - y0) / height)
        centre = 2.0 * max(abs((x0 + x1) / 2 / width - 0.5), abs((y0 + y1) / 2 / height - 0.5))
        if plain:
            count = count_objects(object_mask)
    near_white, pure_white = backdrop_whiteness(lab, foreground)
    return PhotoMetrics(
        width=quality.width,
        height=quality.height,
        longest_side=max(quality.width, quality.height),
        sharpness=quality.sharpness,
        exposure=quality.exposure,
        brightness=quality.brightness,
        highlights=quality.highlights,
        shadows=quality.shadows,
        background_whiteness=near_white,
        background_pure_white=pure_white,
        background_uniformity=foreground.border_uniformity,
        background_plain=plain,
        object_found=box is not None,
        fill_ratio=float(object_mask.mean()) if box is not None else 1.0,
        object_extent=extent,
        centre_offset=centre,
        object_count=count,
        overlay_share=overlay_share,
        overlay_marks=overlay_marks,
        mask_method=foreground.method,
        mask_confidence=foreground.confidence,
    )


def _mask_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _border(values: np.ndarray, width: int) -> np.ndarray:
    return np.concatenate(
        [
            values[:width].reshape(-1, *values.shape[2:]),
            values[-width:].reshape(-1, *values.shape[2:]),
            values[width:-width, :width].reshape(-1, *values.shape[2:]),
            values[width:-width, -width:].reshape(-1, *values.shape[2:]),
        ]
    )


def backdrop_whiteness(lab: np.ndarray, foreground: Foreground) -> tuple[float, float]:
    """Near-white and pure-white shares of the border strip, the product itself left out (a
    product that touches the frame's edge does not make a white backdrop less white)."""
    strip = max(2, round(min(lab.shape[:2]) * BORDER_FRACTION))
    border = _border(lab, strip)
    if foreground.method != "full-frame":
        backdrop = border[~_border(foreground.mask, strip)]
        if backdrop.shape[0] >= border.shape[0] * 0.1:
            border = backdrop
    chroma = np.hypot(border[:, 1], border[:, 2])
    near = (border[:, 0] > NEAR_WHITE_LIGHTNESS) & (chroma < NEAR_WHITE_CHROMA)
    pure = (border[:, 0] >= PURE_WHITE_LIGHTNESS) & (chroma < PURE_WHITE_CHROMA)
    return float(near.mean()), float(pure.mean())


def count_objects(mask: np.ndarray) -> int:
    """Separate objects in the mask: nearby parts merged, crumbs ignored."""
    count, labels = cv2.connectedComponents(_merge_nearby(mask), connectivity=8)
    if count <= 1:
        return 0
    # Areas of the original mask inside each merged group, so dilation does not inflate crumbs.
    areas = np.bincount(labels[mask], minlength=count)[1:].astype(np.float64)
    largest = float(areas.max())
    significant = (areas >= largest * OBJECT_MIN_SHARE_OF_LARGEST) & (
        areas >= mask.size * OBJECT_MIN_SHARE_OF_FRAME
    )
    return int(significant.sum())


@dataclass(frozen=True)
class Overlay:
    share: float  # of the backdrop covered by the marks' boxes
    marks: int
    mask: np.ndarray  # bool, the marks' boxes


def measure_overlay(gray: np.ndarray, lab: np.ndarray, foreground: Foreground) -> Overlay:
    """Text-like marks (added text, logos, watermarks) standing on the plain backdrop.

    Marks are small, high-contrast, thin strokes grouped in lines: strokes are found with
    black-hat and top-hat filters (dark or light marks narrower than the kernel) and joined
    horizontally into words; a word is several strokes, wider than tall. Only words whose
    surroundings are the backdrop's colour count, so print on the product itself (a label, a
    logo on a bag) is left alone. Faint watermarks across the product are not found.
    """
    height, width = gray.shape
    long_side = max(height, width)
    marks_mask = np.zeros(gray.shape, dtype=bool)
    backdrop = (
        distance_to(lab, np.asarray(foreground.background_lab, dtype=np.float32))
        < OVERLAY_BACKDROP_DELTA_E
    )
    backdrop_area = int(backdrop.sum())
    if backdrop_area < gray.size * 0.02:
        return Overlay(0.0, 0, marks_mask)
    stroke = max(3, round(long_side / 40)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (stroke, stroke))
    contrast = np.maximum(
        cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel),
        cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, kernel),
    )
    strokes = (contrast >= OVERLAY_STROKE_CONTRAST).astype(np.uint8)
    joined = cv2.morphologyEx(
        strokes, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (stroke * 2 + 1, 3))
    )
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    marks = 0
    pad = stroke
    for index in range(1, count):
        x, y, w, h = (int(stats[index, k]) for k in range(4))
        if h < 3 or w < OVERLAY_MIN_ASPECT * h or h > height * 0.25:
            continue
        if _stroke_runs(strokes[y : y + h, x : x + w]) < OVERLAY_MIN_STROKE_RUNS:
            continue
        y0, y1 = max(0, y - pad), min(height, y + h + pad)
        x0, x1 = max(0, x - pad), min(width, x + w + pad)
        around = ~strokes[y0:y1, x0:x1].astype(bool)
        if float(backdrop[y0:y1, x0:x1][around].mean()) < OVERLAY_MIN_BACKDROP_AROUND:
            continue
        marks += 1
        marks_mask[y0:y1, x0:x1] = True
    share = float(marks_mask.sum()) / backdrop_area
    return Overlay(min(1.0, share), marks, marks_mask)


def _stroke_runs(box: np.ndarray) -> int:
    """Most separate strokes one row of the box crosses: a line of letters gives many, a bar
    or a pair of pins few."""
    starts = np.diff(box.astype(np.int8), axis=1, prepend=0) == 1
    return int(starts.sum(axis=1).max()) if box.size else 0


def _largest_group(mask: np.ndarray) -> np.ndarray:
    """The largest object of the mask, its nearby parts included."""
    merged = _merge_nearby(mask)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    if count <= 1:
        return mask
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    group: np.ndarray = (labels == largest) & mask
    return group


def _merge_nearby(mask: np.ndarray) -> np.ndarray:
    reach = max(1, round(max(mask.shape) * OBJECT_MERGE_FRACTION))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    merged: np.ndarray = cv2.dilate(mask.astype(np.uint8), kernel)
    return merged


# --- rules and presets -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleLimits:
    """Thresholds of one rule in one preset: ``pass_at`` and ``warn_at`` bounds on the value
    (lower bounds for rules where more is better, upper bounds otherwise); a value past
    ``warn_at`` gets ``worst`` (``fail``, or ``warn`` for advice that is not a hard rule)."""

    pass_at: float
    warn_at: float
    worst: RuleStatus = RuleStatus.FAIL
    main_image_only: bool = False


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    description: str
    sources: tuple[str, ...]
    rules: dict[str, RuleLimits]


@dataclass(frozen=True)
class RuleResult:
    rule: str
    label: str
    status: RuleStatus
    measured: float | None
    unit: str
    target: str
    message: str
    fix: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "label": self.label,
            "status": self.status.value,
            "measured": self.measured,
            "unit": self.unit,
            "target": self.target,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class ReadinessReport:
    preset: str
    status: RuleStatus
    rules: list[RuleResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            status.value: sum(1 for rule in self.rules if rule.status == status)
            for status in RuleStatus
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "status": self.status.value,
            "counts": self.counts,
            "rules": [rule.to_dict() for rule in self.rules],
        }


class UnknownPresetError(KeyError):
    """No preset of that name; ``available`` lists the names there are."""

    def __init__(self, name: str, available: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.available = available


@lru_cache(maxsize=4)
def load_presets(path: Path = PRESETS_FILE) -> dict[str, Preset]:
    document = json.loads(path.read_text(encoding="utf-8"))
    presets: dict[str, Preset] = {}
    for name, body in document["presets"].items():
        rules = {}
        for rule_name, limits in body["rules"].items():
            if rule_name not in RULES:
                raise ValueError(f"preset {name}: unknown rule {rule_name}")
            rules[rule_name] = RuleLimits(
                pass_at=float(limits["pass_at"]),
                warn_at=float(limits["warn_at"]),
                worst=RuleStatus(limits.get("worst", "fail")),
                main_image_only=bool(limits.get("main_image_only", False)),
            )
        presets[name] = Preset(
            name=name,
            title=str(body["title"]),
            description=str(body["description"]),
            sources=tuple(body.get("sources", [])),
            rules=rules,
        )
    if DEFAULT_PRESET not in presets:
        raise ValueError(f"the presets file has no {DEFAULT_PRESET!r} preset")
    return presets


def get_preset(name: str | None) -> Preset:
    presets = load_presets()
    chosen = name or DEFAULT_PRESET
    if chosen not in presets:
        raise UnknownPresetError(chosen, sorted(presets))
    return presets[chosen]


@dataclass(frozen=True)
class _Rule:
    """How one rule reads the metrics and talks about them."""

    label: str
    unit: str
    higher_is_better: bool
    value: Callable[[PhotoMetrics], float | None]
    shown: Callable[[float], str]
    fix: Callable[[PhotoMetrics, str, str], str]
    unmeasured: str


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _score(value: float) -> str:
    return f"{value:.2f}"


def _pixels(value: float) -> str:
    return f"{value:.0f} px"


def _count(value: float) -> str:
    return f"{value:.0f}"


def _exposure_fix(metrics: PhotoMetrics, shown: str, target: str) -> str:
    if metrics.highlights < DARK_HIGHLIGHTS:
        return f"Add light or brighten: the product is too dark (exposure {shown}, aim {target})."
    return f"Reduce light or exposure: the product is washed out (exposure {shown}, aim {target})."


RULES: dict[str, _Rule] = {
    "resolution": _Rule(
        label="Resolution",
        unit="px",
        higher_is_better=True,
        value=lambda m: float(m.longest_side),
        shown=_pixels,
        fix=lambda _m, shown, target: (
            f"Use a larger photo: the longest side is {shown}, aim for {target}."
        ),
        unmeasured="",
    ),
    "sharpness": _Rule(
        label="Sharpness",
        unit="score",
        higher_is_better=True,
        value=lambda m: m.sharpness,
        shown=_score,
        fix=lambda _m, shown, target: (
            f"Retake it in focus (steady camera, more light): sharpness {shown}, aim for {target}."
        ),
        unmeasured="",
    ),
    "exposure": _Rule(
        label="Exposure",
        unit="score",
        higher_is_better=True,
        value=lambda m: m.exposure,
        shown=_score,
        fix=_exposure_fix,
        unmeasured="",
    ),
    "background": _Rule(
        label="White background",
        unit="share",
        higher_is_better=True,
        value=lambda m: m.background_whiteness,
        shown=_percent,
        fix=lambda _m, shown, target: (
            f"Shoot on white or cut the product out: {shown} of the border is white, "
            f"aim for {target}."
        ),
        unmeasured="",
    ),
    "pure_white_background": _Rule(
        label="Pure white background",
        unit="share",
        higher_is_better=True,
        value=lambda m: m.background_pure_white,
        shown=_percent,
        fix=lambda _m, shown, target: (
            f"Make the backdrop pure white (RGB 255): {shown} of the border is pure white, "
            f"aim for {target}."
        ),
        unmeasured="",
    ),
    "fill": _Rule(
        label="Product fills the frame",
        unit="share",
        higher_is_better=True,
        value=lambda m: m.object_extent,
        shown=_percent,
        fix=lambda _m, shown, target: (
            f"Crop closer: the product spans {shown} of the frame, aim for {target}."
        ),
        unmeasured="No distinct product found: photograph it alone on a plain backdrop.",
    ),
    "centring": _Rule(
        label="Product centred",
        unit="share",
        higher_is_better=False,
        value=lambda m: m.centre_offset,
        shown=_percent,
        fix=lambda _m, shown, target: (
            f"Centre the product: it sits {shown} off centre, aim for {target}."
        ),
        unmeasured="No distinct product found: photograph it alone on a plain backdrop.",
    ),
    "overlay": _Rule(
        label="No text, logos or watermarks",
        unit="share",
        higher_is_better=False,
        value=lambda m: m.overlay_share,
        shown=lambda value: f"{value * 100:.1f}%",
        fix=lambda m, shown, _target: (
            f"Remove added text, logos or watermarks: {m.overlay_marks} text-like mark(s) "
            f"cover {shown} of the background."
        ),
        unmeasured="Not checked: overlays can only be told apart on a plain backdrop.",
    ),
    "multiple_objects": _Rule(
        label="One product in the photo",
        unit="count",
        higher_is_better=False,
        value=lambda m: None if m.object_count is None else float(m.object_count),
        shown=_count,
        fix=lambda _m, shown, _target: (
            f"Show the product alone: {shown} separate objects were found; move props "
            "and extra items to secondary photos."
        ),
        unmeasured="Not checked: separate objects can only be counted on a plain backdrop.",
    ),
}


def evaluate(metrics: PhotoMetrics, preset: Preset, *, main_image: bool = True) -> ReadinessReport:
    """Judge measured values against ``preset``; rules for the main image only are left out
    of secondary images."""
    results = [
        _judge(name, metrics, limits)
        for name, limits in preset.rules.items()
        if main_image or not limits.main_image_only
    ]
    return ReadinessReport(
        preset=preset.name, status=worst([r.status for r in results]), rules=results
    )


def _judge(name: str, metrics: PhotoMetrics, limits: RuleLimits) -> RuleResult:
    rule = RULES[name]
    value = rule.value(metrics)
    comparator = "≥" if rule.higher_is_better else "≤"
    target = f"{comparator} {rule.shown(limits.pass_at)}"
    if value is None:
        return RuleResult(
            rule=name,
            label=rule.label,
            status=RuleStatus.WARN,
            measured=None,
            unit=rule.unit,
            target=target,
            message=rule.unmeasured,
            fix=rule.unmeasured,
        )
    if _meets(value, limits.pass_at, higher_is_better=rule.higher_is_better):
        status = RuleStatus.PASS
    elif _meets(value, limits.warn_at, higher_is_better=rule.higher_is_better):
        status = RuleStatus.WARN
    else:
        status = limits.worst
    shown = rule.shown(value)
    passed = status == RuleStatus.PASS
    return RuleResult(
        rule=name,
        label=rule.label,
        status=status,
        measured=round(value, 4),
        unit=rule.unit,
        target=target,
        message=f"{rule.label}: {shown} (target {target}).",
        fix=None if passed else rule.fix(metrics, shown, target),
    )


def _meets(value: float, bound: float, *, higher_is_better: bool) -> bool:
    return value >= bound if higher_is_better else value <= bound


def _round(value: float, digits: int = 4) -> float:
    return round(float(value), digits)


def _round_or_none(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else _round(value, digits)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
