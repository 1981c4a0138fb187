"""Attribute extraction: colours of the object, material, and photo-quality attributes."""

from __future__ import annotations

import numpy as np

from backend.ml.colors import NamedColor, dominant_colors, skin_coloured
from backend.ml.foreground import Foreground
from backend.ml.material import estimate_material, surface_statistics
from backend.ml.preprocessing import masked_pixels
from backend.ml.quality import quality_attributes
from backend.ml.results import AttributeResult, ClassificationResult, QualityReport

COLOR_METHOD = "lab-kmeans"
SECONDARY_MIN_SHARE = 0.15
#: Garments are mostly photographed on a model, whose skin would otherwise be the garment's
#: "colour" (a sports bra's photo is half skin). For apparel, pixels of skin's colours
#: (``colors.SKIN_HUE``) are left out of the colours when they are at most SKIN_MAX_SHARE of the
#: object; more than that, and the garment itself is probably skin-coloured.
SKIN_MAX_SHARE = 0.6


def color_attributes(
    lab: np.ndarray, foreground: Foreground, category: str | None = None
) -> list[AttributeResult]:
    pixels = masked_pixels(lab, foreground.mask)
    method = f"{COLOR_METHOD}+{foreground.method}-mask"
    if category == "apparel" and pixels.shape[0] > 0:
        skin = skin_coloured(pixels)
        if 0 < np.count_nonzero(skin) <= SKIN_MAX_SHARE * pixels.shape[0]:
            pixels = masked_pixels(pixels, ~skin)
            method += "-skin"
    colors = dominant_colors(pixels)
    if not colors:
        return []
    palette = [
        {"name": c.name, "shade": c.shade, "hex": c.hex, "share": round(c.share, 4)} for c in colors
    ]
    attributes = [_color_attribute("color", colors[0], foreground, method, palette)]
    if len(colors) > 1 and colors[1].share >= SECONDARY_MIN_SHARE:
        attributes.append(_color_attribute("secondary_color", colors[1], foreground, method, []))
    return attributes


def _color_attribute(
    name: str,
    color: NamedColor,
    foreground: Foreground,
    method: str,
    palette: list[dict[str, object]],
) -> AttributeResult:
    naming = 1.0 if color.delta_e < 20 else max(0.5, 1.0 - (color.delta_e - 20.0) / 60.0)
    confidence = (0.55 + 0.45 * foreground.confidence) * min(1.0, 0.45 + color.share) * naming
    metadata: dict[str, object] = {
        "hex": color.hex,
        "share": color.share,
        "named_color": color.shade,
        "lab": list(color.lab),
        "delta_e": color.delta_e,
    }
    if palette:
        metadata["palette"] = palette
    return AttributeResult(name, color.name, float(min(0.98, confidence)), method, metadata)


def extract_attributes(
    *,
    rgb: np.ndarray,
    gray: np.ndarray,
    lab: np.ndarray,
    foreground: Foreground,
    quality: QualityReport,
    classification: ClassificationResult,
) -> list[AttributeResult]:
    attributes = color_attributes(lab, foreground, classification.category)
    attributes.append(
        estimate_material(classification, surface_statistics(rgb, gray, foreground.mask))
    )
    attributes.extend(quality_attributes(quality, foreground))
    return attributes
