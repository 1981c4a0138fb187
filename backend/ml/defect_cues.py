"""Image-level defect candidates inside the object, with the measurements the scorer needs.

Two kinds of candidate: thin lines (top-hat / black-hat ridges: scratches, cracks) and colour
blobs (regions whose colour departs from a median-filtered "clean surface": stains,
discolouration). Most candidates on a real photo are not damage: print and logos, texture,
shadows, highlights, the object's own edges and background clutter all make ridges and blobs.
So every candidate carries measurements of itself *and of the band of surface right around it*
(how busy it is, how many look-alikes the object has, how close it sits to the outline, whether
it is a clipped highlight, whether it keeps the texture underneath as a stain does), and
``defect_scorer`` turns those into a probability.

Pure functions on working-resolution arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import cv2
import numpy as np

from backend.ml.foreground import LAB_U8_OFFSET, LAB_U8_SCALE
from backend.ml.preprocessing import components, masked_pixels

LINE_KERNEL = 9
STAIN_KERNEL = 31
MIN_LINE_LENGTH = 25
MIN_ELONGATION = 4.0
MAX_LINE_WIDTH = 7.0
MIN_STAIN_AREA_FRACTION = 0.0015
STAIN_DELTA_E = 9.0
MAX_STAIN_ELONGATION = 6.0
#: Gradient magnitude (|dx| + |dy| of a 3x3 Sobel on 8-bit grey) that counts as an edge.
EDGE_GRADIENT = 60
#: Grey level above which a pixel is a clipped highlight.
CLIPPED = 245
#: Floors of the low and high hysteresis thresholds of colour ridges (8-bit a* / b* units): on
#: a flat-coloured surface the robust spread is near zero and JPEG's chroma noise would pass.
COLOUR_RIDGE_FLOOR = (10.0, 14.0)
#: A line candidate of a later pass is the same line as one of an earlier pass when most of its
#: pixels lie within this many pixels of it.
DUPLICATE_REACH = 2
#: At most this many candidates of each kind are measured (largest first): a surface with more
#: is textured or printed, and the count itself is recorded as evidence.
MAX_CANDIDATES = 16
#: Straight runs inside a larger ridge component (``_straight_runs``): at least this share of
#: the object's scale long, bridging gaps of RUN_GAP pixels, read from a strip RUN_STRIP wide,
#: at most MAX_RUNS of them, and only where the component is RUN_SHARE times the run or more.
RUN_MIN_LENGTH = 0.12
RUN_GAP = 2
RUN_STRIP = 5
MAX_RUNS = 6
RUN_SHARE = 1.5
#: A run is dropped when the ridges right beside it (within three strip widths) add more than
#: this share of its own pixels.
RUN_BESIDE = 0.5
#: The surface on either side of a line is sampled this many pixels beyond its half-width.
SIDE_OFFSET = 3.0
#: The band of surface around a candidate: from NEAR to FAR pixels away from it.
BAND_NEAR = 3
BAND_FAR = 9

_SQUARE = np.ones((3, 3), np.uint8)
_RIDGE_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (LINE_KERNEL, LINE_KERNEL))
#: Ridges at least this broad are print, edges or texture patches, not a scratch's width.
_BROAD = np.ones((5, 5), np.uint8)
_DUPLICATE_KERNEL = cv2.getStructuringElement(
    cv2.MORPH_ELLIPSE, (2 * DUPLICATE_REACH + 1, 2 * DUPLICATE_REACH + 1)
)
_NEAR = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (BAND_NEAR, BAND_NEAR))
_FAR = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (BAND_FAR, BAND_FAR))

LINE_FEATURES = (
    "length",
    "elongation",
    "contrast",
    "strength",
    "band_ridges",
    "band_edges",
    "count",
    "boundary",
    "clipped",
    "branching",
    "bright",
    "chroma",
    "diagonal",
    "rarity",
    "patch",
    "length_rel",
    "contrast_rel",
    "strength_rel",
    "sides",
    "sides_diagonal",
    "colour_step",
    "run",
)
BLOB_FEATURES = (
    "area",
    "strength",
    "sharpness",
    "tint",
    "lightness",
    "band_ridges",
    "band_edges",
    "texture",
    "count",
    "boundary",
    "clipped",
    "elongation",
    "rarity",
    "patch",
    "area_rel",
    "strength_rel",
    "sharpness_rel",
)
#: Measurements also given relative to the other candidates of the same kind on the object:
#: print and texture repeat, so none of their marks stands out; damage is the odd one out.
RELATIVE = {"line": ("length", "contrast", "strength"), "blob": ("area", "strength", "sharpness")}


@dataclass(frozen=True)
class Candidate:
    kind: str  # "bright_line", "dark_line", "colour_line" or "color_blob"
    x: int
    y: int
    width: int
    height: int
    area: int  # pixels of the component (working resolution)
    length: float
    elongation: float
    strength: float  # how far the cue exceeds its threshold (1.0 = at threshold)
    branching: float  # lines: share of ridge pixels with 4+ ridge neighbours (broad or branched)
    mean_lab_shift: tuple[float, float, float]
    contrast: float  # cue response over the grey-level spread of the surface around it
    edge_sharpness: float  # blobs: boundary gradient per unit of colour shift
    component: np.ndarray = field(repr=False)  # bool mask over the box (working pixels)
    features: dict[str, float] = field(default_factory=dict)
    #: The box as fractions (x0, y0, x1, y1) of the model region, where the patch map lies
    #: (None when the region is empty): the ``patch`` feature is read there once the backbone
    #: has run (``with_patch_support``), so the candidates can be measured while it runs.
    patch_span: tuple[float, float, float, float] | None = None

    @property
    def is_line(self) -> bool:
        return self.kind != "color_blob"


@dataclass(frozen=True)
class SurfaceContext:
    """Per-image maps the candidates and their surroundings are measured on."""

    gray: np.ndarray
    lab_u8: np.ndarray
    interior: np.ndarray
    edges: np.ndarray  # bool: strong grey-level gradient
    boundary_distance: np.ndarray  # distance to the object's outline (working pixels)
    scale: float  # sqrt of the object's area (working pixels)
    colour_counts: np.ndarray  # (8, 16, 16) object pixels per coarse Lab cell, 3x3x3-smoothed
    interior_area: float  # interior pixels, at least 1
    chroma: np.ndarray  # float32 chroma of every pixel (``_chroma_map``)
    patch_box: tuple[int, int, int, int]  # x0, y0, x1, y1 (working pixels) of the patch map


@dataclass(frozen=True)
class _Band:
    """A candidate's pixels and the band of surface around it, in a padded window."""

    window: tuple[slice, slice]
    inside: np.ndarray
    band: np.ndarray


def interior_mask(mask: np.ndarray) -> np.ndarray:
    """The object without its outline, so silhouettes are not taken for scratches."""
    size = max(3, round(min(mask.shape) * 0.025) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.erode(mask.astype(np.uint8), kernel).astype(bool)


def surface_context(
    gray: np.ndarray,
    lab_u8: np.ndarray,
    mask: np.ndarray,
    interior: np.ndarray,
    patch_box: tuple[int, int, int, int] = (0, 0, 0, 0),
) -> SurfaceContext:
    distance = cv2.distanceTransform(mask.view(np.uint8), cv2.DIST_L2, 3)
    return SurfaceContext(
        gray=gray,
        lab_u8=lab_u8,
        interior=interior,
        edges=_gradient(gray) > EDGE_GRADIENT,
        boundary_distance=distance,
        scale=math.sqrt(max(float(np.count_nonzero(mask)), 1.0)),
        colour_counts=_colour_counts(masked_pixels(lab_u8[::2, ::2], interior[::2, ::2])) * 4,
        interior_area=float(np.count_nonzero(interior)) or 1.0,
        chroma=_chroma_map(lab_u8),
        patch_box=patch_box,
    )


def _gradient(gray: np.ndarray) -> np.ndarray:
    """|d/dx| + |d/dy| of a 3x3 Sobel, saturated at 255."""
    return cv2.add(
        cv2.convertScaleAbs(cv2.Sobel(gray, cv2.CV_16S, 1, 0)),
        cv2.convertScaleAbs(cv2.Sobel(gray, cv2.CV_16S, 0, 1)),
    )


#: OpenCV 8-bit Lab codes: Python ints or int arrays.
_Code = TypeVar("_Code", int, np.ndarray)


def _colour_cell(lightness: _Code, a: _Code, b: _Code) -> tuple[_Code, _Code, _Code]:
    """The coarse cell of OpenCV 8-bit Lab codes (ints, or int arrays): 8 x 16 x 16 cells."""
    return lightness >> 5, a >> 4, b >> 4


def _colour_counts(lab_pixels: np.ndarray) -> np.ndarray:
    """How many object pixels have each coarse colour (and its neighbours): a histogram over
    8 x 16 x 16 cells of OpenCV 8-bit Lab, summed over each cell's 3 x 3 x 3 neighbourhood."""
    values = lab_pixels.astype(np.int32).reshape(-1, 3)
    lightness, a, b = _colour_cell(values[:, 0], values[:, 1], values[:, 2])
    counts = np.bincount(lightness * 256 + a * 16 + b, minlength=2048).reshape(8, 16, 16)
    padded = np.pad(counts, 1)
    smoothed = np.zeros_like(counts)
    for dl in range(3):
        for da in range(3):
            for db in range(3):
                smoothed += padded[dl : dl + 8, da : da + 16, db : db + 16]
    return smoothed


def _rarity(context: SurfaceContext, pixels: np.ndarray) -> float:
    """log share of the object with a colour like ``pixels``' mean colour (the candidate's own
    pixels left out): a stain's or scratch's colour is rare, a strap's or print's repeats."""
    codes = (int(min(value + 0.5, 255.0)) for value in mean_u8(pixels))
    similar = float(context.colour_counts[_colour_cell(*codes)]) - len(pixels)
    return math.log(max(similar, 0.0) / context.interior_area + 1e-3)


def median_of(values: np.ndarray) -> float:
    """``np.median`` of a non-empty 1-D array of finite values, the same number without its
    general machinery, which costs several times the partition on the small arrays of one line."""
    count = values.size
    middle = count // 2
    if count % 2:
        return float(np.partition(values, middle)[middle])
    part = np.partition(values, (middle - 1, middle))
    return float((part[middle - 1] + part[middle]) / 2)


def channel_medians(pixels: np.ndarray) -> np.ndarray:
    """``np.median(pixels, axis=0)`` of a non-empty (n, channels) float array, channel by
    channel through ``median_of`` (the same numbers in the same dtype, several times faster)."""
    return np.array(
        [median_of(pixels[:, channel]) for channel in range(pixels.shape[1])], pixels.dtype
    )


def mean_u8(pixels: np.ndarray) -> tuple[float, float, float]:
    """Per-channel mean of 8-bit 3-channel pixels (n, 3), as ``pixels.mean(axis=0)`` gives it
    (the channel sums are exact either way) but without numpy's strided reduction, which costs
    more than the sum on the few hundred pixels of one candidate."""
    count = len(pixels)
    sums = cv2.sumElems(np.ascontiguousarray(pixels).reshape(count, 1, 3))
    return sums[0] / count, sums[1] / count, sums[2] / count


def _padded(
    shape: tuple[int, int], box: tuple[int, int, int, int], component: np.ndarray, pad: int
) -> tuple[tuple[slice, slice], np.ndarray]:
    """A window of an image of ``shape`` around ``box``, ``pad`` pixels wider on each side
    (clipped to the image), and ``component`` (the box's pixels) placed in it as uint8."""
    height, width = shape
    x, y, w, h = box
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(width, x + w + pad), min(height, y + h + pad)
    inside = np.zeros((y1 - y0, x1 - x0), np.uint8)
    inside[y - y0 : y - y0 + h, x - x0 : x - x0 + w] = component
    return (slice(y0, y1), slice(x0, x1)), inside


def _band(shape: tuple[int, int], x: int, y: int, w: int, h: int, component: np.ndarray) -> _Band:
    window, inside = _padded(shape, (x, y, w, h), component, BAND_FAR // 2 + 1)
    near = cv2.dilate(inside, _NEAR)
    band = (cv2.dilate(inside, _FAR) > 0) & (near == 0)
    return _Band(window, inside.view(bool), band)


def _patch_span(
    context: SurfaceContext, x: int, y: int, w: int, h: int
) -> tuple[float, float, float, float] | None:
    bx0, by0, bx1, by1 = context.patch_box
    if bx1 <= bx0 or by1 <= by0:
        return None
    return (
        (x - bx0) / (bx1 - bx0),
        (y - by0) / (by1 - by0),
        (x + w - bx0) / (bx1 - bx0),
        (y + h - by0) / (by1 - by0),
    )


def patch_support(patch_map: np.ndarray, span: tuple[float, float, float, float] | None) -> float:
    """The strongest patch anomaly under a candidate's ``patch_span``."""
    if span is None:
        return 0.0
    grid_h, grid_w = patch_map.shape
    cx0, cy0 = int(span[0] * grid_w), int(span[1] * grid_h)
    cx1, cy1 = math.ceil(span[2] * grid_w), math.ceil(span[3] * grid_h)
    window = patch_map[
        max(0, cy0) : min(grid_h, max(cy1, cy0 + 1)), max(0, cx0) : min(grid_w, max(cx1, cx0 + 1))
    ]
    return float(window.max()) if window.size else 0.0


def with_patch_support(candidates: list[Candidate], patch_map: np.ndarray) -> list[Candidate]:
    """The candidates with their ``patch`` feature read from the image's patch anomaly map."""
    return [
        replace(
            candidate,
            features={
                **candidate.features,
                "patch": patch_support(patch_map, candidate.patch_span),
            },
        )
        for candidate in candidates
    ]


def _position_features(
    context: SurfaceContext,
    box: tuple[int, int, int, int],
    component: np.ndarray,
    count: int,
) -> dict[str, float]:
    """Where a candidate sits and what it is made of: every kind gets these (and ``patch``,
    from ``with_patch_support``)."""
    x, y, w, h = box
    window = (slice(y, y + h), slice(x, x + w))
    distance = float(context.boundary_distance[window][component].min())
    return {
        "count": math.log1p(count),
        "boundary": min(1.0, distance / (0.15 * context.scale)),
        "clipped": float(np.count_nonzero(context.gray[window][component] >= CLIPPED))
        / max(int(np.count_nonzero(component)), 1),
    }


def _band_share(values: np.ndarray, band: _Band) -> float:
    return float(np.count_nonzero(values[band.window][band.band])) / max(
        int(np.count_nonzero(band.band)), 1
    )


def line_candidates(context: SurfaceContext) -> tuple[list[Candidate], np.ndarray]:
    """Thin ridges that are long and narrow, and the binary grey-level ridge map.

    Three passes: grey-level ridges (bright and dark lines); ridges in a* and b*, for a coloured
    line as light or as dark as the surface under it, which has no grey-level ridge; and
    grey-level ridges at half resolution, where a line too broad for the ridge kernel (a marker
    stroke) is thin again.
    """
    candidates, ridges = _grey_lines(context)
    if not context.interior.any():
        return candidates, ridges
    shape = context.gray.shape
    claimed = np.zeros(shape, np.uint8)
    claim_lines(claimed, candidates)
    colour = _colour_lines(
        context, ridges, lambda box, component: is_unclaimed(claimed, box, component)
    )
    claim_lines(claimed, colour)
    candidates += colour
    half, factor = _half_context(context)
    if half is not None:
        broad = _grey_lines(
            half,
            lambda box, component: is_unclaimed(claimed, *_scaled(box, component, factor, shape)),
        )[0]
        candidates += [enlarged(candidate, factor, shape) for candidate in broad]
    _add_relative(candidates, RELATIVE["line"])
    return candidates, ridges


#: Whether a ridge component (box, pixels) is worth measuring as a line candidate.
Keep = Callable[[tuple[int, int, int, int], np.ndarray], bool]


def claim_lines(claimed: np.ndarray, candidates: list[Candidate]) -> None:
    """Mark the pixels within DUPLICATE_REACH of each candidate's line."""
    for candidate in candidates:
        box = (candidate.x, candidate.y, candidate.width, candidate.height)
        window, local = _padded(claimed.shape, box, candidate.component, DUPLICATE_REACH)
        region = claimed[window]
        np.maximum(region, cv2.dilate(local, _DUPLICATE_KERNEL), out=region)


def is_unclaimed(
    claimed: np.ndarray, box: tuple[int, int, int, int], component: np.ndarray
) -> bool:
    """Whether a later pass's ridge is a line an earlier pass has not found already (a dark line
    is also a colour ridge, a broad one is also seen at half resolution): at most half of its
    pixels lie near an earlier candidate. Each line is thus one candidate, as the earliest (most
    precise) pass found it, so that neither the scorer's rank calibration nor its training sees
    it twice; and the duplicates are never measured. (Within one pass overlaps are meant: a
    straight stretch of a larger ridge is a candidate of its own.)"""
    x, y, w, h = box
    near = np.count_nonzero(claimed[y : y + h, x : x + w][component])
    return bool(near * 2 <= np.count_nonzero(component))


def _grey_lines(
    context: SurfaceContext, keep: Keep | None = None
) -> tuple[list[Candidate], np.ndarray]:
    gray, interior = context.gray, context.interior
    ridges = np.zeros(gray.shape, dtype=bool)
    if not interior.any():
        return [], ridges
    responses = (
        ("bright_line", cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, _RIDGE_KERNEL)),
        ("dark_line", cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, _RIDGE_KERNEL)),
    )
    levels = [_ridge_levels(response, interior) for _, response in responses]
    for (_, response), (_, high) in zip(responses, levels, strict=True):
        ridges |= (response > high) & interior
    candidates: list[Candidate] = []
    for (kind, response), (low, high) in zip(responses, levels, strict=True):
        candidates.extend(_thin_lines(kind, response, (low, high), context, ridges, keep))
    return candidates, ridges


def _thin_lines(
    kind: str,
    response: np.ndarray,
    levels: tuple[float, float],
    context: SurfaceContext,
    ridges: np.ndarray,
    keep: Keep | None,
) -> list[Candidate]:
    low, high = levels
    # Hysteresis, as in Canny: a line is seeded by clearly strong pixels and followed
    # through weaker ones, so a faint scratch is not broken into pieces too short to count.
    binary = ((response > low) & context.interior).view(np.uint8)
    # Keep only the thin part: a scratch that runs into a printed letter or an edge would
    # otherwise join it into one broad component and no longer look like a line.
    thick = cv2.dilate(cv2.morphologyEx(binary, cv2.MORPH_OPEN, _BROAD), _SQUARE)
    thin = binary & (thick == 0)
    return _lines_of(kind, thin, response, high, context, ridges, keep)


def _colour_lines(context: SurfaceContext, ridges: np.ndarray, keep: Keep) -> list[Candidate]:
    """Ridges of a* or b* (bright or dark, whichever is stronger at each pixel)."""
    response = np.zeros(context.gray.shape, np.uint8)
    for channel in (1, 2):
        plane = np.ascontiguousarray(context.lab_u8[..., channel])
        for operation in (cv2.MORPH_TOPHAT, cv2.MORPH_BLACKHAT):
            np.maximum(response, cv2.morphologyEx(plane, operation, _RIDGE_KERNEL), out=response)
    low, high = _ridge_levels(response, context.interior)
    levels = (max(low, COLOUR_RIDGE_FLOOR[0]), max(high, COLOUR_RIDGE_FLOOR[1]))
    return _thin_lines("colour_line", response, levels, context, ridges, keep)


def _half_context(context: SurfaceContext) -> tuple[SurfaceContext | None, float]:
    """The context at half resolution (None when that would be too small to search), and the
    factor back to working pixels."""
    height, width = context.gray.shape
    size = (width // 2, height // 2)
    if min(size) < 2 * LINE_KERNEL:
        return None, 1.0
    mask = cv2.resize(
        (context.boundary_distance > 0).view(np.uint8), size, interpolation=cv2.INTER_NEAREST
    )
    bx0, by0, bx1, by1 = context.patch_box
    return (
        surface_context(
            cv2.resize(context.gray, size, interpolation=cv2.INTER_AREA),
            cv2.resize(context.lab_u8, size, interpolation=cv2.INTER_AREA),
            mask.view(bool),
            cv2.resize(context.interior.view(np.uint8), size, interpolation=cv2.INTER_NEAREST).view(
                bool
            ),
            (bx0 // 2, by0 // 2, bx1 // 2, by1 // 2),
        ),
        2.0,
    )


def _scaled(
    box: tuple[int, int, int, int], component: np.ndarray, factor: float, shape: tuple[int, int]
) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """A box and its pixels from a lower resolution, in working pixels."""
    height, width = shape
    x, y, w, h = box
    x, y = round(x * factor), round(y * factor)
    scaled_w, scaled_h = round(w * factor), round(h * factor)
    w, h = max(1, min(width - x, scaled_w)), max(1, min(height - y, scaled_h))
    pixels = cv2.resize(
        component.view(np.uint8), (scaled_w, scaled_h), interpolation=cv2.INTER_NEAREST
    )[:h, :w].view(bool)
    return (x, y, w, h), pixels


def enlarged(candidate: Candidate, factor: float, shape: tuple[int, int]) -> Candidate:
    """A candidate found at a lower resolution, in working pixels (its measurements, which are
    relative to the object's size or to the surface around it, are kept)."""
    box = (candidate.x, candidate.y, candidate.width, candidate.height)
    (x, y, w, h), component = _scaled(box, candidate.component, factor, shape)
    return replace(
        candidate,
        x=x,
        y=y,
        width=w,
        height=h,
        area=int(np.count_nonzero(component)),
        length=candidate.length * factor,
        component=component,
    )


def _add_relative(candidates: list[Candidate], names: tuple[str, ...]) -> None:
    """``name_rel``: how far a candidate's measurement lies above the median of its kind."""
    if not candidates:
        return
    for name in names:
        values = np.array([c.features[name] for c in candidates], dtype=np.float64)
        median = median_of(values)
        for candidate, value in zip(candidates, values, strict=True):
            candidate.features[f"{name}_rel"] = float(value) - median


def _lines_of(
    kind: str,
    binary: np.ndarray,
    response: np.ndarray,
    threshold: float,
    context: SurfaceContext,
    ridges: np.ndarray,
    keep: Keep | None = None,
) -> list[Candidate]:
    count, labels, stats = components(binary)
    areas = stats[1:, cv2.CC_STAT_AREA]
    diagonals = np.hypot(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    seeded = np.zeros(count, dtype=bool)
    seeded[labels[(response > threshold) & (binary > 0)]] = True
    # Thin and long: at least MIN_LINE_LENGTH long, at most MAX_LINE_WIDTH wide on average.
    plausible = (
        seeded[1:]
        & (areas >= MIN_LINE_LENGTH)
        & (diagonals >= MIN_LINE_LENGTH)
        & (areas <= MAX_LINE_WIDTH * diagonals)
    )
    indices = np.flatnonzero(plausible) + 1
    runs = _straight_runs(binary, labels, stats, seeded, context.scale)
    plausible_count = int(indices.size) + len(runs)
    indices = indices[np.argsort(areas[indices - 1])[::-1][:MAX_CANDIDATES]]
    # Ridge pixels with four or more ridge neighbours: the ridge is broad or branches there.
    junctions = cv2.filter2D(binary, -1, _SQUARE, borderType=cv2.BORDER_CONSTANT) >= 5
    shaped: list[tuple[tuple[int, int, int, int], np.ndarray]] = []
    for index in indices:
        x, y, w, h = (int(v) for v in stats[index, :4])
        shaped.append(((x, y, w, h), labels[y : y + h, x : x + w] == index))
    maps = _LineMaps(response, threshold, ridges, junctions, plausible_count)
    pieces = [(box, component, False) for box, component in shaped]
    pieces += [(box, component, True) for box, component in runs]
    return [
        measured
        for box, component, run in pieces
        if (keep is None or keep(box, component))
        and (measured := _line(kind, box, component, context, maps, run=run)) is not None
    ]


def _straight_runs(
    binary: np.ndarray,
    labels: np.ndarray,
    stats: np.ndarray,
    seeded: np.ndarray,
    scale: float,
) -> list[tuple[tuple[int, int, int, int], np.ndarray]]:
    """Long straight stretches of ridge that are only part of their component.

    A scratch drawn across a seam, a letter or a strap joins it into one ridge component that
    no longer looks like a line; its straight stretch is measured as a candidate of its own.
    """
    min_length = max(MIN_LINE_LENGTH, round(RUN_MIN_LENGTH * scale))
    segments = cv2.HoughLinesP(
        binary * 255,
        1,
        math.pi / 180,
        threshold=max(MIN_LINE_LENGTH, min_length // 2),
        minLineLength=min_length,
        maxLineGap=RUN_GAP,
    )
    if segments is None:
        return []
    ordered = sorted(
        (tuple(int(v) for v in segment) for segment in segments.reshape(-1, 4)),
        key=lambda s: -math.hypot(s[2] - s[0], s[3] - s[1]),
    )
    height, width = binary.shape
    claimed = np.zeros((height, width), np.uint8)
    reach = (3 * RUN_STRIP) // 2 + 1
    runs: list[tuple[tuple[int, int, int, int], np.ndarray]] = []
    for x0, y0, x1, y1 in ordered:
        if len(runs) == MAX_RUNS:
            break
        # Each segment is measured in its own window: full-size maps per segment would cost
        # as much as the Hough transform itself.
        wx0, wy0 = max(0, min(x0, x1) - reach), max(0, min(y0, y1) - reach)
        wx1, wy1 = min(width, max(x0, x1) + reach + 1), min(height, max(y0, y1) + reach + 1)
        window = (slice(wy0, wy1), slice(wx0, wx1))
        start, end = (x0 - wx0, y0 - wy0), (x1 - wx0, y1 - wy0)
        strip = np.zeros((wy1 - wy0, wx1 - wx0), np.uint8)
        cv2.line(strip, start, end, 1, RUN_STRIP)
        pixels = (strip & binary[window]).view(bool)
        area = int(np.count_nonzero(pixels))
        if area == 0 or np.count_nonzero(claimed[window][pixels]) > area // 2:
            continue
        # A row of letters also has a straight run (their common base or top), but its ridges
        # carry on beside the strip; a line drawn across a surface has only its crossings there.
        beside = np.zeros_like(strip)
        cv2.line(beside, start, end, 1, 3 * RUN_STRIP)
        if np.count_nonzero(beside & binary[window]) - area > RUN_BESIDE * area:
            continue
        claimed[window][pixels] = 1
        owners = np.bincount(labels[window][pixels], minlength=1)
        owner = int(np.argmax(owners))
        if not seeded[owner] or stats[owner, cv2.CC_STAT_AREA] < RUN_SHARE * area:
            continue
        ys, xs = np.nonzero(pixels)
        bx, by = int(xs.min()), int(ys.min())
        bw, bh = int(xs.max()) - bx + 1, int(ys.max()) - by + 1
        runs.append(((bx + wx0, by + wy0, bw, bh), pixels[by : by + bh, bx : bx + bw].copy()))
    return runs


@dataclass(frozen=True)
class _LineMaps:
    """What every line of one kind is measured against."""

    response: np.ndarray
    threshold: float
    ridges: np.ndarray
    junctions: np.ndarray  # ridge pixels with four or more ridge neighbours
    count: int  # plausible lines of this kind on the object


def _line(
    kind: str,
    box: tuple[int, int, int, int],
    component: np.ndarray,
    context: SurfaceContext,
    maps: _LineMaps,
    *,
    run: bool,
) -> Candidate | None:
    """One thin ridge measured, or None if it is too short or not elongated enough. ``run``: it
    is a straight stretch of a larger ridge (``_straight_runs``), which print and seams make
    far more often than whole lines do, so the scorer weighs the two apart."""
    x, y, w, h = box
    window = (slice(y, y + h), slice(x, x + w))
    points = np.column_stack(np.nonzero(component))[:, ::-1].astype(np.float32)
    (_, _), (side_a, side_b), angle = cv2.minAreaRect(points)
    area = int(np.count_nonzero(component))
    length = float(max(side_a, side_b, 1.0))
    elongation = length / max(1.0, area / length)
    if length < MIN_LINE_LENGTH or elongation < MIN_ELONGATION:
        return None
    lab = context.lab_u8
    line_pixels = masked_pixels(lab[window], component)
    band = _band(context.gray.shape, x, y, w, h, component)
    surface = context.gray[band.window][band.band].astype(np.float32)
    spread = float(surface.std()) if surface.size > 8 else 255.0
    mean_response = float(maps.response[window][component].mean())
    strength = mean_response / maps.threshold
    line_chroma = _mean_chroma(context.chroma[window][component])
    surface_chroma = _mean_chroma(context.chroma[band.window][band.band])
    sides, colour_step = _sides(lab, points + np.array((x, y), np.float32), line_pixels, length)
    diagonal = abs(math.sin(math.radians(2.0 * angle)))
    branching = float(np.count_nonzero(maps.junctions[window] & component)) / area
    features = _position_features(context, box, component, maps.count)
    features.update(
        run=1.0 if run else 0.0,
        sides=sides,
        colour_step=colour_step,
        band_ridges=_band_share(maps.ridges, band),
        band_edges=_band_share(context.edges, band),
        length=math.log(length / context.scale),
        elongation=math.log(min(elongation, 40.0)),
        contrast=math.log(max(mean_response / (spread + 2.0), 1e-3)),
        strength=math.log(max(strength, 1e-3)),
        branching=branching,
        bright=1.0 if kind == "bright_line" else 0.0,
        chroma=(line_chroma - surface_chroma) / 20.0,
        # Print, seams, shelves and edges run along the photo's axes; damage need not.
        diagonal=diagonal,
        # A printed rule or stripe also has one surface on both sides, but it runs along the
        # product's (and mostly the photo's) axes.
        sides_diagonal=sides * diagonal,
        rarity=_rarity(context, line_pixels),
    )
    return Candidate(
        kind=kind,
        x=x,
        y=y,
        width=w,
        height=h,
        area=area,
        length=length,
        elongation=elongation,
        strength=strength,
        branching=branching,
        mean_lab_shift=(0.0, 0.0, 0.0),
        contrast=mean_response / (spread + 2.0),
        edge_sharpness=0.0,
        component=component,
        features=features,
        patch_span=_patch_span(context, x, y, w, h),
    )


def _sides(
    lab_u8: np.ndarray, points: np.ndarray, line_pixels: np.ndarray, length: float
) -> tuple[float, float]:
    """How the surface on the line's two sides compares, and how the line differs from it.

    A scratch or a mark lies on one surface, which continues on both sides of it; an outline,
    a seam, a fold or a shadow's edge separates two different ones. Returns the log of (colour
    difference between the sides + 1) over (difference between the line and its sides + 1),
    and the log of the latter + 1 (CIELAB delta E, sides sampled just beyond the line's
    half-width along its normal). ``points``: the line's pixels (x, y), ``line_pixels`` their
    colours.
    """
    _, vectors = principal_axes(points)
    normal = vectors[:, 0]
    offset = 0.5 * len(points) / max(length, 1.0) + SIDE_OFFSET
    height, width = lab_u8.shape[:2]
    line = _mean_cielab(line_pixels)
    shift = offset * normal
    # Both sides in one pass: the first len(points) spots lie on one side, the rest on the other.
    spots = np.rint(np.concatenate((points + shift, points - shift))).astype(np.int32)
    xs, ys = spots[:, 0], spots[:, 1]
    inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
    on_first = int(np.count_nonzero(inside[: len(points)]))
    colours = lab_u8[ys[inside], xs[inside]]
    if on_first == 0 or on_first == len(colours):
        return 0.0, 0.0
    first, second = _mean_cielab(colours[:on_first]), _mean_cielab(colours[on_first:])
    apart, off_line = first - second, line - 0.5 * (first + second)
    between, step = math.sqrt(apart @ apart), math.sqrt(off_line @ off_line)
    return math.log((between + 1.0) / (step + 1.0)), math.log(step + 1.0)


@dataclass(frozen=True)
class StrokeCore:
    """A line's core and its surroundings, along its whole length (CIELAB, medians)."""

    darkest: float  # L* of each cross-section's darkest pixel
    lightest: float  # L* of each cross-section's lightest pixel
    surface: float  # L* of the mean of the surface on the line's two sides
    colour: tuple[float, float, float]  # each cross-section's pixel farthest from the sides
    colour_contrast: float  # delta E of that pixel from the sides

    @property
    def chroma(self) -> float:
        return math.hypot(self.colour[1], self.colour[2])


def stroke_core(lab: np.ndarray, candidate: Candidate) -> StrokeCore:
    """A line read across at every pixel along its main axis: a stroke drawn in flat black,
    white or a strong colour keeps that colour at its core over any surface it crosses, however
    its edges were blended into their neighbours. ``lab``: float CIELAB of the working image."""
    rows, cols = np.nonzero(candidate.component)
    points = np.column_stack((cols + candidate.x, rows + candidate.y)).astype(np.float32)
    centred, vectors = principal_axes(points)
    normal, along = vectors[:, 0], vectors[:, 1]
    position = centred @ along
    half_width = 0.5 * len(points) / max(candidate.length, 1.0)
    steps = np.arange(position.min(), position.max() + 0.5, 1.0, dtype=np.float32)
    across = np.arange(-half_width - 1.0, half_width + 1.01, 0.5, dtype=np.float32)
    centres = points.mean(axis=0) + steps[:, None] * along
    height, width = lab.shape[:2]

    def read(spots: np.ndarray) -> np.ndarray:
        xs = np.clip(np.rint(spots[..., 0]).astype(np.int32), 0, width - 1)
        ys = np.clip(np.rint(spots[..., 1]).astype(np.int32), 0, height - 1)
        return lab[ys, xs]  # type: ignore[no-any-return]

    sections = read(centres[:, None, :] + across[None, :, None] * normal)  # (steps, across, 3)
    reach = half_width + SIDE_OFFSET
    sides = 0.5 * (read(centres + reach * normal) + read(centres - reach * normal))
    lightness = sections[..., 0]
    distances = np.linalg.norm(sections - sides[:, None, :], axis=2)
    farthest = sections[np.arange(len(steps)), distances.argmax(axis=1)]
    colour = channel_medians(farthest)
    return StrokeCore(
        darkest=median_of(lightness.min(axis=1)),
        lightest=median_of(lightness.max(axis=1)),
        surface=median_of(sides[:, 0]),
        colour=(float(colour[0]), float(colour[1]), float(colour[2])),
        colour_contrast=median_of(distances.max(axis=1)),
    )


def principal_axes(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``points`` (n, 2) centred on their mean, and the unit vectors across (column 0) and
    along (column 1) their main axis."""
    centred = points - points.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred)
    return centred, vectors


def _mean_cielab(lab_pixels: np.ndarray) -> np.ndarray:
    """Mean CIELAB colour of OpenCV 8-bit Lab pixels (n, 3). The encoding is linear, so the
    mean is converted rather than every pixel."""
    mean: np.ndarray = np.array(mean_u8(lab_pixels)) * LAB_U8_SCALE + LAB_U8_OFFSET
    return mean


def _chroma_map(lab_u8: np.ndarray) -> np.ndarray:
    """Chroma of every OpenCV 8-bit Lab pixel (a, b centred on 128), float32."""
    a = lab_u8[..., 1].astype(np.float32) - 128.0
    b = lab_u8[..., 2].astype(np.float32) - 128.0
    chroma: np.ndarray = np.sqrt(a * a + b * b)
    return chroma


def _mean_chroma(chroma: np.ndarray) -> float:
    return float(chroma.mean()) if chroma.size else 0.0


def _ridge_levels(response: np.ndarray, interior: np.ndarray) -> tuple[float, float]:
    """Low and high hysteresis thresholds: median + 2 and + 3.5 robust standard deviations
    (MAD) of the response inside the object, read from its 256-bin histogram (8-bit data)."""
    histogram = cv2.calcHist([response], [0], interior.view(np.uint8), [256], [0, 256]).ravel()
    total = float(histogram.sum())
    if total == 0:
        return 255.0, 255.0
    cumulative = np.cumsum(histogram)
    median = int(np.searchsorted(cumulative, total / 2.0))
    deviations = np.abs(np.arange(256) - median)
    deviation_counts = np.bincount(deviations, weights=histogram, minlength=256)
    sigma = 1.4826 * int(np.searchsorted(np.cumsum(deviation_counts), total / 2.0))
    return max(6.0, median + 2.0 * sigma), max(8.0, median + 3.5 * sigma)


@dataclass(frozen=True)
class _HalfMaps:
    """The half-resolution maps stains are found and measured on."""

    size: tuple[int, int]  # (width, height)
    shift: np.ndarray  # Lab departure from the median-filtered surface (L in L* units)
    delta: np.ndarray  # its magnitude (delta E)
    gray: np.ndarray
    steps: np.ndarray  # colour steps at a larger scale than texture
    ridges: np.ndarray  # bool
    edges: np.ndarray  # bool
    inside: np.ndarray  # uint8 interior


def _half_maps(context: SurfaceContext, ridges: np.ndarray) -> _HalfMaps:
    height, width = context.interior.shape
    half = (max(8, width // 2), max(8, height // 2))
    lab_small = cv2.resize(context.lab_u8, half, interpolation=cv2.INTER_AREA)
    quarter_size = (max(8, half[0] // 2), max(8, half[1] // 2))
    quarter = cv2.resize(lab_small, quarter_size, interpolation=cv2.INTER_AREA)
    background = cv2.resize(
        cv2.merge(
            [cv2.medianBlur(np.ascontiguousarray(quarter[..., c]), STAIN_KERNEL) for c in range(3)]
        ),
        half,
        interpolation=cv2.INTER_LINEAR,
    )
    shift = lab_small.astype(np.float32) - background.astype(np.float32)
    shift[..., 0] *= 100.0 / 255.0
    gray_small = cv2.resize(context.gray, half, interpolation=cv2.INTER_AREA)
    # Colour steps at a larger scale than texture: a strap's or a label's edge is one, a
    # stain's soft rim is not. (|d/dx| + |d/dy| per Lab channel of the smoothed half image.)
    smooth_lab = cv2.GaussianBlur(lab_small, (0, 0), 1.5)
    steps = np.zeros(gray_small.shape, np.float32)
    for channel, weight in ((0, 100.0 / 255.0), (1, 1.0), (2, 1.0)):
        plane = np.ascontiguousarray(smooth_lab[..., channel])
        magnitude = cv2.add(
            cv2.convertScaleAbs(cv2.Sobel(plane, cv2.CV_16S, 1, 0), alpha=0.5),
            cv2.convertScaleAbs(cv2.Sobel(plane, cv2.CV_16S, 0, 1), alpha=0.5),
        )
        steps += magnitude.astype(np.float32) * (2.0 * weight)
    lines = cv2.resize(ridges.view(np.uint8), half, interpolation=cv2.INTER_NEAREST)
    return _HalfMaps(
        size=half,
        shift=shift,
        delta=cv2.magnitude(cv2.magnitude(shift[..., 0], shift[..., 1]), shift[..., 2]),
        gray=gray_small,
        steps=steps,
        ridges=lines.view(bool),
        edges=_gradient(gray_small) > EDGE_GRADIENT,
        inside=cv2.resize(context.interior.view(np.uint8), half, interpolation=cv2.INTER_NEAREST),
    )


def stain_candidates(context: SurfaceContext, ridges: np.ndarray) -> list[Candidate]:
    """Regions whose colour departs from the surrounding surface (found at half resolution).

    A wide median (at quarter resolution) is the "clean surface" estimate, so stains up to about
    a third of the working image are still seen against their surroundings.
    """
    if not context.interior.any():
        return []
    maps = _half_maps(context, ridges)
    binary = ((maps.delta > STAIN_DELTA_E) & (maps.inside > 0) & ~maps.ridges).view(np.uint8)
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, _NEAR)
    _, labels, stats = components(binary)
    interior_area = float(np.count_nonzero(maps.inside)) or 1.0
    min_area = max(6, round(interior_area * MIN_STAIN_AREA_FRACTION))
    areas = stats[1:, cv2.CC_STAT_AREA]
    indices = np.flatnonzero(areas >= min_area) + 1
    count = int(indices.size)
    indices = indices[np.argsort(areas[indices - 1])[::-1][:MAX_CANDIDATES]]
    candidates = [
        candidate
        for index in indices
        if (candidate := _blob(context, maps, labels, stats[index], int(index), count)) is not None
    ]
    _add_relative(candidates, RELATIVE["blob"])
    return candidates


def _blob(
    context: SurfaceContext,
    maps: _HalfMaps,
    labels: np.ndarray,
    stat: np.ndarray,
    index: int,
    count: int,
) -> Candidate | None:
    """One colour blob measured (half-resolution component ``index``), or None if too long."""
    sx, sy, sw, sh, area = (int(v) for v in stat[:5])
    length = float(max(sw, sh))
    elongation = length / max(1.0, area / length)
    if elongation > MAX_STAIN_ELONGATION:
        return None
    window = (slice(sy, sy + sh), slice(sx, sx + sw))
    component = labels[window] == index
    band = _band(maps.gray.shape, sx, sy, sw, sh, component)
    mean_shift = masked_pixels(maps.shift[window], component).mean(axis=0)
    mean_delta = float(maps.delta[window][component].mean())
    rim = component & ~cv2.erode(component.view(np.uint8), _SQUARE).view(bool)
    rim_step = float(maps.steps[window][rim].mean()) if rim.any() else 0.0
    sharpness = rim_step / (mean_delta + 1.0)
    surface = maps.gray[band.window][band.band].astype(np.float32)
    texture = (float(maps.gray[window][component].std()) + 1.0) / (
        (float(surface.std()) if surface.size > 8 else 0.0) + 1.0
    )
    # Back to working pixels for the box and the position measurements.
    height, width = context.interior.shape
    x, y = sx * width // maps.size[0], sy * height // maps.size[1]
    w = max(1, min(width - x, math.ceil(sw * width / maps.size[0])))
    h = max(1, min(height - y, math.ceil(sh * height / maps.size[1])))
    full_component = cv2.resize(
        component.view(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST
    ).view(bool)
    if not full_component.any():
        return None
    chroma = math.hypot(float(mean_shift[1]), float(mean_shift[2]))
    full_window = (slice(y, y + h), slice(x, x + w))
    features = _position_features(context, (x, y, w, h), full_component, count)
    features.update(
        area=math.log(area / (float(np.count_nonzero(maps.inside)) or 1.0)),
        strength=math.log(max(mean_delta / STAIN_DELTA_E, 1e-3)),
        sharpness=sharpness,
        tint=chroma / (mean_delta + 1.0),
        lightness=float(mean_shift[0]) / (mean_delta + 1.0),
        band_ridges=_band_share(maps.ridges, band),
        band_edges=_band_share(maps.edges, band),
        texture=math.log(texture),
        elongation=math.log(max(elongation, 1.0)),
        rarity=_rarity(context, masked_pixels(context.lab_u8[full_window], full_component)),
    )
    return Candidate(
        kind="color_blob",
        x=x,
        y=y,
        width=w,
        height=h,
        area=int(np.count_nonzero(full_component)),
        length=length * width / maps.size[0],
        elongation=elongation,
        strength=mean_delta / STAIN_DELTA_E,
        branching=0.0,
        mean_lab_shift=(float(mean_shift[0]), float(mean_shift[1]), float(mean_shift[2])),
        contrast=mean_delta / STAIN_DELTA_E,
        edge_sharpness=sharpness,
        component=full_component,
        features=features,
        patch_span=_patch_span(context, x, y, w, h),
    )
