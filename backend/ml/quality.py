"""Photo quality: sharpness, exposure, resolution, background whiteness and fill ratio."""

from __future__ import annotations

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
METHOD = "image-statistics"


def assess_quality(
    gray: np.ndarray, lab_lightness: np.ndarray, foreground: Foreground, width: int, height: int
) -> QualityReport:
    """``gray``: uint8 working image; ``lab_lightness``: L* (0..100) of the same pixels."""
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
    dark = float(np.mean(object_lightness < 6.0)) if object_lightness.size else 0.0
    bright = float(np.mean(object_lightness > 98.0)) if object_lightness.size else 0.0
    exposure = float(
        np.clip(1.0 - max(0.0, abs(brightness - 55.0) - 20.0) / 35.0 - 1.5 * (dark + bright), 0, 1)
    )
    megapixels = width * height / 1e6
    issues = []
    if blurry:
        issues.append("blurry")
    if brightness < 30.0 or dark > 0.3:
        issues.append("underexposed")
    if bright > 0.3 or brightness > 88.0:
        issues.append("overexposed")
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
        + 0.25 * exposure
        + 0.15 * resolution_score
        + 0.15 * foreground.background_whiteness
        + 0.10 * fill_score
    )
    return QualityReport(
        width=width,
        height=height,
        megapixels=megapixels,
        sharpness=sharpness,
        exposure=exposure,
        brightness=brightness,
        background_whiteness=foreground.background_whiteness,
        fill_ratio=foreground.fill_ratio,
        score=score,
        issues=issues,
    )


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
    if report.background_whiteness >= 0.8:
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
