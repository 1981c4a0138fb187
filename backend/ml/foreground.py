"""Foreground (product) mask: background colour estimated from the image border.

Product photos usually sit on a plain backdrop. The border's median CIELAB colour is the
background; pixels far from it are the object. When the border is not uniform (a cluttered
scene) the border is summarised by a few k-means colours and the object is what differs from
all of them, weighted towards the centre; the mask's lower confidence says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from backend.ml.preprocessing import Box, components

#: The mask is computed on a copy with this long side, then scaled up.
MASK_LONG_SIDE = 128
BORDER_FRACTION = 0.04
UNIFORM_DELTA_E = 12.0
MIN_OBJECT_FRACTION = 0.005
_CHANNEL_SUM = np.ones((1, 3), np.float32)


@dataclass(frozen=True)
class Foreground:
    """Object mask over the working image, with how it was found and how far to trust it."""

    mask: np.ndarray  # bool, same height/width as the working image
    method: str  # "border-color", "border-contrast" or "full-frame"
    confidence: float
    box: Box | None  # bounding box of the mask in working pixels; None for full-frame
    border_uniformity: float  # share of border pixels close to the background colour
    background_lab: tuple[float, float, float]
    background_whiteness: float  # share of border pixels that are near-white

    @property
    def fill_ratio(self) -> float:
        return float(self.mask.mean())


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (L in 0..100, a/b signed) as float32, from 8-bit sRGB."""
    return lab_u8_to_float(cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab))


#: OpenCV's 8-bit Lab encoding (L*255/100, a+128, b+128): CIELAB = code * scale + offset.
LAB_U8_SCALE = (100.0 / 255.0, 1.0, 1.0)
LAB_U8_OFFSET = (0.0, -128.0, -128.0)


def lab_u8_to_float(lab_u8: np.ndarray) -> np.ndarray:
    """OpenCV's 8-bit Lab encoding to float CIELAB."""
    # One OpenCV pass: numpy's per-channel arithmetic costs four times as much here.
    scaled = cv2.multiply(  # type: ignore[call-overload]
        lab_u8, (*LAB_U8_SCALE, 0.0), dtype=cv2.CV_32F
    )
    lab: np.ndarray = cv2.add(  # type: ignore[call-overload]
        scaled, (*LAB_U8_OFFSET, 0.0), dtype=cv2.CV_32F
    )
    return lab


def distance_to(lab: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Delta E (CIE76) of every pixel of a float CIELAB image from one colour."""
    # OpenCV element-wise passes: numpy's norm over the channel axis is ~10x slower.
    difference = cv2.subtract(  # type: ignore[call-overload]
        np.ascontiguousarray(lab, dtype=np.float32),
        (float(colour[0]), float(colour[1]), float(colour[2]), 0.0),
    )
    squared = cv2.transform(cv2.multiply(difference, difference), _CHANNEL_SUM)
    distance: np.ndarray = cv2.sqrt(squared)
    return distance


def _border(values: np.ndarray, width: int) -> np.ndarray:
    return np.concatenate(
        [
            values[:width].reshape(-1, values.shape[-1]),
            values[-width:].reshape(-1, values.shape[-1]),
            values[width:-width, :width].reshape(-1, values.shape[-1]),
            values[width:-width, -width:].reshape(-1, values.shape[-1]),
        ]
    )


def estimate_foreground(working_rgb: np.ndarray) -> Foreground:
    height, width = working_rgb.shape[:2]
    factor = min(1.0, MASK_LONG_SIDE / max(height, width))
    small = (
        cv2.resize(
            working_rgb,
            (max(8, round(width * factor)), max(8, round(height * factor))),
            interpolation=cv2.INTER_AREA,
        )
        if factor < 1.0
        else working_rgb
    )
    lab = rgb_to_lab(small)
    border_width = max(2, round(min(small.shape[:2]) * BORDER_FRACTION))
    border = _border(lab, border_width)
    background = np.median(border, axis=0)
    border_distance = np.linalg.norm(border - background, axis=1)
    uniformity = float(np.mean(border_distance < UNIFORM_DELTA_E))
    whiteness = float(
        np.mean((border[:, 0] > 90.0) & (np.hypot(border[:, 1], border[:, 2]) < 10.0))
    )
    if uniformity >= 0.6:
        spread = float(np.percentile(border_distance, 90))
        # A clean studio backdrop has almost no spread, and a white product on it differs by
        # only a few delta E; noisy or textured backdrops need a wider margin.
        threshold = float(np.clip(2.0 * spread + 2.0, 4.0, 30.0))
        distance = distance_to(lab, background)
        raw = distance > threshold
        # Silhouette edges close the outline of products that are nearly the backdrop's colour
        # (a white bulb on white), so filling the holes recovers their body.
        lightness = np.clip(np.rint(lab[..., 0] * 2.55), 0, 255).astype(np.uint8)
        edges = cv2.Canny(lightness, 12, 36) > 0
        solid = _solid(raw, edges)
        mask_small = _reopen_backdrop_holes(_fill_holes(solid), solid, distance, threshold)
        method, confidence = "border-color", 0.5 + 0.45 * (uniformity - 0.6) / 0.4
    else:
        mask_small = _contrast_to_border(lab, border)
        method, confidence = "border-contrast", 0.4
    fraction = float(mask_small.mean())
    if fraction < MIN_OBJECT_FRACTION or fraction > 0.97:
        full = np.ones((height, width), dtype=bool)
        return Foreground(full, "full-frame", 0.2, None, uniformity, _tuple(background), whiteness)
    mask = cv2.resize(
        mask_small.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST
    ).astype(bool)
    x, y, w, h = cv2.boundingRect(mask.view(np.uint8))
    box = Box(float(x), float(y), float(w), float(h))
    return Foreground(
        mask, method, float(confidence), box, uniformity, _tuple(background), whiteness
    )


def _tuple(values: np.ndarray) -> tuple[float, float, float]:
    return float(values[0]), float(values[1]), float(values[2])


def _clean(raw: np.ndarray, edges: np.ndarray | None = None) -> np.ndarray:
    """Open (specks), add the edges, close, keep the significant components, fill holes."""
    return _fill_holes(_solid(raw, edges))


def _solid(raw: np.ndarray, edges: np.ndarray | None = None) -> np.ndarray:
    """``_clean`` before the holes are filled."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    mask: np.ndarray = cv2.morphologyEx(raw.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    if edges is not None:
        mask = mask | np.asarray(cv2.dilate(edges.astype(np.uint8), kernel))
    mask = cv2.morphologyEx(
        mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    )
    count, labels, stats = components(mask)
    if count <= 1:
        return mask.astype(bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= max(areas.max() * 0.05, mask.size * 0.002)) + 1
    return np.isin(labels, keep)


def _reopen_backdrop_holes(
    filled: np.ndarray, solid: np.ndarray, distance: np.ndarray, threshold: float
) -> np.ndarray:
    """Undo hole filling where the hole is plain backdrop: the space between a bag's handles
    is flat and exactly the backdrop's colour, a white bulb's body is shaded."""
    holes = (filled & ~solid).astype(np.uint8)
    count, labels, stats = components(holes, connectivity=4)
    if count <= 1:
        return filled
    minimum = max(16, round(filled.size * 0.003))
    height, width = filled.shape
    margin = max(2, round(min(height, width) * BORDER_FRACTION))
    reopened = filled.copy()
    for index in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[index])
        near_frame = x < margin or y < margin or x + w > width - margin or y + h > height - margin
        # Near the frame a "hole" is usually the shadow between product and frame edge.
        if area < minimum or near_frame:
            continue
        region = labels == index
        if float(np.mean(distance[region] < 0.5 * threshold)) > 0.9:
            reopened &= ~cv2.dilate(region.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return reopened


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask, 1).astype(np.uint8)
    flood = padded.copy()
    cv2.floodFill(flood, np.zeros((flood.shape[0] + 2, flood.shape[1] + 2), np.uint8), (0, 0), 1)
    holes = (flood == 0)[1:-1, 1:-1]
    filled: np.ndarray = mask.astype(bool) | holes
    return filled


def _contrast_to_border(lab: np.ndarray, border: np.ndarray) -> np.ndarray:
    """Pixels unlike every dominant border colour, favouring the centre of the frame."""
    samples = np.ascontiguousarray(border[:: max(1, border.shape[0] // 800)], dtype=np.float32)
    cv2.setRNGSeed(0)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 8, 1.0)
    _, _, centres = cv2.kmeans(  # type: ignore[call-overload]
        samples, 5, None, criteria, 1, cv2.KMEANS_PP_CENTERS
    )
    distance = distance_to(lab, centres[0])
    for centre in centres[1:]:
        distance = np.minimum(distance, distance_to(lab, centre))
    height, width = distance.shape
    ys, xs = np.mgrid[0:height, 0:width]
    centre_weight = 1.0 - 0.6 * (((xs / width - 0.5) * 2) ** 2 + ((ys / height - 0.5) * 2) ** 2)
    score = distance * np.clip(centre_weight, 0.2, 1.0)
    threshold = max(18.0, float(np.percentile(score, 70)))
    return _clean(score > threshold)
