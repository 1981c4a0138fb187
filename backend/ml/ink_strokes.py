"""Flat ink strokes: straight, thin runs of near-black, near-white or strongly coloured pixels
lying on one surface of the object, found straight from the colour map.

The line cues (``defect_cues``) follow ridges of grey-level and colour contrast. A thick pen line
across a watch dial or a bag's panels comes out of them in pieces, or merged with the product's
own dark marks or seams where it crosses them, and is weighed by a scorer tuned on faint
scratches. A stroke in flat black or white is simpler to see directly: its pixels sit at
an end of the lightness scale, in a run far narrower than the product's own black or white parts
and straighter than any shadow between them. A stroke in a strong colour is seen the same way
among the pixels of its hue, as long as the product has little else of that colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import cv2
import numpy as np

from backend.ml.colors import name_color
from backend.ml.defect_cues import (
    SIDE_OFFSET,
    Candidate,
    channel_medians,
    enlarged,
    median_of,
    principal_axes,
)

StrokeTone = Literal["black", "white", "colour"]

#: L* at or below which a pixel is black ink, at or above which white: a little wider than the
#: ink rule's core (``defect_detector.INK_DARK``), since here every pixel of the run counts.
STROKE_DARK = 8.0
STROKE_LIGHT = 95.0
#: Chroma at or above which a pixel may be coloured ink; such pixels are searched for strokes a
#: hue sector at a time (STROKE_HUE_SECTORS sectors, each STROKE_HUE_REACH degrees either side
#: of its centre, so that a stroke whose hue lies on a border is whole in one of them).
STROKE_CHROMA = 40.0
STROKE_HUE_SECTORS = 6
STROKE_HUE_REACH = 45.0
#: A coloured stroke stands out from the surface by this delta E (black and white ones by
#: STROKE_CONTRAST in L*).
STROKE_COLOUR_CONTRAST = 30.0
#: A coloured stroke whose colour (within STROKE_KIN_DELTA_E on each CIELAB axis) covers more
#: than STROKE_KIN_SHARE times its own area of the object outside its box is one of the
#: product's own parts in that colour (a backpack's red bungee cords cross its front).
STROKE_KIN_DELTA_E = 15.0
STROKE_KIN_SHARE = 1.0
#: Runs this broad (working pixels) or broader are the product's own black or white parts; a
#: stroke that crosses one is cut there, not merged into it.
STROKE_MAX_WIDTH = 7
#: At least this many times longer than wide, and at least STROKE_MIN_LENGTH (log of the length
#: over the object's scale, as the line cues' ``length``: about 20 % of it; at 30 % the pass
#: found 12 fewer of the 711 drawn lines and 26 fewer on fresh seeds, and as many clean photos
#: of 581 were flagged either way).
STROKE_MIN_ELONGATION = 6.0
STROKE_MIN_LENGTH = -1.6
#: A stroke cut by a gap up to this wide (working pixels: a seam, a thin line of another tone)
#: is still one stroke.
STROKE_GAP = 8
#: The longest this many segments of each tone are measured: a product's own edges in a strong
#: colour can give dozens, most of them pieces of one another.
STROKE_MAX_SEGMENTS = 12
#: Straight and even: the RMS distance of the run's pixels from its axis, over its width, at
#: most this. A straight band of even width gives 1 / sqrt(12) = 0.29 (drawn strokes measured
#: 0.26-0.34); a wavy or tapering run more (a pleat's highlight 0.45, a watch display's dark
#: edge 0.41, the backdrop beside a sleeve at the frame's edge 0.48).
STROKE_STRAIGHTNESS = 0.38
#: On one surface (log of (sides' difference + 1) over (stroke's step from them + 1), as the
#: line cues' ``sides``; drawn strokes measured -1.3 to -4.6), and STROKE_CONTRAST (L*) darker
#: or lighter than it.
STROKE_SIDES = -1.2
STROKE_CONTRAST = 20.0
#: Sharp-edged: one pixel beyond its half-width a stroke of ink or paint has given way to the
#: surface; a highlight along a glossy product, or a zip's teeth and tape, fade into it. The
#: lightness there (the colour, for a coloured stroke), as a share of the way from the surface to
#: the stroke's core, is at most STROKE_FADE (drawn black and white strokes measured -0.01 to
#: 0.52 in 83 of 85, 0.66 in 2; a highlight on a courgette 0.61, a black zip on a red jacket
#: 0.76).
STROKE_FADE = 0.6
#: A run within this many working pixels of the frame's edge reaches it.
STROKE_FRAME_MARGIN = 3
#: Pixels within this far of a plain backdrop's colour on each CIELAB axis are not ink.
STROKE_BACKDROP_DELTA_E = 8.0

_BROAD = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (STROKE_MAX_WIDTH, STROKE_MAX_WIDTH))
_SQUARE = np.ones((3, 3), np.uint8)


@dataclass(frozen=True)
class InkStroke:
    """A flat stroke as a line candidate (working pixels of the whole image), its tone and the
    name of its colour."""

    candidate: Candidate
    tone: StrokeTone
    colour: str  # its colour's name (black, white, red, ...)


def ink_strokes(
    lab: np.ndarray, mask: np.ndarray, backdrop_lab: tuple[float, float, float] | None
) -> list[InkStroke]:
    """Flat black, white or coloured strokes on the object, looked for at working and at half
    resolution (where a marker stroke too broad at working size is thin again; a stroke found
    at both is two overlapping findings, which the detector's suppression makes one).
    ``lab``: float CIELAB of the working image; ``mask``: where defects are looked for;
    ``backdrop_lab``: the plain backdrop's colour, None when the photo has none. A run that
    reaches the frame's edge is left out: it may be the scene's own stripe or the backdrop."""
    height, width = mask.shape
    doubled: list[InkStroke] = []
    # A sliver of a photo (16 x 6000 px is 1 working pixel wide) has no half resolution.
    if min(height, width) >= 2:
        half_size = (width // 2, height // 2)
        half_lab = cv2.resize(lab, half_size, interpolation=cv2.INTER_AREA)
        half_mask = cv2.resize(mask.view(np.uint8), half_size, interpolation=cv2.INTER_NEAREST)
        doubled = [
            replace(stroke, candidate=enlarged(stroke.candidate, 2.0, mask.shape))
            for stroke in _strokes_at(half_lab, half_mask.view(bool), backdrop_lab)
        ]
    # Half resolution softens every edge into one pixel; the edge test is made again at working
    # resolution, where a zip's tape still fades into the fabric.
    found = _strokes_at(lab, mask, backdrop_lab) + [
        stroke for stroke in doubled if _sharp_at(lab, stroke.candidate, stroke.tone)
    ]
    return [stroke for stroke in found if not _reaches_frame(stroke.candidate, mask.shape)]


def _sharp_at(lab: np.ndarray, candidate: Candidate, tone: StrokeTone) -> bool:
    """Whether a line candidate (working pixels) is still a sharp-edged mark on one surface
    when measured on ``lab``."""
    rows, cols = np.nonzero(candidate.component)
    points = np.column_stack((cols + candidate.x, rows + candidate.y)).astype(np.float32)
    _, vectors = principal_axes(points)
    stroke_width = len(points) / max(candidate.length, 1.0)
    return _mark_on_surface(lab, points, vectors[:, 0], stroke_width, tone) is not None


def _reaches_frame(candidate: Candidate, shape: tuple[int, int]) -> bool:
    height, width = shape
    return (
        candidate.x <= STROKE_FRAME_MARGIN
        or candidate.y <= STROKE_FRAME_MARGIN
        or candidate.x + candidate.width >= width - STROKE_FRAME_MARGIN
        or candidate.y + candidate.height >= height - STROKE_FRAME_MARGIN
    )


def _strokes_at(
    lab: np.ndarray, mask: np.ndarray, backdrop_lab: tuple[float, float, float] | None
) -> list[InkStroke]:
    """The strokes of ``ink_strokes`` at the resolution of ``lab`` and ``mask``."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return []
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    crop_lab = lab[y0:y1, x0:x1]
    crop_mask = mask[y0:y1, x0:x1]
    lightness = crop_lab[..., 0]
    scale = math.sqrt(max(float(np.count_nonzero(mask)), 1.0))
    if backdrop_lab is not None:
        # A pixel the colour of a plain backdrop may be that backdrop seen through a gap of the
        # object (between an arm and the body); on white backdrops this also leaves few white
        # pixels.
        backdrop = np.asarray(backdrop_lab, np.float32)
        near = cv2.inRange(
            crop_lab, backdrop - STROKE_BACKDROP_DELTA_E, backdrop + STROKE_BACKDROP_DELTA_E
        )
        crop_mask = crop_mask & (near == 0)
    tones: list[tuple[StrokeTone, np.ndarray]] = [
        ("black", lightness <= STROKE_DARK),
        ("white", lightness >= STROKE_LIGHT),
    ]
    tones += [("colour", sector) for sector in _hue_sectors(crop_lab)]
    found: list[InkStroke] = []
    for tone, pixels in tones:
        binary = (pixels & crop_mask).view(np.uint8)
        if np.count_nonzero(binary) < _votes(scale):
            continue
        broad = cv2.dilate(cv2.morphologyEx(binary, cv2.MORPH_OPEN, _BROAD), _SQUARE)
        for (x, y), run in _straight_runs(binary & (1 - broad), scale):
            stroke = _stroke(crop_lab, crop_mask, run, (x, y), scale, tone)
            if stroke is not None:
                candidate, colour = stroke
                found.append(InkStroke(replace(candidate, x=x + x0, y=y + y0), tone, colour))
    return found


def _hue_sectors(lab: np.ndarray) -> list[np.ndarray]:
    """Bool maps of the pixels of at least STROKE_CHROMA in each hue sector."""
    chroma, hue = cv2.cartToPolar(
        np.ascontiguousarray(lab[..., 1]), np.ascontiguousarray(lab[..., 2]), angleInDegrees=True
    )
    strong = chroma >= STROKE_CHROMA
    if not strong.any():
        return []
    # The hue in 2-degree steps in 8 bits (255: too weak a colour), so that each sector is one
    # or two OpenCV range tests rather than float arithmetic over the image.
    steps = (hue * 0.5).astype(np.uint8)
    steps[~strong] = 255
    sectors = []
    for index in range(STROKE_HUE_SECTORS):
        centre = index * 360.0 / STROKE_HUE_SECTORS
        low = (centre - STROKE_HUE_REACH) % 360.0 / 2.0
        high = (centre + STROKE_HUE_REACH) % 360.0 / 2.0
        if low <= high:
            sector = cv2.inRange(steps, low, high)
        else:
            sector = cv2.bitwise_or(cv2.inRange(steps, low, 180.0), cv2.inRange(steps, 0.0, high))
        sectors.append(sector > 0)
    return sectors


def _votes(scale: float) -> int:
    """The Hough votes (pixels on one line) of the shortest stroke."""
    return max(8, round(scale * math.exp(STROKE_MIN_LENGTH) / 2))


def _straight_runs(thin: np.ndarray, scale: float) -> list[tuple[tuple[int, int], np.ndarray]]:
    """The pixels of ``thin`` (0/1) along each long straight segment it holds, longest first,
    each as the corner of its box and a bool mask over it. Segments come from a probabilistic
    Hough transform, so a stroke that crosses another run of its tone (a highlight's arc, a
    dark marker) is taken without it, and one cut by a seam up to STROKE_GAP wide stays whole."""
    min_length = scale * math.exp(STROKE_MIN_LENGTH)
    votes = _votes(scale)
    if np.count_nonzero(thin) < votes:
        return []
    segments = cv2.HoughLinesP(
        thin,
        1.0,
        math.pi / 180.0,
        threshold=votes,
        # OpenCV measures a segment by the larger of its x and y extents, not its length.
        minLineLength=min_length / math.sqrt(2.0),
        maxLineGap=STROKE_GAP,
    )
    if segments is None:
        return []
    ends = segments.reshape(-1, 4)
    lengths = np.hypot(ends[:, 2] - ends[:, 0], ends[:, 3] - ends[:, 1])
    claimed = np.zeros_like(thin)
    height, width = thin.shape
    pad = STROKE_MAX_WIDTH
    runs: list[tuple[tuple[int, int], np.ndarray]] = []
    for x0, y0, x1, y1 in ends[np.argsort(-lengths)][:STROKE_MAX_SEGMENTS].tolist():
        # The band is drawn over the segment's own box only: busy photos give hundreds.
        left, top = max(0, min(x0, x1) - pad), max(0, min(y0, y1) - pad)
        right, bottom = min(width, max(x0, x1) + pad + 1), min(height, max(y0, y1) + pad + 1)
        window = (slice(top, bottom), slice(left, right))
        band = np.zeros((bottom - top, right - left), np.uint8)
        segment = (x0 - left, y0 - top, x1 - left, y1 - top)
        cv2.line(band, segment[:2], segment[2:], 1, thickness=STROKE_MAX_WIDTH)
        run = _core_of_band(band & thin[window], segment)
        pixels = int(np.count_nonzero(run))
        if pixels == 0 or np.count_nonzero(run & claimed[window]) >= 0.5 * pixels:
            continue
        claimed[window] |= run
        x, y, w, h = cv2.boundingRect(run)
        runs.append(((left + x, top + y), run[y : y + h, x : x + w].view(bool)))
    return runs


def _core_of_band(band: np.ndarray, segment: tuple[int, int, int, int]) -> np.ndarray:
    """The pixels of ``band`` (0/1) that lie in the segment's stroke: within a few robust
    deviations of their median distance across the segment, which drops the pieces of other
    runs that the band takes in where it crosses them."""
    rows, cols = np.nonzero(band)
    if rows.size == 0:
        return band
    x0, y0, x1, y1 = segment
    length = max(math.hypot(x1 - x0, y1 - y0), 1.0)
    across = ((cols - x0) * (y1 - y0) - (rows - y0) * (x1 - x0)) / length
    centre = median_of(across)
    reach = max(1.5, 2.5 * median_of(np.abs(across - centre)))
    keep = np.abs(across - centre) <= reach
    core = np.zeros_like(band)
    core[rows[keep], cols[keep]] = 1
    return core


def _stroke(
    lab: np.ndarray,
    mask: np.ndarray,
    component: np.ndarray,
    origin: tuple[int, int],
    scale: float,
    tone: StrokeTone,
) -> tuple[Candidate, str] | None:
    """A run measured as a line candidate (box relative to ``lab``) and its colour's name, or
    None when it is short, broad, bent, soft-edged, or not a mark on one surface."""
    x, y = origin
    points = np.column_stack(np.nonzero(component))[:, ::-1].astype(np.float32)
    points += np.array((x, y), np.float32)
    shape = _straight_line(points, scale)
    if shape is None:
        return None
    length, stroke_width, normal = shape
    mark = _mark_on_surface(lab, points, normal, stroke_width, tone)
    if mark is None or (tone == "colour" and _colour_recurs(lab, mask, component, origin, mark)):
        return None
    h, w = component.shape
    strength = mark.contrast / (STROKE_COLOUR_CONTRAST if tone == "colour" else STROKE_CONTRAST)
    candidate = Candidate(
        kind="bright_line" if mark.core[0] > mark.surface[0] else "dark_line",
        x=x,
        y=y,
        width=w,
        height=h,
        area=len(points),
        length=length,
        elongation=length / max(stroke_width, 1.0),
        strength=strength,
        branching=0.0,
        mean_lab_shift=(0.0, 0.0, 0.0),
        contrast=strength,
        edge_sharpness=0.0,
        component=component,
        features={
            "length": math.log(length / scale),
            "sides": mark.one_surface,
            "colour_step": math.log(mark.step + 1.0),
        },
    )
    return candidate, tone if tone != "colour" else name_color(mark.core)[0]


def _colour_recurs(
    lab: np.ndarray, mask: np.ndarray, component: np.ndarray, origin: tuple[int, int], mark: _Mark
) -> bool:
    """Whether a coloured stroke's colour (within STROKE_KIN_DELTA_E on each CIELAB axis) covers
    more of the object (``mask``) away from the stroke than the stroke itself: the product's own
    cords, laces, stripes or print in that colour, of which the stroke is one more."""
    x, y = origin
    h, w = component.shape
    core = mark.core.astype(np.float32)
    kin = cv2.inRange(lab, core - STROKE_KIN_DELTA_E, core + STROKE_KIN_DELTA_E)
    kin[~mask] = 0
    reach = STROKE_MAX_WIDTH
    top, left = max(0, y - reach), max(0, x - reach)
    kin[top : y + h + reach, left : x + w + reach] = 0
    return bool(np.count_nonzero(kin) > STROKE_KIN_SHARE * np.count_nonzero(component))


def _straight_line(points: np.ndarray, scale: float) -> tuple[float, float, np.ndarray] | None:
    """Length, width and unit normal of a run's pixels (x, y) when they form a long, thin,
    straight band of even width; None otherwise."""
    _, (side_a, side_b), _ = cv2.minAreaRect(points)
    length = float(max(side_a, side_b, 1.0))
    stroke_width = len(points) / length
    if (
        math.log(length / scale) < STROKE_MIN_LENGTH
        or length < STROKE_MIN_ELONGATION * stroke_width
        or stroke_width > STROKE_MAX_WIDTH - 1
    ):
        return None
    centred, vectors = principal_axes(points)
    normal = vectors[:, 0]
    across = centred @ normal
    if math.sqrt(float(np.mean(across * across))) > STROKE_STRAIGHTNESS * max(stroke_width, 1.0):
        return None
    return length, stroke_width, normal


@dataclass(frozen=True)
class _Mark:
    """How a band of pixels stands out from the surface along it."""

    core: np.ndarray  # its median CIELAB colour
    surface: np.ndarray  # the mean of the medians of its two sides
    one_surface: float  # log of (sides' difference + 1) over (step + 1), as ``sides``
    step: float  # delta E of the core from the surface
    contrast: float  # |L* step| for black and white, the delta E step for a colour


def _mark_on_surface(
    lab: np.ndarray, points: np.ndarray, normal: np.ndarray, stroke_width: float, tone: StrokeTone
) -> _Mark | None:
    """How a band of pixels (x, y) stands out from the surface along it; None when it is not a
    sharp-edged mark on one surface (STROKE_SIDES), STROKE_CONTRAST (L*) darker or lighter than
    it, or STROKE_COLOUR_CONTRAST (delta E) from it for a coloured stroke."""
    sides = _beside(lab, points, normal, stroke_width / 2 + SIDE_OFFSET)
    if sides is None:
        return None
    pixels = np.rint(points).astype(np.int32)
    core = channel_medians(lab[pixels[:, 1], pixels[:, 0]])
    surface = sides.mean(axis=0)
    between = float(np.linalg.norm(sides[0] - sides[1]))
    step = float(np.linalg.norm(core - surface))
    one_surface = math.log((between + 1.0) / (step + 1.0))
    lightness_step = float(core[0] - surface[0])
    contrast, least = (
        (step, STROKE_COLOUR_CONTRAST)
        if tone == "colour"
        else (abs(lightness_step), STROKE_CONTRAST)
    )
    if one_surface >= STROKE_SIDES or contrast < least:
        return None
    # The edge is read only for the few runs that pass the cheaper tests.
    edges = _beside(lab, points, normal, stroke_width / 2 + 1.0)
    if edges is None:
        return None
    if tone == "colour":
        fade = float(np.linalg.norm(edges.mean(axis=0) - surface)) / step
    else:
        fade = (float(edges[:, 0].mean()) - surface[0]) / lightness_step
    if fade > STROKE_FADE:
        return None
    return _Mark(core, surface, one_surface, step, contrast)


def _beside(
    lab: np.ndarray, points: np.ndarray, normal: np.ndarray, offset: float
) -> np.ndarray | None:
    """Median colour of the pixels ``offset`` away from ``points`` (x, y) along ``normal`` on
    each side (2, 3); None when most of them fall outside the image."""
    height, width = lab.shape[:2]
    medians = []
    for sign in (1.0, -1.0):
        spots = np.rint(points + sign * offset * normal).astype(np.int32)
        inside = (
            (spots[:, 0] >= 0) & (spots[:, 0] < width) & (spots[:, 1] >= 0) & (spots[:, 1] < height)
        )
        if inside.sum() < 0.5 * len(points):
            return None
        medians.append(channel_medians(lab[spots[inside, 1], spots[inside, 0]]))
    return np.stack(medians)
