"""Realistic scratches, cracks and stains drawn onto real photos.

Used twice: ``tests/data/photos/draw_defects.py`` draws a fixed list of them (the labelled eval
photos), and ``defect_training`` draws random ones onto the tuning photos to fit the defect
scorer. Damage is drawn at 4x resolution and downsampled (anti-aliased edges), with varying
width and opacity, so it looks like surface damage rather than drawn lines. Stains darken and
tint what is underneath (multiply-like) instead of painting over it.

``random_mark`` draws the other kind of damage: a paint scuff or an ink or marker line or blot,
opaque, crisp-edged and of any colour, as blatant as what a person draws over a photo to try a
detector. ``defect_training`` draws them on a share of its copies (``MARK_SHARE``);
``imagineai eval --marks`` measures them on held-out photos.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

SUPERSAMPLE = 4
#: Stroke widths in pixels: a scratch is a hairline, a pen or paint mark is wider.
SCRATCH_WIDTHS = (1.2, 2.6)
MARK_WIDTHS = (2.0, 5.0)
DamageKind = Literal["scratch", "crack", "stain"]


@dataclass(frozen=True)
class Damage:
    kind: DamageKind
    centre: tuple[float, float]  # relative to the image size (x, y)
    size: float  # relative to the short side
    angle: float  # degrees (lines) or stretch direction (stains)
    tone: tuple[int, int, int]  # RGB the damage pulls towards
    opacity: float
    seed: int
    mark: bool = False  # opaque and crisp (paint, ink, marker) rather than worn in


@dataclass(frozen=True)
class DrawnDamage:
    pixels: np.ndarray  # uint8 RGB, the damaged photo
    alpha: np.ndarray  # float32 in [0, 1]: how strongly each pixel was changed
    box: tuple[int, int, int, int]  # x, y, width, height of alpha > 0.1


def _curve(rng: np.random.Generator, centre: np.ndarray, length: float, angle: float) -> np.ndarray:
    """A gently bent path (quadratic Bezier) through ``centre``."""
    direction = np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
    normal = np.array([-direction[1], direction[0]])
    start, end = centre - direction * length / 2, centre + direction * length / 2
    control = centre + normal * rng.uniform(-0.12, 0.12) * length
    t = np.linspace(0, 1, 200)[:, None]
    path: np.ndarray = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end
    return path


def _jagged(
    rng: np.random.Generator, centre: np.ndarray, length: float, angle: float
) -> list[np.ndarray]:
    """A crack: a random walk along a main direction plus one branch."""
    paths: list[np.ndarray] = []
    for branch in range(2):
        heading = np.radians(angle + (40 if branch else 0))
        if branch:
            point = paths[0][len(paths[0]) // 2].copy()
        else:
            point = centre - np.array([np.cos(heading), np.sin(heading)]) * length / 2
        steps = 30 if branch == 0 else 12
        points = [point.copy()]
        for _ in range(steps):
            step_heading = heading + rng.normal(0, 0.45)
            point = point + np.array([np.cos(step_heading), np.sin(step_heading)]) * length / 30
            points.append(point.copy())
        paths.append(np.array(points))
    return paths


def damage_alpha(shape: tuple[int, int], damage: Damage) -> np.ndarray:
    """How strongly each pixel of an image of ``shape`` (height, width) is damaged."""
    rng = np.random.default_rng(damage.seed)
    height, width = shape
    big: np.ndarray = np.zeros((height * SUPERSAMPLE, width * SUPERSAMPLE), np.float32)
    centre = np.array([damage.centre[0] * width, damage.centre[1] * height]) * SUPERSAMPLE
    length = damage.size * min(height, width) * SUPERSAMPLE
    if damage.kind == "scratch":
        path = _curve(rng, centre, length, damage.angle)
        widths = MARK_WIDTHS if damage.mark else SCRATCH_WIDTHS
        for index in range(len(path) - 1):
            if rng.random() < 0.04 and not damage.mark:  # small breaks, as a real scratch skips
                continue
            thickness = max(1, round(SUPERSAMPLE * rng.uniform(*widths)))
            a, b = path[index].round().astype(int), path[index + 1].round().astype(int)
            cv2.line(big, tuple(a), tuple(b), float(rng.uniform(0.7, 1.0)), thickness, cv2.LINE_AA)
    elif damage.kind == "crack":
        for path in _jagged(rng, centre, length, damage.angle):
            pts = path.round().astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(big, [pts], False, 1.0, max(1, round(SUPERSAMPLE * 1.6)), cv2.LINE_AA)
    else:
        for _ in range(7):
            offset = rng.normal(0, length * 0.18, 2)
            axes = (int(length * rng.uniform(0.18, 0.4)), int(length * rng.uniform(0.12, 0.3)))
            cv2.ellipse(
                big,
                tuple((centre + offset).astype(int)),
                axes,
                damage.angle + rng.uniform(-30, 30),
                0,
                360,
                1.0,
                -1,
            )
        if damage.mark:
            big = cv2.GaussianBlur(big, (0, 0), SUPERSAMPLE * 0.7)
        else:
            big = cv2.GaussianBlur(big, (0, 0), SUPERSAMPLE * 3.0)
            ring = np.clip(1.0 - np.abs(big - 0.5) * 4.0, 0, 1) * 0.5  # coffee-ring darker edge
            big = np.clip(big * 0.8 + ring, 0, 1)
    alpha: np.ndarray = cv2.resize(big, (width, height), interpolation=cv2.INTER_AREA)
    return np.clip(alpha * damage.opacity, 0, 1)


def draw(image: np.ndarray, damage: Damage) -> DrawnDamage:
    """``image``: uint8 RGB. Returns the damaged copy, the damage's alpha and its box."""
    pixels = image.astype(np.float32)
    alpha = damage_alpha(image.shape[:2], damage)
    weight = alpha[..., None]
    tone = np.array(damage.tone, np.float32)
    if damage.kind == "stain" and not damage.mark:
        blended = pixels * (1 - weight) + (pixels * tone / 255.0 * 0.6 + tone * 0.4) * weight
    else:
        blended = pixels * (1 - weight) + tone * weight
    ys, xs = np.nonzero(alpha > 0.1)
    if xs.size:
        box = (
            int(xs.min()),
            int(ys.min()),
            int(xs.max() - xs.min() + 1),
            int(ys.max() - ys.min() + 1),
        )
    else:
        box = (0, 0, 0, 0)
    return DrawnDamage(np.clip(blended + 0.5, 0, 255).astype(np.uint8), alpha, box)


def random_damage(rng: np.random.Generator, centre: tuple[float, float]) -> Damage:
    """A random scratch, crack or stain at ``centre`` (relative coordinates), with sizes,
    tones and opacities spread around those of everyday damage (and of the eval photos)."""
    kind: DamageKind = rng.choice(np.array(["scratch", "scratch", "stain", "stain", "crack"]))
    seed = int(rng.integers(1 << 30))
    angle = float(rng.uniform(-90, 90))
    if kind == "scratch":
        light = rng.random() < 0.6
        level = rng.uniform(200, 245) if light else rng.uniform(35, 95)
        tone = _tinted(rng, level, 12)
        return Damage(kind, centre, float(rng.uniform(0.1, 0.34)), angle, tone,
                      float(rng.uniform(0.55, 0.95)), seed)  # fmt: skip
    if kind == "crack":
        tone = _tinted(rng, rng.uniform(30, 90), 8)
        return Damage(kind, centre, float(rng.uniform(0.15, 0.32)), angle, tone,
                      float(rng.uniform(0.6, 0.95)), seed)  # fmt: skip
    family = rng.random()
    if family < 0.5:  # coffee, tea, rust: brown
        tone = (int(rng.uniform(90, 170)), int(rng.uniform(55, 115)), int(rng.uniform(20, 60)))
    elif family < 0.8:  # grime, ink, oil: dark and nearly neutral
        tone = _tinted(rng, rng.uniform(30, 80), 10)
    else:  # bleach, limescale, milk: light
        tone = _tinted(rng, rng.uniform(215, 245), 12)
    return Damage(kind, centre, float(rng.uniform(0.07, 0.2)), angle, tone,
                  float(rng.uniform(0.45, 0.8)), seed)  # fmt: skip


def random_mark(rng: np.random.Generator, centre: tuple[float, float]) -> Damage:
    """A random paint or ink mark at ``centre``: a line (kind ``scratch``) or a blot (``stain``),
    black, white or a saturated colour, nearly opaque."""
    kind: DamageKind = "scratch" if rng.random() < 0.5 else "stain"
    seed = int(rng.integers(1 << 30))
    angle = float(rng.uniform(-90, 90))
    size = rng.uniform(0.1, 0.34) if kind == "scratch" else rng.uniform(0.05, 0.16)
    return Damage(kind, centre, float(size), angle, _mark_colour(rng),
                  float(rng.uniform(0.85, 1.0)), seed, mark=True)  # fmt: skip


def _mark_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    family = rng.random()
    if family < 0.3:
        return _tinted(rng, rng.uniform(10, 50), 8)
    if family < 0.45:
        return _tinted(rng, rng.uniform(235, 255), 5)
    hsv = np.array([[[rng.uniform(0, 180), rng.uniform(150, 255), rng.uniform(110, 240)]]])
    red, green, blue = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)[0, 0]
    return int(red), int(green), int(blue)


def _tinted(rng: np.random.Generator, level: float, spread: float) -> tuple[int, int, int]:
    values = np.clip(level + rng.uniform(-spread, spread, 3), 0, 255)
    return int(values[0]), int(values[1]), int(values[2])
