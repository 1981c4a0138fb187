"""Dominant colours: k-means in CIELAB over the object's pixels, named from a fixed palette."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from backend.ml.preprocessing import masked_pixels

#: Chromatic palette: (shade name, base colour name, sRGB hex). Achromatic colours (black,
#: grey, white) are decided by chroma and lightness rules instead, which matches how people
#: name them better than a nearest-prototype search.
PALETTE: tuple[tuple[str, str, str], ...] = (
    ("red", "red", "#d32f2f"),
    ("dark red", "red", "#8b1a1a"),
    ("crimson", "red", "#b0122b"),
    ("pink", "pink", "#f48fb1"),
    ("hot pink", "pink", "#e91e63"),
    ("orange", "orange", "#f57c00"),
    ("peach", "orange", "#ffbf8a"),
    ("yellow", "yellow", "#fdd835"),
    ("pale yellow", "yellow", "#fff59d"),
    ("gold", "gold", "#c9a227"),
    ("beige", "beige", "#e6d5b8"),
    ("tan", "beige", "#c8a97e"),
    ("brown", "brown", "#795548"),
    ("dark brown", "brown", "#4a2c20"),
    ("chocolate", "brown", "#7b3f00"),
    ("olive", "green", "#6b6b1e"),
    ("green", "green", "#43a047"),
    ("dark green", "green", "#1b5e20"),
    ("light green", "green", "#aed581"),
    ("sea green", "green", "#2e8b57"),
    ("mint", "green", "#98e0b8"),
    ("teal", "teal", "#00897b"),
    ("turquoise", "turquoise", "#40c4d0"),
    ("light blue", "blue", "#90caf9"),
    ("sky blue", "blue", "#29b6f6"),
    ("blue", "blue", "#1e88e5"),
    ("royal blue", "blue", "#2962ff"),
    ("navy", "blue", "#1a237e"),
    ("purple", "purple", "#8e24aa"),
    ("violet", "purple", "#663399"),
    ("lavender", "purple", "#b39ddb"),
    ("plum", "purple", "#5e2750"),
)
#: Colours of human skin, light to dark (CIELAB hue in degrees, chroma, L*), and not tan, beige
#: or orange cloth: a garment's colours leave them out, and a photo whose object is partly skin
#: shows a person (``feature_extractor``, ``inference.classify``).
SKIN_HUE = (35.0, 65.0)
SKIN_CHROMA = (12.0, 40.0)
SKIN_LIGHTNESS = (20.0, 85.0)
ACHROMATIC_CHROMA = 9.0
#: A very dark colour (L* below 18) is black up to a chroma of 16, except in these CIELAB hues
#: (degrees) from chroma ACHROMATIC_CHROMA on: a navy garment in a studio photo is L* 10-18 with
#: chroma 10-14 at hue -48 to -68, while the black ones of the same photo set stay below chroma 6.
NAVY_HUE = (-90.0, -45.0)
MAX_SAMPLES = 1200
CLUSTERS = 4
MERGE_DELTA_E = 12.0


@dataclass(frozen=True)
class NamedColor:
    name: str  # base colour name ("red")
    shade: str  # palette shade ("dark red")
    hex: str
    lab: tuple[float, float, float]
    share: float  # share of the object's pixels
    delta_e: float  # distance to the named prototype (0 for achromatic rules)


def _hex_to_lab(value: str) -> np.ndarray:
    rgb = np.array([[[int(value[i : i + 2], 16) for i in (1, 3, 5)]]], dtype=np.float32) / 255.0
    lab: np.ndarray = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)[0, 0]
    return lab


_PALETTE_LAB = np.stack([_hex_to_lab(hex_value) for _, _, hex_value in PALETTE])


def lab_to_hex(lab: np.ndarray) -> str:
    pixel = np.asarray(lab, dtype=np.float32).reshape(1, 1, 3)
    rgb = np.clip(cv2.cvtColor(pixel, cv2.COLOR_Lab2RGB)[0, 0] * 255.0 + 0.5, 0, 255).astype(int)
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def skin_coloured(lab_pixels: np.ndarray) -> np.ndarray:
    """Which (N, 3) CIELAB pixels have a colour of human skin (see SKIN_HUE)."""
    lightness, a, b = lab_pixels[:, 0], lab_pixels[:, 1], lab_pixels[:, 2]
    hue = np.degrees(np.arctan2(b, a))
    chroma = np.hypot(a, b)
    skin: np.ndarray = (
        (hue >= SKIN_HUE[0])
        & (hue <= SKIN_HUE[1])
        & (chroma >= SKIN_CHROMA[0])
        & (chroma <= SKIN_CHROMA[1])
        & (lightness >= SKIN_LIGHTNESS[0])
        & (lightness <= SKIN_LIGHTNESS[1])
    )
    return skin


def skin_share(lab: np.ndarray, mask: np.ndarray) -> float:
    """The share of the object (``mask`` over the float CIELAB image) with skin's colours, from
    every second pixel each way."""
    pixels = masked_pixels(lab[::2, ::2], mask[::2, ::2])
    return float(np.count_nonzero(skin_coloured(pixels))) / pixels.shape[0] if len(pixels) else 0.0


def name_color(lab: np.ndarray) -> tuple[str, str, float]:
    """(base name, shade, delta E to the prototype) for one CIELAB colour."""
    lightness, a, b = (float(v) for v in lab)
    chroma = float(np.hypot(a, b))
    if lightness < 18 and ACHROMATIC_CHROMA <= chroma < 16:
        hue = float(np.degrees(np.arctan2(b, a)))
        if NAVY_HUE[0] <= hue <= NAVY_HUE[1]:
            return "blue", "navy", 0.0
    if chroma < ACHROMATIC_CHROMA or (lightness < 18 and chroma < 16):
        if lightness < 22:
            return "black", "black", 0.0
        if lightness > 88:
            return "white", "white", 0.0
        shade = "dark grey" if lightness < 45 else "light grey" if lightness > 72 else "grey"
        return "grey", shade, 0.0
    distances = np.linalg.norm(_PALETTE_LAB - np.asarray(lab, dtype=np.float32), axis=1)
    index = int(np.argmin(distances))
    shade, base, _ = PALETTE[index]
    if base == "beige" and lightness > 90:
        return "white", "off-white", float(distances[index])
    return base, shade, float(distances[index])


def dominant_colors(lab_pixels: np.ndarray, *, seed: int = 0) -> list[NamedColor]:
    """Colours covering the given (N, 3) CIELAB pixels, largest share first."""
    if lab_pixels.shape[0] == 0:
        return []
    if lab_pixels.shape[0] > MAX_SAMPLES:
        picks = np.random.default_rng(seed).choice(lab_pixels.shape[0], MAX_SAMPLES, replace=False)
        lab_pixels = lab_pixels[picks]
    samples = np.ascontiguousarray(lab_pixels, dtype=np.float32)
    clusters = min(CLUSTERS, samples.shape[0])
    cv2.setRNGSeed(seed)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 12, 0.5)
    _, labels, centres = cv2.kmeans(  # type: ignore[call-overload]
        samples, clusters, None, criteria, 1, cv2.KMEANS_PP_CENTERS
    )
    counts = np.bincount(labels.ravel(), minlength=clusters).astype(np.float64)
    groups = _merge(centres, counts)
    total = counts.sum()
    colors = []
    for centre, count in groups:
        base, shade, delta = name_color(centre)
        colors.append(
            NamedColor(
                name=base,
                shade=shade,
                hex=lab_to_hex(centre),
                lab=(float(centre[0]), float(centre[1]), float(centre[2])),
                share=float(count / total),
                delta_e=delta,
            )
        )
    colors.sort(key=lambda color: color.share, reverse=True)
    return _combine_same_name(colors)


def _merge(centres: np.ndarray, counts: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Merge clusters closer than MERGE_DELTA_E (weighted centre)."""
    groups: list[tuple[np.ndarray, float]] = []
    for index in np.argsort(counts)[::-1]:
        centre, count = centres[index], float(counts[index])
        if count == 0:
            continue
        for position, (other, other_count) in enumerate(groups):
            if float(np.linalg.norm(other - centre)) < MERGE_DELTA_E:
                merged = (other * other_count + centre * count) / (other_count + count)
                groups[position] = (merged, other_count + count)
                break
        else:
            groups.append((centre.astype(np.float64), count))
    return groups


def _combine_same_name(colors: list[NamedColor]) -> list[NamedColor]:
    """One entry per base name: the largest cluster's appearance, the summed share."""
    combined: dict[str, NamedColor] = {}
    for color in colors:
        existing = combined.get(color.name)
        if existing is None:
            combined[color.name] = color
        else:
            combined[color.name] = NamedColor(
                existing.name,
                existing.shade,
                existing.hex,
                existing.lab,
                existing.share + color.share,
                existing.delta_e,
            )
    return sorted(combined.values(), key=lambda color: color.share, reverse=True)
