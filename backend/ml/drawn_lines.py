"""The drawn-line test: one straight pen line drawn over each copy of the clean product photos.

What a person does by hand to try a defect detector: ``ImageDraw.line`` across the middle of
the product, 2-10 px wide, in black, white, red, blue or green, 0.3-0.6 of the object's short
side long, through a random point of the middle third of its box, at any angle, saved as JPEG
92. A line is found when a reported defect's box hits its box (``evaluation.box_hit``). The
clean photos themselves say how many get a false finding. A line is *visible* when it lies on
the object (``VISIBLE_ON_OBJECT`` of its pixels inside the object mask) and differs from what it
covers by ``VISIBLE_DELTA_E`` on average: black on black straps or white on a white backdrop is
not.

``python -m backend.ml.drawn_lines [DATASET...]`` prints the figures of the README (seeds 1-3,
three copies of each photo per seed; default: the three labelled folders of ``tests/data``).
"""

from __future__ import annotations

import io
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageOps

from backend.ml.config import get_ml_config
from backend.ml.defect_training import DEFAULT_DATASETS
from backend.ml.evaluation import analyse_with_candidates, box_hit, read_dataset
from backend.ml.foreground import rgb_to_lab
from backend.ml.inference import PreparedImage, prepare
from backend.ml.preprocessing import Box
from backend.ml.results import UNKNOWN_LABEL
from backend.shared.config import get_settings
from backend.shared.logging import configure_logging

COLOURS = ((0, 0, 0), (255, 255, 255), (220, 30, 30), (30, 60, 220), (40, 170, 60))
COLOUR_NAMES = ("black", "white", "red", "blue", "green")
WIDTHS = (2, 10)
LENGTHS = (0.3, 0.6)  # of the object's short side
MIDDLE = (0.35, 0.65)  # of the object's box, where the line's centre falls
JPEG_QUALITY = 92
SEEDS = (1, 2, 3)
VISIBLE_ON_OBJECT = 0.8
VISIBLE_DELTA_E = 25.0


@dataclass(frozen=True)
class DrawnLine:
    ends: tuple[float, float, float, float]  # x0, y0, x1, y1 in original pixels
    width: int
    colour: tuple[int, int, int]

    @property
    def box(self) -> Box:
        x0, y0, x1, y1 = self.ends
        half = self.width / 2
        return Box(
            min(x0, x1) - half,
            min(y0, y1) - half,
            abs(x1 - x0) + self.width,
            abs(y1 - y0) + self.width,
        )


@dataclass(frozen=True)
class DrawnLineResult:
    seed: int
    photos: int  # clean product photos
    lines: int
    found: int
    clean_with_finding: int  # clean photos that get a reported defect without any line
    visible: int  # lines on the object that differ clearly from what they cover
    visible_found: int
    visible_by_colour: Counter[str] = field(default_factory=Counter)
    visible_found_by_colour: Counter[str] = field(default_factory=Counter)


def random_line(box: Box, rng: np.random.Generator) -> DrawnLine:
    """A random line over the middle of ``box`` (the object's box in original pixels)."""
    width = int(rng.integers(WIDTHS[0], WIDTHS[1] + 1))
    colour = COLOURS[int(rng.integers(len(COLOURS)))]
    length = min(box.width, box.height) * rng.uniform(*LENGTHS)
    angle = rng.uniform(0, math.pi)
    centre_x = box.x + box.width * rng.uniform(*MIDDLE)
    centre_y = box.y + box.height * rng.uniform(*MIDDLE)
    dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
    return DrawnLine((centre_x - dx, centre_y - dy, centre_x + dx, centre_y + dy), width, colour)


def drawn_over(image: Image.Image, line: DrawnLine) -> bytes:
    """A JPEG copy of ``image`` with ``line`` drawn over it."""
    copy = image.copy()
    x0, y0, x1, y1 = line.ends
    ImageDraw.Draw(copy).line([(x0, y0), (x1, y1)], fill=line.colour, width=line.width)
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def object_box(prepared: PreparedImage) -> Box:
    """The object's box in original (EXIF-upright) pixels; the whole image without one."""
    if prepared.foreground.box is None:
        return Box(0, 0, prepared.original_width, prepared.original_height)
    return prepared.foreground.box.scaled(*prepared.working_scale)


def is_visible(image: Image.Image, line: DrawnLine, object_mask: np.ndarray) -> bool:
    """Whether ``line`` lies on the object (``object_mask``, any resolution) and stands out
    from the pixels it covers (mean CIELAB delta E)."""
    pixels = Image.new("L", image.size)
    x0, y0, x1, y1 = line.ends
    ImageDraw.Draw(pixels).line([(x0, y0), (x1, y1)], fill=1, width=line.width)
    covered = np.asarray(pixels, bool)
    if not covered.any():
        return False
    on_object = cv2.resize(
        object_mask.astype(np.uint8), image.size, interpolation=cv2.INTER_NEAREST
    ).view(bool)
    under = rgb_to_lab(np.asarray(image)[covered][None])[0]
    drawn = rgb_to_lab(np.full((1, 1, 3), line.colour, np.uint8))[0, 0]
    contrast = float(np.linalg.norm(under - drawn, axis=1).mean())
    return bool(on_object[covered].mean() >= VISIBLE_ON_OBJECT and contrast >= VISIBLE_DELTA_E)


def measure_drawn_lines(folders: Sequence[Path], seed: int, copies: int = 3) -> DrawnLineResult:
    report_above = get_ml_config().defects.report_above
    rng = np.random.default_rng(seed)
    photos = [
        item
        for folder in folders
        for item in read_dataset(folder)
        if item.defective is False and item.category != UNKNOWN_LABEL
    ]
    lines = found = clean_with_finding = visible = visible_found = 0
    by_colour: Counter[str] = Counter()
    found_by_colour: Counter[str] = Counter()
    for photo in photos:
        data = photo.path.read_bytes()
        prepared = prepare(data)
        _, clean = analyse_with_candidates(prepared)
        clean_with_finding += any(c.confidence >= report_above for c in clean)
        # Upright, as ``prepare`` sees it.
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
        box = object_box(prepared)
        for _ in range(copies):
            line = random_line(box, rng)
            _, candidates = analyse_with_candidates(prepare(drawn_over(image, line)))
            hit = any(
                c.confidence >= report_above and box_hit(line.box, [c.box]) for c in candidates
            )
            lines += 1
            found += hit
            if is_visible(image, line, prepared.foreground.mask):
                colour = COLOUR_NAMES[COLOURS.index(line.colour)]
                visible += 1
                visible_found += hit
                by_colour[colour] += 1
                found_by_colour[colour] += hit
    return DrawnLineResult(
        seed,
        len(photos),
        lines,
        found,
        clean_with_finding,
        visible,
        visible_found,
        by_colour,
        found_by_colour,
    )


def main(argv: Sequence[str]) -> int:
    # Each analysis logs at debug level; unconfigured, structlog prints it between the figures.
    configure_logging(get_settings().model_copy(update={"log_level": "ERROR"}))
    folders = [Path(arg) for arg in argv] if argv else list(DEFAULT_DATASETS)
    total = found = visible = visible_found = 0
    by_colour: Counter[str] = Counter()
    found_by_colour: Counter[str] = Counter()
    for seed in SEEDS:
        result = measure_drawn_lines(folders, seed)
        total += result.lines
        found += result.found
        visible += result.visible
        visible_found += result.visible_found
        by_colour += result.visible_by_colour
        found_by_colour += result.visible_found_by_colour
        print(
            f"seed {seed}: {result.found} of {result.lines} lines found on {result.photos} clean "
            f"product photos, {result.visible_found} of the {result.visible} visible ones "
            f"({result.clean_with_finding} of the photos get a finding without a line)"
        )
    print(f"all seeds: {found} of {total}; visible lines: {visible_found} of {visible}")
    print(
        "visible lines found by colour: "
        + ", ".join(f"{name} {found_by_colour[name]} of {by_colour[name]}" for name in COLOUR_NAMES)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
