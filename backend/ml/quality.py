"""Photo quality: sharpness, exposure, resolution, background whiteness and fill ratio."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from backend.ml.foreground import Foreground
from backend.ml.results import AttributeResult, QualityReport

#: Edge steepness (see ``assess_quality``) of a blurred (Gaussian sigma ~1 px) and a crisp photo,
#: and the Laplacian variance below which a textured photo counts as blurred.
BLURRY_EDGE_RATIO = 0.08
SHARP_EDGE_RATIO = 0.2
BLURRY_LAPLACIAN_VARIANCE = 40.0
LOW_RESOLUTION_MEGAPIXELS = 0.25
HIGH_RESOLUTION_MEGAPIXELS = 1.0
#: Exposure score below which a photo is under- or overexposed.
BADLY_EXPOSED = 0.5
#: The product is too dark when even its brightest pixels (95th percentile of L*) stay below
#: this (fully so DARK_SPAN lower).
DARK_HIGHLIGHTS = 45.0
DARK_SPAN = 25.0
#: A pixel with a channel at or above CLIPPED_LEVEL has lost its detail. A photo is washed out
#: from WASHED_OUT_FROM of such pixels and fully at WASHED_OUT_AT: of the product's pixels on a
#: white backdrop (which is meant to be clipped), of the whole frame otherwise.
CLIPPED_LEVEL = 250
WASHED_OUT_FROM = 0.2
WASHED_OUT_AT = 0.5
#: Share of near-white border from which the backdrop counts as white.
WHITE_BACKDROP = 0.8
METHOD = "image-statistics"


def assess_quality(
    rgb: np.ndarray,
    gray: np.ndarray,
    lab_lightness: np.ndarray,
    foreground: Foreground,
    width: int,
    height: int,
) -> QualityReport:
    """``rgb``, ``gray``: uint8 working image; ``lab_lightness``: L* (0..100) of its pixels."""
    region = _object_region(gray, foreground).astype(np.float32)
    laplacian = cv2.Laplacian(region, cv2.CV_32F)
    laplacian_variance = float(laplacian.var())
    gradient = cv2.magnitude(
        cv2.Sobel(region, cv2.CV_32F, 1, 0), cv2.Sobel(region, cv2.CV_32F, 0, 1)
    )
    # Strongest second derivative over strongest first derivative: how steep the sharpest edges
    # are, independent of contrast (a plain white product has little texture but crisp edges).
    edge_ratio = float(np.percentile(np.abs(laplacian)[::2, ::2], 99.5)) / (
        float(np.percentile(gradient[::2, ::2], 99.5)) + 1e-3
    )
    sharpness = float(
        np.clip((edge_ratio - BLURRY_EDGE_RATIO) / (SHARP_EDGE_RATIO - BLURRY_EDGE_RATIO), 0, 1)
    )
    blurry = edge_ratio < BLURRY_EDGE_RATIO + 0.04 or (
        laplacian_variance < BLURRY_LAPLACIAN_VARIANCE and edge_ratio < SHARP_EDGE_RATIO - 0.02
    )
    object_lightness = lab_lightness[foreground.mask]
    brightness = float(object_lightness.mean()) if object_lightness.size else 50.0
    exposure = exposure_score(rgb, lab_lightness, foreground)
    megapixels = width * height / 1e6
    issues = []
    if blurry:
        issues.append("blurry")
    if exposure.score < BADLY_EXPOSED:
        issues.append("underexposed" if exposure.too_dark else "overexposed")
    if megapixels < LOW_RESOLUTION_MEGAPIXELS:
        issues.append("low_resolution")
    if foreground.method != "full-frame" and foreground.fill_ratio < 0.12:
        issues.append("object_too_small")
    if foreground.background_whiteness < 0.5:
        issues.append("background_not_white")
    resolution_score = min(1.0, megapixels / HIGH_RESOLUTION_MEGAPIXELS)
    fill_score = 1.0 - min(1.0, abs(foreground.fill_ratio - 0.55) / 0.55)
    score = float(
        0.35 * sharpness
        + 0.25 * exposure.score
        + 0.15 * resolution_score
        + 0.15 * foreground.background_whiteness
        + 0.10 * fill_score
    )
    return QualityReport(
        width=width,
        height=height,
        megapixels=megapixels,
        sharpness=sharpness,
        exposure=exposure.score,
        brightness=brightness,
        highlights=exposure.highlights,
        shadows=exposure.shadows,
        background_whiteness=foreground.background_whiteness,
        fill_ratio=foreground.fill_ratio,
        score=score,
        issues=issues,
    )


@dataclass(frozen=True)
class Exposure:
    score: float  # 1 well exposed .. 0 far too dark or washed out
    too_dark: bool  # what lowers the score: too dark (else washed out)
    highlights: float  # 95th percentile of the product's L*
    shadows: float  # 5th percentile of the product's L*


def exposure_score(rgb: np.ndarray, lightness: np.ndarray, foreground: Foreground) -> Exposure:
    """How well the product is exposed, from its brightest pixels and from clipping.

    A dark product still has some bright pixels when the photo is well exposed, and a white
    product on white is bright without losing its shading: judging the brightest pixels and the
    share of clipped ones, rather than the mean, keeps both from being called badly exposed.
    """
    values = lightness[foreground.mask] if foreground.mask.any() else lightness.ravel()
    shadows, highlights = (float(v) for v in np.percentile(values, [5, 95]))
    # inRange marks the pixels with every channel below the level: the unclipped ones.
    clipped: np.ndarray = cv2.inRange(rgb, (0, 0, 0), (CLIPPED_LEVEL - 1,) * 3) == 0
    on_white = foreground.background_whiteness >= WHITE_BACKDROP and foreground.mask.any()
    clipped_share = float(clipped[foreground.mask].mean() if on_white else clipped.mean())
    too_dark = float(np.clip((DARK_HIGHLIGHTS - highlights) / DARK_SPAN, 0.0, 1.0))
    washed_out = float(
        np.clip((clipped_share - WASHED_OUT_FROM) / (WASHED_OUT_AT - WASHED_OUT_FROM), 0.0, 1.0)
    )
    return Exposure(1.0 - max(too_dark, washed_out), too_dark >= washed_out, highlights, shadows)


def _object_region(gray: np.ndarray, foreground: Foreground) -> np.ndarray:
    box = foreground.box
    if box is None:
        return gray
    x0, y0 = int(box.x), int(box.y)
    region = gray[y0 : int(box.y2), x0 : int(box.x2)]
    return region if min(region.shape) >= 8 else gray


def quality_attributes(report: QualityReport, foreground: Foreground) -> list[AttributeResult]:
    sharp_label = (
        "sharp" if report.sharpness >= 0.63 else "blurry" if "blurry" in report.issues else "soft"
    )
    exposure_label = (
        "underexposed"
        if "underexposed" in report.issues
        else "overexposed"
        if "overexposed" in report.issues
        else "well_exposed"
    )
    resolution_label = (
        "low"
        if report.megapixels < LOW_RESOLUTION_MEGAPIXELS
        else "high"
        if report.megapixels >= HIGH_RESOLUTION_MEGAPIXELS
        else "medium"
    )
    if report.background_whiteness >= WHITE_BACKDROP:
        background_label = "white"
    elif foreground.border_uniformity >= 0.6:
        background_label = "plain"
    else:
        background_label = "cluttered"
    fill = report.fill_ratio
    fill_label = "small" if fill < 0.12 else "tight" if fill > 0.9 else "good"
    fill_confidence = foreground.confidence
    return [
        AttributeResult(
            "sharpness",
            sharp_label,
            _margin_confidence(report.sharpness, 0.63),
            METHOD,
            {"score": report.sharpness},
        ),
        AttributeResult(
            "exposure",
            exposure_label,
            _margin_confidence(report.exposure, 0.5),
            METHOD,
            {"score": report.exposure, "brightness": report.brightness},
        ),
        AttributeResult(
            "resolution",
            resolution_label,
            1.0,
            METHOD,
            {"width": report.width, "height": report.height, "megapixels": report.megapixels},
        ),
        AttributeResult(
            "background",
            background_label,
            _margin_confidence(foreground.border_uniformity, 0.6),
            "border-statistics",
            {
                "whiteness": report.background_whiteness,
                "uniformity": foreground.border_uniformity,
            },
        ),
        AttributeResult(
            "fill_ratio",
            fill_label,
            fill_confidence,
            f"foreground-mask:{foreground.method}",
            {"ratio": fill},
        ),
    ]


def _margin_confidence(score: float, boundary: float) -> float:
    """0.5 at the decision boundary, rising towards 1 with the distance from it."""
    span = boundary if score < boundary else 1.0 - boundary
    distance = abs(score - boundary) / span if span > 0 else 1.0
    return float(min(1.0, 0.5 + 0.5 * distance))
