"""Draw realistic scratches, cracks and stains onto real photos; record ground-truth boxes.

Run from the repository root: ``python tests/data/photos/draw_defects.py``. Deterministic
(fixed seeds): it rewrites the ``*_scratch/_stain/_crack.jpg`` files and ``defect_boxes.csv`` of
``tests/data/photos`` and ``tests/data/more_photos``.
The drawing itself is ``backend.ml.synthetic_defects`` (4x supersampled, anti-aliased, varying
width and opacity; stains tint what is underneath). The defect scorer is fitted on random
damage drawn the same way onto the *tuning* photos only (see ``labels.csv``'s ``split``).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
MORE = HERE.parent / "more_photos"
sys.path.insert(0, str(HERE.parents[2]))

from backend.ml.synthetic_defects import Damage, draw  # noqa: E402


@dataclass(frozen=True)
class Drawn:
    source: str
    output: str
    damage: Damage
    folder: Path = HERE


DAMAGES = (
    # Tuning split.
    Drawn(
        "red_coffee_cup.png",
        "red_coffee_cup_scratch.jpg",
        Damage("scratch", (0.22, 0.74), 0.30, 18, (235, 225, 215), 0.8, 1),
    ),
    Drawn(
        "red_coffee_cup.png",
        "red_coffee_cup_stain.jpg",
        Damage("stain", (0.78, 0.66), 0.2, 30, (235, 225, 205), 0.7, 2),
    ),
    Drawn(
        "grey_duffel_bag.jpg",
        "grey_duffel_bag_stain.jpg",
        Damage("stain", (0.33, 0.66), 0.16, -20, (95, 60, 25), 0.6, 3),
    ),
    Drawn(
        "grey_duffel_bag_side.jpg",
        "grey_duffel_bag_side_stain.jpg",
        Damage("stain", (0.55, 0.72), 0.12, 10, (40, 35, 30), 0.55, 4),
    ),
    Drawn(
        "grey_duffel_bag.jpg",
        "grey_duffel_bag_scratch.jpg",
        Damage("scratch", (0.55, 0.73), 0.22, -12, (225, 225, 225), 0.75, 5),
    ),
    Drawn(
        "grocery_orange_juice.jpg",
        "grocery_orange_juice_scratch.jpg",
        Damage("scratch", (0.6, 0.4), 0.25, -30, (230, 228, 220), 0.8, 10),
        MORE,
    ),
    Drawn(
        "grocery_organic_milk.jpg",
        "grocery_organic_milk_stain.jpg",
        Damage("stain", (0.40, 0.33), 0.12, 20, (120, 80, 35), 0.6, 11),
        MORE,
    ),
    Drawn(
        "grey_duffel_bag_open.jpg",
        "grey_duffel_bag_open_stain.jpg",
        Damage("stain", (0.5, 0.9), 0.1, 0, (60, 50, 40), 0.55, 12),
        MORE,
    ),
    # Held-out split.
    Drawn(
        "vitamin_bottle.jpg",
        "vitamin_bottle_scratch.jpg",
        Damage("scratch", (0.47, 0.47), 0.22, 35, (215, 215, 210), 0.85, 6),
    ),
    Drawn(
        "vitamin_bottle.jpg",
        "vitamin_bottle_cap_scratch.jpg",
        Damage("scratch", (0.50, 0.12), 0.18, -8, (70, 70, 75), 0.8, 7),
    ),
    Drawn(
        "led_bulb.jpg",
        "led_bulb_crack.jpg",
        Damage("crack", (0.50, 0.33), 0.28, 70, (60, 60, 60), 0.85, 8),
    ),
    Drawn(
        "led_bulb.jpg",
        "led_bulb_scratch.jpg",
        Damage("scratch", (0.40, 0.42), 0.25, 25, (80, 80, 85), 0.8, 18),
    ),
    Drawn(
        "led_bulb.jpg",
        "led_bulb_stain.jpg",
        Damage("stain", (0.42, 0.58), 0.12, 0, (150, 110, 50), 0.5, 9),
    ),
    Drawn(
        "grocery_oat_milk.jpg",
        "grocery_oat_milk_stain.jpg",
        Damage("stain", (0.78, 0.55), 0.12, 40, (110, 70, 30), 0.6, 13),
        MORE,
    ),
    Drawn(
        "grocery_vanilla_yoghurt.jpg",
        "grocery_vanilla_yoghurt_scratch.jpg",
        Damage("scratch", (0.52, 0.62), 0.22, 25, (70, 70, 75), 0.8, 14),
        MORE,
    ),
    Drawn(
        "grocery_sour_cream.jpg",
        "grocery_sour_cream_stain.jpg",
        Damage("stain", (0.50, 0.30), 0.1, 0, (60, 55, 50), 0.6, 15),
        MORE,
    ),
    Drawn(
        "grocery_apple_juice.jpg",
        "grocery_apple_juice_scratch.jpg",
        Damage("scratch", (0.38, 0.55), 0.25, 70, (60, 58, 55), 0.8, 16),
        MORE,
    ),
    Drawn(
        "hats.jpg",
        "hats_stain.jpg",
        Damage("stain", (0.22, 0.30), 0.1, 15, (130, 90, 40), 0.6, 17),
        MORE,
    ),
)


def main() -> None:
    rows: dict[Path, list[list[object]]] = {HERE: [], MORE: []}
    for item in DAMAGES:
        image = np.asarray(Image.open(item.folder / item.source).convert("RGB"))
        drawn = draw(image, item.damage)
        Image.fromarray(drawn.pixels).save(item.folder / item.output, quality=90)
        rows[item.folder].append([item.output, item.damage.kind, *drawn.box])
    for folder, folder_rows in rows.items():
        with (folder / "defect_boxes.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["filename", "defect_type", "x", "y", "width", "height"])
            writer.writerows(folder_rows)


if __name__ == "__main__":
    main()
