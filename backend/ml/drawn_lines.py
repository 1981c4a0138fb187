"""The drawn-line test: one straight pen line drawn over each copy of the clean product photos.

What a person does by hand to try a defect detector: ``ImageDraw.line`` across the middle of
the product, 2-10 px wide, in black, white, red, blue or green, 0.3-0.6 of the object's short
side long, through a random point of the middle third of its box, at any angle, saved as JPEG
92. A line is found when a reported defect's box hits its box (``evaluation.box_hit``). The
clean photos themselves say how many get a false finding.

``python -m backend.ml.drawn_lines [DATASET...]`` prints the figures of the README (seeds 1-3,
three copies of each photo per seed; default: the three labelled folders of ``tests/data``).
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from backend.ml.config import get_ml_config
from backend.ml.defect_training import DEFAULT_DATASETS
from backend.ml.evaluation import analyse_with_candidates, box_hit, read_dataset
from backend.ml.inference import prepare
from backend.ml.preprocessing import Box
from backend.ml.results import UNKNOWN_LABEL

COLOURS = ((0, 0, 0), (255, 255, 255), (220, 30, 30), (30, 60, 220), (40, 170, 60))
WIDTHS = (2, 10)
LENGTHS = (0.3, 0.6)  # of the object's short side
MIDDLE = (0.35, 0.65)  # of the object's box, where the line's centre falls
JPEG_QUALITY = 92
SEEDS = (1, 2, 3)


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


def measure_drawn_lines(folders: Sequence[Path], seed: int, copies: int = 3) -> DrawnLineResult:
    report_above = get_ml_config().defects.report_above
    rng = np.random.default_rng(seed)
    photos = [
        item
        for folder in folders
        for item in read_dataset(folder)
        if item.defective is False and item.category != UNKNOWN_LABEL
    ]
    lines = found = clean_with_finding = 0
    for photo in photos:
        data = photo.path.read_bytes()
        prepared = prepare(data)
        _, clean = analyse_with_candidates(prepared)
        clean_with_finding += any(c.confidence >= report_above for c in clean)
        # Upright, as ``prepare`` sees it: the object's box is in EXIF-rotated pixels.
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
        box = prepared.foreground.box or Box(0, 0, image.width, image.height)
        for _ in range(copies):
            line = random_line(box, rng)
            _, candidates = analyse_with_candidates(prepare(drawn_over(image, line)))
            lines += 1
            found += any(
                c.confidence >= report_above and box_hit(line.box, [c.box]) for c in candidates
            )
    return DrawnLineResult(seed, len(photos), lines, found, clean_with_finding)


def main(argv: Sequence[str]) -> int:
    folders = [Path(arg) for arg in argv] if argv else list(DEFAULT_DATASETS)
    total = found = 0
    for seed in SEEDS:
        result = measure_drawn_lines(folders, seed)
        total += result.lines
        found += result.found
        print(
            f"seed {seed}: {result.found} of {result.lines} lines found on {result.photos} clean "
            f"product photos ({result.clean_with_finding} of the photos get a finding without one)"
        )
    print(f"all seeds: {found} of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
