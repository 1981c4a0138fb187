"""Defect detection: patch-feature anomalies fused with line and colour cues, boxed in original
image pixels, plus the condition (new / used / damaged) that follows from them."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Literal, Protocol

import cv2
import numpy as np
import structlog

from backend.ml.backbone import BackboneOutputs
from backend.ml.colors import name_color
from backend.ml.config import DefectThresholds
from backend.ml.defect_cues import (
    Candidate,
    claim_lines,
    interior_mask,
    is_unclaimed,
    line_candidates,
    principal_axes,
    stain_candidates,
    stroke_core,
    surface_context,
    with_patch_support,
)
from backend.ml.defect_scorer import DefectScorer, load_scorer
from backend.ml.foreground import Foreground
from backend.ml.ink_strokes import InkStroke, ink_strokes
from backend.ml.patch_anomaly import MemoryBank, anomaly_map
from backend.ml.preprocessing import Box, components
from backend.ml.results import (
    AttributeResult,
    DefectReport,
    DefectResult,
    DefectType,
    Heatmap,
    ReferenceSetUsed,
    Severity,
)

log = structlog.get_logger(__name__)

METHOD = "patchcore-style+image-cues"
#: Without a reference bank the patch score only compares the object with itself; it is one of
#: the scorer's inputs. With a bank, regions the cues missed are reported on their own, with a
#: capped confidence: they are not calibrated on labelled photos.
PATCH_ONLY_FLOOR = 0.6
PATCH_ONLY_MAX_CONFIDENCE = 0.7
#: Line candidates this likely (but below the report threshold) count towards surface wear.
WEAR_CANDIDATE_FLOOR = 0.25
WEAR_USED_ABOVE = 0.02
#: A crack zigzags and branches, a scratch follows a smooth arc: a dark line whose pixels lie
#: further than this from their best-fitting parabola (RMS, per unit of the line's length) is a
#: crack. Drawn scratches measured 0.007-0.025, drawn cracks 0.02-0.11 (bulb and bag photos).
CRACK_WIGGLE = 0.03
#: A line in a colour that is nowhere else on the object (``rarity`` below FOREIGN_RARITY:
#: under about 0.6 % of its pixels have a similar colour), far from the surface on both sides
#: (``colour_step`` above FOREIGN_STEP: delta E over 19) and lying on one surface (``sides`` below
#: zero: the two sides differ less than the line differs from them) is paint, ink or a scratch
#: through a coating, however the scorer, trained mostly on faint scratches, rates it. Such a
#: line is reported at FOREIGN_LINE_CONFIDENCE at least. Measured: it fires on no clean photo of
#: the eval sets and on 2 of 331 other clean product photos (a red zip on a black jacket, blue
#: letters on a yellow carton).
FOREIGN_RARITY = -5.0
FOREIGN_STEP = 3.0
FOREIGN_LINE_CONFIDENCE = 0.9
#: A line whose core stays flat black (each cross-section's darkest pixel at L* INK_DARK or
#: below, ``stroke_core``), flat white (lightest at INK_LIGHT or above) or a strong colour (chroma
#: INK_CHROMA or more), INK_CONTRAST from the surface on its sides (L*, or delta E for a colour),
#: whichever ridge found it (a broad stroke may be found only as the colour ridge along its
#: edge, whose cross-sections still take in the stroke's core), lying on one surface
#: (``sides`` below INK_SIDES), long (``length`` at least INK_LENGTH: about 30 % of the object's
#: scale) and not dismissed by the scorer (INK_SUPPORT) is ink or paint on the product: shaded,
#: textured surfaces, seams and piping are never that flat. Black, white and the product's own
#: colours are the ones the foreign-colour rule cannot see. Reported at INK_LINE_CONFIDENCE at
#: least. Measured: it fires on none of the 85 clean photos of the eval folders and on 1 of 331
#: other clean product photos (white backdrop seen through the gap between a model's legs), and
#: it raised the drawn lines found (``drawn_lines``) from 276 to 321 of 711.
INK_DARK = 6.0
INK_LIGHT = 97.0
INK_CHROMA = 60.0
INK_CONTRAST = 20.0
INK_SIDES = -1.0
INK_LENGTH = -1.2
INK_SUPPORT = 0.05
INK_LINE_CONFIDENCE = 0.8
#: A candidate box overlapping a stronger one by this IoU is the same finding.
SUPPRESS_IOU = 0.3


@dataclass(frozen=True)
class SurfaceInputs:
    """What the detector measures without the model (working-resolution arrays)."""

    gray: np.ndarray
    lab_u8: np.ndarray
    lab: np.ndarray  # float CIELAB of ``lab_u8``
    mask: np.ndarray
    object_box: Box | None
    working_scale: tuple[float, float]  # original pixels per working pixel (x, y)
    region: Box  # original pixels: what the backbone sees
    original_size: tuple[int, int]
    backdrop_lab: tuple[float, float, float] | None  # a plain backdrop's CIELAB colour


@dataclass(frozen=True)
class DefectInputs(SurfaceInputs):
    """What the detector needs from a prepared image: the surface and the backbone's patches."""

    patch_features: np.ndarray  # (C, G, G) over ``region``


class SurfaceView(Protocol):
    """What the detector reads from an image before the backbone has run."""

    @property
    def gray(self) -> np.ndarray: ...
    @property
    def lab_u8(self) -> np.ndarray: ...
    @property
    def lab(self) -> np.ndarray: ...
    @property
    def foreground(self) -> Foreground: ...
    @property
    def working_scale(self) -> tuple[float, float]: ...
    @property
    def region(self) -> Box: ...
    @property
    def original_width(self) -> int: ...
    @property
    def original_height(self) -> int: ...


class PreparedView(SurfaceView, Protocol):
    """What the detector reads from ``inference.PreparedImage``."""

    @property
    def outputs(self) -> BackboneOutputs: ...


def search_mask(foreground: Foreground) -> np.ndarray:
    """Where defects are looked for: the object mask; in a cluttered scene (no plain backdrop)
    the convex hull of it, since there the mask is only the pieces of the product that stand
    out from the scene around it and a mark across the product runs through the gaps."""
    if foreground.method != "border-contrast":
        return foreground.mask
    # The hull of the outlines is the hull of the mask, from far fewer points.
    outlines, _ = cv2.findContours(
        foreground.mask.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    hull = np.zeros(foreground.mask.shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(np.concatenate(outlines)), 1)
    return hull.view(bool)


def surface_inputs_from(view: SurfaceView) -> SurfaceInputs:
    return SurfaceInputs(
        gray=view.gray,
        lab_u8=view.lab_u8,
        lab=view.lab,
        mask=search_mask(view.foreground),
        object_box=view.foreground.box,
        working_scale=view.working_scale,
        region=view.region,
        original_size=(view.original_width, view.original_height),
        backdrop_lab=(
            view.foreground.background_lab if view.foreground.method == "border-color" else None
        ),
    )


def inputs_from(prepared: PreparedView) -> DefectInputs:
    return DefectInputs(
        **vars(surface_inputs_from(prepared)), patch_features=prepared.outputs.patch_features
    )


class ReferenceBanks:
    """Memory banks per category: bundled ones plus those the user built (user wins)."""

    def __init__(self, directories: list[Path]) -> None:
        self._directories = directories
        self._banks: dict[str, MemoryBank | None] = {}
        self._lock = threading.Lock()

    def get(self, category: str | None) -> MemoryBank | None:
        if category is None:
            return None
        if category not in self._banks:
            with self._lock:
                if category not in self._banks:
                    self._banks[category] = self._find(category)
        return self._banks[category]

    def _find(self, category: str) -> MemoryBank | None:
        for directory in reversed(self._directories):
            path = directory / f"{category}.npz"
            if path.is_file():
                try:
                    return MemoryBank.load(path)
                except (OSError, ValueError, KeyError) as exc:
                    log.warning("ml.reference_bank_unreadable", path=str(path), error=str(exc))
        return None

    def forget(self, category: str) -> None:
        with self._lock:
            self._banks.pop(category, None)


def region_coverage(inputs: SurfaceInputs, grid: int) -> np.ndarray:
    """Share of each backbone patch cell covered by the object mask."""
    sx, sy = inputs.working_scale
    region = inputs.region
    x0, y0 = int(region.x / sx), int(region.y / sy)
    x1 = max(x0 + 1, math.ceil(region.x2 / sx))
    y1 = max(y0 + 1, math.ceil(region.y2 / sy))
    crop = inputs.mask[y0:y1, x0:x1].astype(np.float32)
    coverage: np.ndarray = cv2.resize(crop, (grid, grid), interpolation=cv2.INTER_AREA)
    return coverage


def _region_in_working(inputs: SurfaceInputs) -> tuple[int, int, int, int]:
    """The model region (original pixels) as a box of working pixels: x0, y0, x1, y1."""
    sx, sy = inputs.working_scale
    height, width = inputs.gray.shape
    region = inputs.region
    x0, y0 = max(0, round(region.x / sx)), max(0, round(region.y / sy))
    x1, y1 = min(width, round(region.x2 / sx)), min(height, round(region.y2 / sy))
    return x0, y0, max(x0 + 1, x1), max(y0 + 1, y1)


def _classify(candidate: Candidate) -> DefectType:
    if candidate.kind == "color_blob":
        lightness_shift = candidate.mean_lab_shift[0]
        chroma_shift = math.hypot(candidate.mean_lab_shift[1], candidate.mean_lab_shift[2])
        if chroma_shift < 4.0 and lightness_shift > 0:
            return "discoloration"
        return "stain"
    if candidate.kind == "dark_line" and wiggle(candidate.component) > CRACK_WIGGLE:
        return "crack"
    return "scratch"


def wiggle(component: np.ndarray) -> float:
    """RMS distance of a line's pixels from the parabola that fits them best, over its length
    (along the line's main axis)."""
    points = np.column_stack(np.nonzero(component)).astype(np.float64)
    if points.shape[0] < 4:
        return 0.0
    centred, vectors = principal_axes(points)
    along, across = centred @ vectors[:, 1], centred @ vectors[:, 0]
    length = float(along.max() - along.min())
    if length < 1.0:
        return 0.0
    residual = across - np.polyval(np.polyfit(along, across, 2), along)
    return float(np.sqrt(np.mean(residual**2))) / length


def _severity(box_area: float, object_area: float, defect_type: str) -> Severity:
    """By the share of the product it covers; structural damage one level worse."""
    share = box_area / max(object_area, 1.0)
    level = 0 if share < 0.01 else 1 if share < 0.06 else 2
    if defect_type in ("crack", "tear", "missing_part"):
        level = min(2, level + 1)
    severities: tuple[Severity, Severity, Severity] = ("low", "medium", "high")
    return severities[level]


def _describe(defect_type: str, severity: str, item: ScoredCandidate) -> str:
    box, candidate = item.box, item.candidate
    size = f"{round(box.width)}x{round(box.height)} px"
    where = f"at ({round(box.x)}, {round(box.y)})"
    if candidate is not None and candidate.is_line:
        tone = {"bright_line": "light", "dark_line": "dark"}.get(candidate.kind, "coloured")
        because = {
            "foreign_colour": " in a colour found nowhere else on the product",
            "ink": f" in flat {item.ink_colour}, like ink or paint",
        }.get(item.rule or "", "")
        return f"{severity.capitalize()} {tone} {defect_type}{because}, about {size}, {where}"
    return f"{severity.capitalize()} {defect_type}, about {size}, {where}"


def _to_original(x: float, y: float, w: float, h: float, inputs: DefectInputs, pad: float) -> Box:
    sx, sy = inputs.working_scale
    width, height = inputs.original_size
    x0 = max(0.0, (x - pad) * sx)
    y0 = max(0.0, (y - pad) * sy)
    x1 = min(float(width), (x + w + pad) * sx)
    y1 = min(float(height), (y + h + pad) * sy)
    return Box(x0, y0, x1 - x0, y1 - y0)


LineRule = Literal["foreign_colour", "ink"]


@dataclass(frozen=True)
class ScoredCandidate:
    """A candidate with its calibrated probability, before the report threshold."""

    confidence: float
    box: Box  # original pixels
    candidate: Candidate | None  # None for a patch-only region
    rule: LineRule | None = None  # raised to a rule's confidence: a foreign-colour or ink line
    ink_colour: str | None = None  # the colour name of an ink line's core

    @cached_property
    def defect_type(self) -> DefectType:
        # Worked out when asked: a crack's wiggle costs a line fit, and most candidates are
        # never reported.
        return _classify(self.candidate) if self.candidate is not None else "other"


@dataclass(frozen=True)
class SurfaceCues:
    """What one image shows without the model: its candidates (measured but for their
    ``patch`` feature) and ink strokes. Measured while the backbone runs (``inference``)."""

    candidates: list[Candidate]
    interior: np.ndarray
    strokes: list[InkStroke]


@dataclass(frozen=True)
class MeasuredCues:
    """Every candidate of one image with its measurements, before scoring."""

    candidates: list[Candidate]
    patch_map: np.ndarray  # patch anomaly in [0, 1] over the model region (pooled grid)
    interior: np.ndarray
    strokes: list[InkStroke]
    patch_stats: dict[str, float]


def measure_surface(inputs: SurfaceInputs) -> SurfaceCues:
    interior = interior_mask(inputs.mask)
    # Only the object's box is searched: the cues cost in proportion to the pixels they see.
    x0, y0, x1, y1 = _mask_box(inputs.mask)
    crop = (slice(y0, y1), slice(x0, x1))
    rx0, ry0, rx1, ry1 = _region_in_working(inputs)
    context = surface_context(
        inputs.gray[crop],
        inputs.lab_u8[crop],
        inputs.mask[crop],
        interior[crop],
        (rx0 - x0, ry0 - y0, rx1 - x0, ry1 - y0),
    )
    lines, ridges = line_candidates(context)
    candidates = [
        replace(candidate, x=candidate.x + x0, y=candidate.y + y0)
        for candidate in lines + stain_candidates(context, ridges)
    ]
    strokes = ink_strokes(inputs.lab, inputs.mask, inputs.backdrop_lab)
    return SurfaceCues(candidates, interior, strokes)


def measure_candidates(
    inputs: DefectInputs, bank: MemoryBank | None, surface: SurfaceCues | None = None
) -> MeasuredCues:
    """``surface``: ``measure_surface`` of these inputs, when it was measured already."""
    surface = surface or measure_surface(inputs)
    grid = inputs.patch_features.shape[-1]
    coverage = region_coverage(inputs, grid)
    patch_map, patch_stats = anomaly_map(inputs.patch_features, coverage, bank)
    return MeasuredCues(
        with_patch_support(surface.candidates, patch_map),
        patch_map,
        surface.interior,
        surface.strokes,
        patch_stats,
    )


def _mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 of the mask with a small margin (the whole image when it is empty)."""
    height, width = mask.shape
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return 0, 0, width, height
    margin = 2
    return (
        max(0, int(cols[0]) - margin),
        max(0, int(rows[0]) - margin),
        min(width, int(cols[-1]) + 1 + margin),
        min(height, int(rows[-1]) + 1 + margin),
    )


def find_candidates(
    inputs: DefectInputs,
    bank: MemoryBank | None,
    scorer: DefectScorer | None = None,
    surface: SurfaceCues | None = None,
) -> tuple[list[ScoredCandidate], MeasuredCues]:
    """Every candidate with its probability, strongest first, overlaps suppressed."""
    cues = measure_candidates(inputs, bank, surface)
    probabilities = (scorer or load_scorer()).score(cues.candidates)
    scored = [
        _raised(
            candidate,
            probability,
            _to_original(candidate.x, candidate.y, candidate.width, candidate.height, inputs, 2),
            inputs.lab,
        )
        for candidate, probability in zip(cues.candidates, probabilities, strict=True)
    ]
    if bank is not None:
        scored.extend(_patch_only_regions(cues.patch_map, cues.candidates, inputs))
    if cues.strokes:
        claimed = np.zeros(inputs.mask.shape, np.uint8)
        claim_lines(claimed, [stroke.candidate for stroke in cues.strokes])
        scored = [item for item in scored if not _on_stroke(item, claimed)]
        scored.extend(_stroke_finding(stroke, inputs) for stroke in cues.strokes)
    scored.sort(key=lambda item: item.confidence, reverse=True)
    return _suppress(scored), cues


def _stroke_finding(stroke: InkStroke, inputs: DefectInputs) -> ScoredCandidate:
    candidate = stroke.candidate
    box = _to_original(candidate.x, candidate.y, candidate.width, candidate.height, inputs, 2)
    return ScoredCandidate(INK_LINE_CONFIDENCE, box, candidate, "ink", ink_colour=stroke.colour)


def _on_stroke(item: ScoredCandidate, claimed: np.ndarray) -> bool:
    """Whether a line candidate is a piece of an ink stroke: more than half of its pixels lie
    near the strokes' (``claimed``, as the line passes mark one another's lines), so the
    stroke, whole, is reported in its place."""
    line = item.candidate
    if line is None or not line.is_line:
        return False
    box = (line.x, line.y, line.width, line.height)
    return not is_unclaimed(claimed, box, line.component)


def is_foreign_line(candidate: Candidate) -> bool:
    """A line in a colour the object lacks, on one surface (see FOREIGN_RARITY)."""
    features = candidate.features
    return (
        candidate.is_line
        and features["rarity"] < FOREIGN_RARITY
        and features["colour_step"] > FOREIGN_STEP
        and features["sides"] < 0.0
    )


def _raised(candidate: Candidate, probability: float, box: Box, lab: np.ndarray) -> ScoredCandidate:
    """The candidate scored, its confidence raised when a line rule holds."""
    if is_foreign_line(candidate):
        return ScoredCandidate(
            max(probability, FOREIGN_LINE_CONFIDENCE), box, candidate, "foreign_colour"
        )
    colour = ink_line_colour(candidate, probability, lab)
    if colour is not None:
        return ScoredCandidate(
            max(probability, INK_LINE_CONFIDENCE), box, candidate, "ink", ink_colour=colour
        )
    return ScoredCandidate(probability, box, candidate)


def ink_line_colour(candidate: Candidate, probability: float, lab: np.ndarray) -> str | None:
    """The colour name of a long line on one surface whose core is flat black, white or a
    strong colour (see INK_DARK); None for any other line. ``lab``: float CIELAB of the working
    image; its core is read only when the cheap tests pass."""
    features = candidate.features
    if not (
        candidate.is_line
        and features["sides"] < INK_SIDES
        and features["length"] >= INK_LENGTH
        and probability >= INK_SUPPORT
    ):
        return None
    core = stroke_core(lab, candidate)
    if core.darkest <= INK_DARK and core.surface - core.darkest >= INK_CONTRAST:
        return "black"
    if core.lightest >= INK_LIGHT and core.lightest - core.surface >= INK_CONTRAST:
        return "white"
    if core.chroma >= INK_CHROMA and core.colour_contrast >= INK_CONTRAST:
        return name_color(np.asarray(core.colour))[0]
    return None


def detect(
    inputs: DefectInputs,
    bank: MemoryBank | None,
    thresholds: DefectThresholds,
    model_version: str,
    *,
    include_heatmap: bool = True,
    surface: SurfaceCues | None = None,
) -> tuple[DefectReport, list[ScoredCandidate]]:
    """The report, and every scored candidate it was made from (strongest first).
    ``surface``: ``measure_surface`` of these inputs, when it was measured already."""
    scored, cues = find_candidates(inputs, bank, surface=surface)
    object_area = float(inputs.mask.sum()) * inputs.working_scale[0] * inputs.working_scale[1]
    defects = [
        DefectResult(
            defect_type=item.defect_type,
            severity=(severity := _severity(item.box.area, object_area, item.defect_type)),
            confidence=item.confidence,
            box=item.box,
            description=_describe(item.defect_type, severity, item),
            metadata={
                "method": METHOD,
                "cue": item.candidate.kind if item.candidate else "patch-anomaly",
                "foreign_colour": item.rule == "foreign_colour",
                "ink": item.rule == "ink",
                "ink_colour": item.ink_colour,
            },
        )
        for item in scored
        if item.confidence >= thresholds.report_above
    ]
    anomaly_score = scored[0].confidence if scored else 0.0
    wear = _wear_index(scored, thresholds, cues.interior)
    condition = condition_from(defects, thresholds, wear, anomaly_score, model_version)
    heatmap = None
    if include_heatmap:
        heatmap = Heatmap(
            values=_heatmap_values(cues.patch_map, scored, inputs), region=inputs.region
        )
    log.debug("ml.defects", found=len(defects), candidates=len(scored), patches=cues.patch_stats)
    report = DefectReport(
        defects=defects,
        condition=condition,
        anomaly_score=float(anomaly_score),
        model_version=model_version,
        heatmap=heatmap,
        reference_set=ReferenceSetUsed(bank.category, len(bank.sources)) if bank else None,
    )
    return report, scored


def _patch_only_regions(
    patch_map: np.ndarray, candidates: list[Candidate], inputs: DefectInputs
) -> list[ScoredCandidate]:
    """Regions that differ from every reference patch where no cue fired."""
    x0, y0, x1, y1 = _region_in_working(inputs)
    grid_h, grid_w = patch_map.shape
    covered = np.zeros(patch_map.shape, dtype=bool)
    for candidate in candidates:
        cx0 = int((candidate.x - x0) / (x1 - x0) * grid_w)
        cy0 = int((candidate.y - y0) / (y1 - y0) * grid_h)
        cx1 = math.ceil((candidate.x + candidate.width - x0) / (x1 - x0) * grid_w)
        cy1 = math.ceil((candidate.y + candidate.height - y0) / (y1 - y0) * grid_h)
        covered[max(0, cy0) : max(0, cy1), max(0, cx0) : max(0, cx1)] = True
    binary = ((patch_map > PATCH_ONLY_FLOOR) & ~covered).astype(np.uint8)
    count, labels, stats = components(binary)
    regions: list[ScoredCandidate] = []
    cell_w, cell_h = (x1 - x0) / grid_w, (y1 - y0) / grid_h
    for index in range(1, count):
        peak = float(patch_map[labels == index].max())
        confidence = min(PATCH_ONLY_MAX_CONFIDENCE, _sigmoid(6.0 * (peak - 0.75)))
        gx, gy, gw, gh = (int(stats[index, k]) for k in range(4))
        box = _to_original(x0 + gx * cell_w, y0 + gy * cell_h, gw * cell_w, gh * cell_h, inputs, 0)
        regions.append(ScoredCandidate(confidence, box, None))
    return regions


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, value))))


def _suppress(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """Drop boxes that overlap a stronger one (non-maximum suppression)."""
    kept: list[ScoredCandidate] = []
    for item in scored:
        if all(item.box.iou(other.box) < SUPPRESS_IOU for other in kept):
            kept.append(item)
    return kept


def _wear_index(
    scored: list[ScoredCandidate], thresholds: DefectThresholds, interior: np.ndarray
) -> float:
    """Share of the object's surface under faint scratch-like lines: each too uncertain to
    report, but many of them mean a worn surface."""
    area = sum(
        item.candidate.area
        for item in scored
        if item.candidate is not None
        and item.candidate.is_line
        and WEAR_CANDIDATE_FLOOR <= item.confidence < thresholds.report_above
    )
    return float(area) / max(float(interior.sum()), 1.0)


def _heatmap_values(
    patch_map: np.ndarray, scored: list[ScoredCandidate], inputs: DefectInputs
) -> list[list[float]]:
    """Per cell of the patch grid over the model region: the strongest evidence in it."""
    values = patch_map.astype(np.float32) * 0.5
    grid_h, grid_w = values.shape
    region = inputs.region
    for item in scored:
        box = item.box
        cx0 = int((box.x - region.x) / region.width * grid_w)
        cy0 = int((box.y - region.y) / region.height * grid_h)
        cx1 = math.ceil((box.x2 - region.x) / region.width * grid_w)
        cy1 = math.ceil((box.y2 - region.y) / region.height * grid_h)
        cells = values[max(0, cy0) : max(0, cy1), max(0, cx0) : max(0, cx1)]
        np.maximum(cells, item.confidence, out=cells)
    return np.clip(values, 0.0, 1.0).round(3).tolist()  # type: ignore[no-any-return]


def condition_from(
    defects: list[DefectResult],
    thresholds: DefectThresholds,
    wear: float,
    anomaly_score: float,
    model_version: str,
) -> AttributeResult:
    """new / used / damaged, conservatively: "damaged" needs a defect that is both likely
    (``damaged_above``) and more than a speck; a single uncertain finding only makes "used".
    A line of flat ink or paint (the ink rule and the ink strokes) is a mark on the product, not
    damage to it, and makes it "used" however sure the finding is: its rule reports it at
    INK_LINE_CONFIDENCE, which alone would reach ``damaged_above``."""
    worst = max((d.confidence for d in defects), default=0.0)
    serious = [
        d
        for d in defects
        if d.severity != "low"
        and d.confidence >= thresholds.damaged_above
        and not d.metadata.get("ink")
    ]
    metadata = {
        "defects": len(defects),
        "max_defect_confidence": worst,
        "anomaly_score": anomaly_score,
        "wear_index": wear,
        "model_version": model_version,
    }
    if serious:
        value, confidence = "damaged", max(d.confidence for d in serious)
    elif defects or wear > WEAR_USED_ABOVE:
        value, confidence = "used", max(worst, min(0.8, 0.5 + wear * 10.0))
    else:
        # A photo cannot prove an item unused, so "new" never claims more than 0.85.
        value, confidence = "new", min(0.85, 1.0 - anomaly_score)
    return AttributeResult("condition", value, float(confidence), METHOD, metadata)
