"""Defect recall on random damage drawn onto the held-out clean photos of a dataset.

The labelled eval set has a handful of drawn defects; this draws many more: ``draws_per_photo``
random scratches, cracks and stains (the training generator, ``synthetic_defects``) onto each
clean held-out product photo, each on its own copy, placed on the product the way training
places them. A draw counts when it is visible (``VISIBLE_DELTA_E``); it is found when a
candidate box hits it (``evaluation.box_hit``) and recalled at a threshold when such a
candidate reaches it. The clean photos themselves give the false defects per photo at the same
thresholds.

The damage comes from the generator the scorer is trained on, so these figures are an upper
bound for real damage; they are comparable between versions of the detector because the draws
are seeded. With ``marks`` the draws are paint and ink marks instead (``random_mark``: opaque,
crisp, any colour), which the scorer also sees on a share of its training copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from backend.ml.config import get_ml_config
from backend.ml.defect_training import (
    VISIBLE_DELTA_E,
    damage_on_product,
    has_room_for_damage,
    jpeg_bytes,
    scaled_rgb,
    surface_depth,
    visibility,
)
from backend.ml.errors import ImageDecodeError
from backend.ml.evaluation import analyse_with_candidates, box_hit, read_dataset
from backend.ml.inference import prepare
from backend.ml.preprocessing import Box
from backend.ml.results import UNKNOWN_LABEL
from backend.ml.synthetic_defects import draw, random_damage, random_mark

SEED = 20261205
#: Photos are drawn on at this long side (the labelled photos are at most 900 px).
LONG_SIDE = 900
LOWER_THRESHOLDS = (0.3, 0.4)


@dataclass
class KindRecall:
    draws: int = 0
    found: int = 0  # some candidate box hits the damage
    recalled: int = 0  # ... with confidence >= the report threshold

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class DamageRecall:
    thresholds: tuple[float, ...]  # the last is the report threshold
    draws_per_photo: int
    seed: int
    marks: bool = False  # paint and ink marks instead of worn-in damage
    photos: list[str] = field(default_factory=list)  # clean held-out product photos
    drawn_on: list[str] = field(default_factory=list)  # ... with room for damage
    draws: int = 0  # visible draws
    found: int = 0
    recalled: dict[float, int] = field(default_factory=dict)
    false_defects: dict[float, int] = field(default_factory=dict)
    by_kind: dict[str, KindRecall] = field(default_factory=dict)

    def recall(self, threshold: float) -> float | None:
        return self.recalled.get(threshold, 0) / self.draws if self.draws else None

    def false_per_photo(self, threshold: float) -> float | None:
        return self.false_defects.get(threshold, 0) / len(self.photos) if self.photos else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "draws_per_photo": self.draws_per_photo,
            "seed": self.seed,
            "damage": "paint and ink marks" if self.marks else "scratches, cracks and stains",
            "photos": self.photos,
            "drawn_on": self.drawn_on,
            "visible_draws": self.draws,
            "found_as_candidate": self.found,
            "by_threshold": {
                str(threshold): {
                    "recalled": self.recalled.get(threshold, 0),
                    "recall": self.recall(threshold),
                    "false_defects_per_clean_photo": self.false_per_photo(threshold),
                }
                for threshold in self.thresholds
            },
            "by_kind": {kind: counts.to_dict() for kind, counts in sorted(self.by_kind.items())},
        }


def _drawn_box(alpha: np.ndarray) -> Box:
    rows, cols = np.nonzero(alpha > 0.3)
    x0, y0 = float(cols.min()), float(rows.min())
    return Box(x0, y0, float(cols.max()) - x0 + 1.0, float(rows.max()) - y0 + 1.0)


def measure_damage_recall(
    folders: Sequence[Path], draws_per_photo: int, *, seed: int = SEED, marks: bool = False
) -> DamageRecall:
    report_above = get_ml_config().defects.report_above
    thresholds = (*(t for t in LOWER_THRESHOLDS if t < report_above), report_above)
    result = DamageRecall(thresholds, draws_per_photo, seed, marks)
    generate = random_mark if marks else random_damage
    rng = np.random.default_rng(seed)
    photos = [
        item
        for folder in folders
        for item in read_dataset(folder)
        if item.split == "holdout" and item.defective is False and item.category != UNKNOWN_LABEL
    ]
    for photo in photos:
        try:
            image_bytes = photo.path.read_bytes()
            prepared = prepare(image_bytes)
        except (OSError, ImageDecodeError):
            continue  # the eval report lists it among the failed images
        _, clean_candidates = analyse_with_candidates(prepared)
        result.photos.append(photo.filename)
        for threshold in thresholds:
            result.false_defects[threshold] = result.false_defects.get(threshold, 0) + sum(
                candidate.confidence >= threshold for candidate in clean_candidates
            )
        depth = surface_depth(prepared)
        if not has_room_for_damage(depth):
            continue
        result.drawn_on.append(photo.filename)
        rgb = scaled_rgb(image_bytes, LONG_SIDE)
        for _ in range(draws_per_photo):
            damage = damage_on_product(rng, generate(rng, (0.5, 0.5)), depth)
            drawn = draw(rgb, damage)
            if visibility(rgb, drawn) < VISIBLE_DELTA_E:
                continue
            truth = _drawn_box(drawn.alpha)
            _, candidates = analyse_with_candidates(prepare(jpeg_bytes(drawn.pixels)))
            on_damage = [c.confidence for c in candidates if box_hit(truth, [c.box])]
            best = max(on_damage, default=0.0)
            kind = result.by_kind.setdefault(damage.kind, KindRecall())
            result.draws += 1
            kind.draws += 1
            if on_damage:
                result.found += 1
                kind.found += 1
            for threshold in thresholds:
                if best >= threshold:
                    result.recalled[threshold] = result.recalled.get(threshold, 0) + 1
            kind.recalled += best >= report_above
    return result


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100.0 * value:.1f}%"


def format_damage_recall(result: DamageRecall) -> str:
    lines = [
        "",
        f"{'paint and ink marks' if result.marks else 'random damage'} drawn onto held-out clean "
        f"photos ({result.draws_per_photo} draws per photo, seed {result.seed})",
        f"photos: {len(result.photos)} ({len(result.drawn_on)} with room for damage); "
        f"visible draws: {result.draws}; found as a candidate: {result.found}",
        f"{'threshold':<12}{'recall':>16}{'false defects per clean photo':>32}",
    ]
    for threshold in result.thresholds:
        recalled = f"{_pct(result.recall(threshold))} ({result.recalled.get(threshold, 0)})"
        false_rate = result.false_per_photo(threshold)
        lines.append(
            f">= {threshold:<9.2f}{recalled:>16}"
            f"{'n/a' if false_rate is None else f'{false_rate:.2f}':>32}"
        )
    report_above = result.thresholds[-1]
    for kind, counts in sorted(result.by_kind.items()):
        lines.append(
            f"{kind:<12}{counts.draws:>4} drawn, {counts.found} found, "
            f"{counts.recalled} at >= {report_above:.2f}"
        )
    return "\n".join(lines)
