"""The damage generator: worn-in scratches, cracks and stains, and paint or ink marks."""

from __future__ import annotations

import numpy as np

from backend.ml.synthetic_defects import Damage, damage_alpha, draw, random_damage, random_mark

SHAPE = (300, 400)


def _fully_covered_share(damage: Damage) -> float:
    """Share of the touched pixels that the damage covers at (nearly) its full opacity."""
    alpha = damage_alpha(SHAPE, damage) / damage.opacity
    return float((alpha >= 0.9).sum() / (alpha > 0.05).sum())


def test_a_mark_is_opaque_and_crisp_where_a_stain_soaks_in() -> None:
    worn = Damage("stain", (0.5, 0.5), 0.15, 0.0, (60, 40, 20), 0.6, 4)
    mark = Damage("stain", (0.5, 0.5), 0.15, 0.0, (60, 40, 20), 0.95, 4, mark=True)
    assert _fully_covered_share(mark) > 0.6
    assert _fully_covered_share(worn) < 0.1


def test_a_mark_paints_its_colour_over_the_surface() -> None:
    grey = np.full((*SHAPE, 3), 128, np.uint8)
    drawn = draw(grey, Damage("stain", (0.5, 0.5), 0.15, 0.0, (200, 20, 20), 1.0, 4, mark=True))
    centre = drawn.pixels[SHAPE[0] // 2, SHAPE[1] // 2]
    assert abs(int(centre[0]) - 200) <= 3
    assert int(centre[1]) <= 25


def test_random_marks_are_lines_and_blots_and_random_damage_is_worn_in() -> None:
    rng = np.random.default_rng(11)
    marks = [random_mark(rng, (0.5, 0.5)) for _ in range(40)]
    assert all(mark.mark and mark.opacity >= 0.85 for mark in marks)
    assert {mark.kind for mark in marks} == {"scratch", "stain"}
    damage = [random_damage(rng, (0.5, 0.5)) for _ in range(40)]
    assert not any(item.mark for item in damage)
    assert {item.kind for item in damage} == {"scratch", "crack", "stain"}
