"""Flat ink strokes on real photos: a thick pen line the line cues miss is found whole, once, at
working or at half resolution, in black, white or a strong colour; a white run the colour of the
backdrop, or the product's own cords in a colour, is not taken for one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from backend.ml import ink_strokes as ink_strokes_module
from backend.ml.defect_detector import INK_LINE_CONFIDENCE, inputs_from
from backend.ml.drawn_lines import DrawnLine, drawn_over
from backend.ml.evaluation import box_hit
from backend.ml.inference import analyze, prepare
from backend.ml.ink_strokes import ink_strokes
from backend.ml.preprocessing import Box
from backend.ml.results import DefectResult
from tests.ml.conftest import CATALOG_PHOTOS, MORE_PHOTOS, PHOTOS

#: Across the steel watch's white dial, from its dark twelve o'clock marker: the line cues'
#: candidates on it (one merged with the marker, a short piece) are rated 0.03 and 0.01.
ACROSS_THE_DIAL = DrawnLine((300.0, 300.0, 430.0, 420.0), 10, (0, 0, 0))
#: A 10 px marker stroke across a soy-milk carton photographed at 348 px: 10 working pixels
#: wide, too broad for the stroke pass at working size, thin again at half resolution.
MARKER_ON_A_CARTON = DrawnLine((70.0, 100.0, 190.0, 230.0), 10, (0, 0, 0))
#: Across the red cup, crossing the white highlight along its rim.
ACROSS_THE_RIM = DrawnLine((230.0, 120.0, 300.0, 260.0), 4, (255, 255, 255))
#: Coloured lines the line cues rated 0.01-0.2 before coloured strokes were looked for: across
#: an outdoor watch's dial and strap, over the green and blue straps and white label of a yoga
#: strap set, down a pink backpack's front, across a grey messenger bag's flap; and a pink one
#: (CIELAB hue 2 degrees), found in the hue sector that wraps around zero.
COLOURED_LINES = [
    ("outdoor_watch.jpg", DrawnLine((272.0, 294.0, 430.0, 595.0), 3, (220, 30, 30)), "red"),
    ("yoga_straps.jpg", DrawnLine((442.0, 264.0, 503.0, 542.0), 9, (220, 30, 30)), "red"),
    ("pink_backpack.jpg", DrawnLine((400.0, 298.0, 425.0, 458.0), 5, (40, 170, 60)), "green"),
    ("grey_messenger_bag.jpg", DrawnLine((446.0, 448.0, 298.0, 498.0), 6, (30, 60, 220)), "blue"),
    ("grey_messenger_bag.jpg", DrawnLine((446.0, 448.0, 298.0, 498.0), 6, (230, 40, 120)), "pink"),
]


def _spans(box: Box, line: DrawnLine) -> bool:
    """Whether ``box`` covers at least 90 % of the line's extent along both axes."""
    truth = line.box
    overlap_x = min(box.x2, truth.x2) - max(box.x, truth.x)
    overlap_y = min(box.y2, truth.y2) - max(box.y, truth.y)
    return overlap_x >= 0.9 * truth.width and overlap_y >= 0.9 * truth.height


def _findings_on(photo: Path, line: DrawnLine) -> list[DefectResult]:
    """The defects reported over ``line`` drawn on ``photo``."""
    image = Image.open(photo).convert("RGB")
    defects = analyze(drawn_over(image, line)).defects.defects
    return [d for d in defects if box_hit(line.box, [d.box])]


def test_a_thick_black_line_across_a_watch_dial_is_found_whole_and_once() -> None:
    hits = _findings_on(CATALOG_PHOTOS / "steel_watch.jpg", ACROSS_THE_DIAL)
    assert len(hits) == 1
    assert hits[0].confidence >= INK_LINE_CONFIDENCE
    assert hits[0].metadata["ink_colour"] == "black"
    assert hits[0].defect_type == "scratch"
    assert _spans(hits[0].box, ACROSS_THE_DIAL)


def test_a_broad_marker_stroke_on_a_small_photo_is_found_at_half_resolution() -> None:
    hits = _findings_on(MORE_PHOTOS / "grocery_soy_milk.jpg", MARKER_ON_A_CARTON)
    assert len(hits) == 1
    assert hits[0].metadata["ink_colour"] == "black"
    assert _spans(hits[0].box, MARKER_ON_A_CARTON)


def test_a_white_line_crossing_a_highlight_is_one_stroke() -> None:
    """The white line merges with the rim's highlight where they cross; the stroke is the
    straight run through it, without the highlight's arc, reported as one finding."""
    hits = _findings_on(PHOTOS / "red_coffee_cup.jpg", ACROSS_THE_RIM)
    assert len(hits) == 1
    assert hits[0].metadata["ink_colour"] == "white"
    assert _spans(hits[0].box, ACROSS_THE_RIM)


@pytest.mark.parametrize(("photo", "line", "colour"), COLOURED_LINES)
def test_a_coloured_line_is_found_whole_and_once_with_its_colour(
    photo: str, line: DrawnLine, colour: str
) -> None:
    hits = _findings_on(CATALOG_PHOTOS / photo, line)
    assert len(hits) == 1
    assert hits[0].confidence >= INK_LINE_CONFIDENCE
    assert hits[0].metadata["ink_colour"] == colour
    assert _spans(hits[0].box, line)


def test_a_products_own_cords_in_a_colour_are_not_strokes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The grey backpack's red bungee cords cross its front in straight, sharp, thin runs on one
    surface, as a drawn red line would: what sets them apart is that their red covers more of the
    backpack than any one of them (the other cords, the zip's pull)."""
    inputs = inputs_from(prepare((CATALOG_PHOTOS / "grey_backpack.jpg").read_bytes()))
    assert ink_strokes(inputs.lab, inputs.mask, inputs.backdrop_lab) == []
    monkeypatch.setattr(ink_strokes_module, "STROKE_KIN_SHARE", float("inf"))
    cords = ink_strokes(inputs.lab, inputs.mask, inputs.backdrop_lab)
    assert cords
    assert {(stroke.tone, stroke.colour) for stroke in cords} == {("colour", "red")}


def test_a_white_run_the_colour_of_the_backdrop_is_not_a_stroke() -> None:
    """On a product photographed on white, a white run may be the backdrop seen through a gap
    (between an arm and the body): only where the photo has no plain backdrop, or the run is
    another white, is it a stroke."""
    handbag = Image.open(CATALOG_PHOTOS / "brown_handbag.jpg").convert("RGB")
    line = DrawnLine((200.0, 700.0, 450.0, 560.0), 6, (255, 255, 255))
    inputs = inputs_from(prepare(drawn_over(handbag, line)))
    assert inputs.backdrop_lab is not None
    assert [s.tone for s in ink_strokes(inputs.lab, inputs.mask, inputs.backdrop_lab)] == []
    # Found at working and at half resolution: the detector's suppression keeps one.
    assert {s.tone for s in ink_strokes(inputs.lab, inputs.mask, None)} == {"white"}


def test_a_sliver_of_a_photo_is_analysed_without_a_stroke_search_at_half_size() -> None:
    """16 x 6000 px passes the upload checks and is one working pixel wide: nothing to halve."""
    watch = Image.open(CATALOG_PHOTOS / "steel_watch.jpg").convert("RGB")
    for size in ((16, 6000), (6000, 16)):
        buffer = io.BytesIO()
        watch.resize(size).save(buffer, "PNG")
        inputs = inputs_from(prepare(buffer.getvalue()))
        assert min(inputs.mask.shape) == 1
        assert ink_strokes(inputs.lab, inputs.mask, inputs.backdrop_lab) == []
        assert analyze(buffer.getvalue()).defects.defects == []
