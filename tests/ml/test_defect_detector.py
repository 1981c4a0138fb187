"""Defects on real photos: clean photos stay clean, drawn damage is found where it was drawn,
confidences are calibrated probabilities, and the scorer can be refitted from the photos."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageDraw

from backend.ml import defect_training
from backend.ml.config import get_ml_config
from backend.ml.defect_cues import (
    channel_medians,
    interior_mask,
    mean_u8,
    median_of,
    patch_support,
    stroke_core,
)
from backend.ml.defect_detector import (
    CRACK_WIGGLE,
    FOREIGN_LINE_CONFIDENCE,
    INK_DARK,
    INK_LINE_CONFIDENCE,
    find_candidates,
    inputs_from,
    is_foreign_line,
    search_mask,
    wiggle,
)
from backend.ml.defect_scorer import calibrate_by_rank, load_scorer
from backend.ml.drawn_lines import DrawnLine, drawn_over
from backend.ml.evaluation import box_hit, read_dataset
from backend.ml.inference import AnalysisResult, analyze, classify, detect_defects, prepare
from backend.ml.patch_anomaly import MemoryBank, anomaly_map, coreset, project_for_bank
from backend.ml.preprocessing import Box
from backend.ml.results import DEFECT_TYPES, DefectResult
from backend.ml.synthetic_defects import Damage, damage_alpha
from tests.ml.conftest import CATALOG_PHOTOS, MORE_PHOTOS, PHOTOS, photo_bytes

CLEAN = [
    "red_coffee_cup.jpg",
    "grey_duffel_bag.jpg",
    "grey_duffel_bag_side.jpg",
    "led_bulb.jpg",
    "vitamin_bottle.jpg",
    "paint_brushes.jpg",
    "wall_shelf.jpg",
    "tealight_candles.jpg",
]


def _truth(name: str) -> Box:
    with (PHOTOS / "defect_boxes.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["filename"] == name:
                return Box(*(float(row[key]) for key in ("x", "y", "width", "height")))
    raise KeyError(name)


def _covers(truth: Box, box: Box) -> bool:
    centre_x, centre_y = box.x + box.width / 2, box.y + box.height / 2
    return truth.iou(box) > 0.3 or (
        truth.x <= centre_x <= truth.x2 and truth.y <= centre_y <= truth.y2
    )


@pytest.mark.parametrize("name", CLEAN)
def test_clean_photos_get_no_defect_and_stay_new(
    analysis: Callable[[str], AnalysisResult], name: str
) -> None:
    """Shadows, reflections, print, seams, texture and clutter are not damage."""
    result = analysis(name)
    assert result.defects.defects == []
    assert result.condition.value == "new"
    assert result.condition.confidence <= 0.85


def _boxed_drawn_damage(result: AnalysisResult, name: str) -> DefectResult:
    """The reported defect over the damage drawn on ``name``, checked to be the photo's strongest
    finding, more likely than not, and tight, on a photo whose condition is no longer "new"."""
    truth = _truth(name)
    hits = [d for d in result.defects.defects if _covers(truth, d.box)]
    assert hits, result.defects.to_dict()
    assert hits[0] is result.defects.defects[0]
    assert hits[0].confidence > 0.5
    assert truth.iou(hits[0].box) > 0.5
    assert result.condition.value in ("used", "damaged")
    return hits[0]


def test_drawn_crack_is_boxed_as_a_crack(analysis: Callable[[str], AnalysisResult]) -> None:
    hit = _boxed_drawn_damage(analysis("led_bulb_crack.jpg"), "led_bulb_crack.jpg")
    assert hit.defect_type == "crack"
    assert hit.severity == "high"


def test_drawn_scratch_is_boxed_as_a_scratch(analysis: Callable[[str], AnalysisResult]) -> None:
    hit = _boxed_drawn_damage(analysis("led_bulb_scratch.jpg"), "led_bulb_scratch.jpg")
    assert hit.defect_type == "scratch"


#: A line across the bag's fabric from its pocket seam (original pixels), the box around it,
#: and the colour of a dark pen.
ACROSS_BAG = ((250, 600), (550, 500))
ACROSS_BAG_BOX = Box(240, 490, 320, 120)
PEN = (35, 35, 35)


@cache
def _bag_with_line(colour: tuple[int, int, int], width: int) -> bytes:
    """The bag photo with a line drawn along ACROSS_BAG."""
    image = Image.open(io.BytesIO(photo_bytes("grey_duffel_bag.jpg"))).convert("RGB")
    ImageDraw.Draw(image).line(list(ACROSS_BAG), fill=colour, width=width)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_a_line_drawn_into_a_seam_is_found_on_its_own() -> None:
    """A pen line that starts on the bag's pocket seam joins the seam's ridge into one shape
    that no longer looks like a line; its straight stretch is still reported, boxed over it."""
    result = analyze(_bag_with_line(PEN, 7))
    line = Box(250, 497, 300, 107)
    hits = [d for d in result.defects.defects if _covers(line, d.box)]
    assert hits, result.defects.to_dict()
    assert hits[0].defect_type == "scratch"
    assert line.iou(hits[0].box) > 0.5


def _fabric_grey() -> int:
    """The bag fabric's grey level (Rec. 601 luma) along the line's path."""
    pixels = np.asarray(Image.open(io.BytesIO(photo_bytes("grey_duffel_bag.jpg"))).convert("L"))
    (x0, y0), (x1, y1) = ACROSS_BAG
    samples = [
        pixels[round(y0 + (y1 - y0) * t), round(x0 + (x1 - x0) * t)] for t in (0.2, 0.5, 0.8)
    ]
    return round(float(np.mean(samples)))


def test_a_coloured_line_as_light_as_the_surface_is_found() -> None:
    """A reddish line with the fabric's own grey level has no grey-level ridge; it is a ridge in
    a* and is reported over the line."""
    grey = _fabric_grey()
    colour = (min(255, grey + 60), max(0, grey - 30), max(0, grey - 30))
    assert abs(0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2] - grey) < 6
    data = _bag_with_line(colour, 5)
    scored, _ = find_candidates(inputs_from(prepare(data)), None)
    kinds = {
        item.candidate.kind
        for item in scored
        if item.candidate is not None and _covers(ACROSS_BAG_BOX, item.box)
    }
    assert "colour_line" in kinds
    hits = [d for d in analyze(data).defects.defects if _covers(ACROSS_BAG_BOX, d.box)]
    assert hits
    assert hits[0].defect_type == "scratch"


def test_a_broad_marker_stroke_is_found() -> None:
    """A 16 px stroke is about 7 working pixels wide, too broad for the ridge kernel; at half
    resolution it is a thin line again, and it is reported over the stroke (its box also takes
    in the pocket seam it touches there)."""
    hits = [
        d
        for d in analyze(_bag_with_line((20, 20, 20), 16)).defects.defects
        if _covers(ACROSS_BAG_BOX, d.box)
    ]
    assert hits


def test_a_straight_line_in_a_strong_colour_is_reported_as_coloured_ink() -> None:
    """A red pen line on the grey bag: a straight, sharp run of red on the fabric, found once, as
    a stroke of ink in its colour."""
    data = _bag_with_line((210, 30, 30), 5)
    scored, _ = find_candidates(inputs_from(prepare(data)), None)
    over = [
        item
        for item in scored
        if item.candidate is not None
        and item.candidate.is_line
        and ACROSS_BAG_BOX.iou(item.box) > 0.5
    ]
    assert len(over) == 1
    assert (over[0].rule, over[0].ink_colour) == ("ink", "red")
    assert over[0].confidence >= INK_LINE_CONFIDENCE
    reported = [d for d in analyze(data).defects.defects if ACROSS_BAG_BOX.iou(d.box) > 0.5]
    assert reported[0].metadata["ink"] is True
    assert reported[0].metadata["ink_colour"] == "red"
    assert "in flat red, like ink or paint" in reported[0].description


#: A red arc across the grey bag (Pillow's ``arc``: box and angles): a pen stroke that bends,
#: so the stroke search, which wants straight runs, leaves it to the line cues; and the part of
#: it on the bag's front, where the line cues find it.
RED_ARC = ((200, 520, 600, 640), 200, 340)
RED_ARC_FRONT = Box(325, 505, 180, 35)


def test_a_curved_line_in_a_colour_the_product_lacks_is_reported_confidently() -> None:
    """The red arc: a colour nowhere else on the bag, far from the fabric on both sides."""
    image = Image.open(io.BytesIO(photo_bytes("grey_duffel_bag.jpg"))).convert("RGB")
    box, start, end = RED_ARC
    ImageDraw.Draw(image).arc(box, start, end, fill=(210, 30, 30), width=5)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    scored, _ = find_candidates(inputs_from(prepare(data)), None)
    over = [item for item in scored if RED_ARC_FRONT.iou(item.box) > 0.5]
    assert len(over) == 1
    assert over[0].candidate is not None
    assert is_foreign_line(over[0].candidate)
    assert over[0].confidence >= FOREIGN_LINE_CONFIDENCE
    assert over[0].rule == "foreign_colour"
    reported = [d for d in analyze(data).defects.defects if RED_ARC_FRONT.iou(d.box) > 0.5]
    assert reported[0].metadata["foreign_colour"] is True
    assert reported[0].metadata["ink"] is False
    assert "in a colour found nowhere else on the product" in reported[0].description


HANDBAG = CATALOG_PHOTOS / "brown_handbag.jpg"
BLACK_INK = DrawnLine((478.0, 497.0, 102.0, 602.0), 6, (0, 0, 0))
WHITE_INK = DrawnLine((200.0, 700.0, 450.0, 560.0), 6, (255, 255, 255))


@pytest.mark.parametrize(("line", "colour"), [(BLACK_INK, "black"), (WHITE_INK, "white")])
def test_a_flat_black_or_white_line_is_reported_as_ink(line: DrawnLine, colour: str) -> None:
    """A black or a white pen line across the beige handbag: the bag has dark seams and light
    highlights, so the foreign-colour rule cannot see it (the scorer gave the black one 0.25),
    but its core is flat black or white all along, which no shaded surface is."""
    image = Image.open(HANDBAG).convert("RGB")
    result = analyze(drawn_over(image, line))
    hits = [d for d in result.defects.defects if box_hit(line.box, [d.box])]
    assert hits
    assert hits[0].confidence >= INK_LINE_CONFIDENCE
    assert result.condition.value == "used"  # a mark on the product, not damage to it
    assert hits[0].metadata["ink"] is True
    assert hits[0].metadata["ink_colour"] == colour
    assert hits[0].metadata["foreign_colour"] is False
    assert f"in flat {colour}, like ink or paint" in hits[0].description
    assert analyze(HANDBAG.read_bytes()).defects.defects == []


def test_a_brush_stroke_on_a_large_photo_is_reported_as_ink() -> None:
    """A 16 px black stroke across the handbag photographed at 1450 x 1800: too broad for the
    grey ridge filter at working size, it is found as the colour ridge along its edge, whose
    cross-sections still take in the stroke's black core."""
    image = Image.open(HANDBAG).convert("RGB")
    large = image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
    width, height = large.size
    line = DrawnLine((width * 0.3, height * 0.62, width * 0.62, height * 0.55), 16, (0, 0, 0))
    defects = analyze(drawn_over(large, line)).defects.defects
    hits = [d for d in defects if box_hit(line.box, [d.box])]
    assert hits
    assert hits[0].metadata["ink_colour"] == "black"


def test_a_flat_green_line_on_a_green_product_is_reported_as_ink() -> None:
    """A green pen line on the green T-shirt: the shirt has that colour, so the foreign-colour
    rule does not hold, but the line's core is a strong, flat green all along."""
    shirt = CATALOG_PHOTOS / "green_tshirt.jpg"
    line = DrawnLine((545.0, 325.0, 331.0, 451.0), 4, (40, 170, 60))
    defects = analyze(drawn_over(Image.open(shirt).convert("RGB"), line)).defects.defects
    hits = [d for d in defects if box_hit(line.box, [d.box])]
    assert hits
    assert hits[0].metadata["ink_colour"] == "green"
    assert hits[0].metadata["foreign_colour"] is False
    assert "in flat green, like ink or paint" in hits[0].description
    assert analyze(shirt.read_bytes()).defects.defects == []


def test_only_a_drawn_line_has_a_flat_black_core() -> None:
    """The handbag's own dark seams and zip tracks are shaded: their darkest pixels stay far
    above ink black; the drawn line's core is black along its whole length."""

    def dark_lines(data: bytes) -> list[tuple[bool, float]]:
        inputs = inputs_from(prepare(data))
        scored, _ = find_candidates(inputs, None)
        return [
            (item.rule == "ink", stroke_core(inputs.lab, item.candidate).darkest)
            for item in scored
            if item.candidate is not None and item.candidate.kind == "dark_line"
        ]

    drawn = dark_lines(drawn_over(Image.open(HANDBAG).convert("RGB"), BLACK_INK))
    assert next(core for ink, core in drawn if ink) <= INK_DARK
    clean = dark_lines(HANDBAG.read_bytes())
    assert len(clean) > 5
    assert min(core for _, core in clean) > 3 * INK_DARK


def test_no_clean_product_photo_gets_a_rule_raised_line() -> None:
    """The foreign-colour and ink rules report at 0.8-0.9 whatever the scorer says, so they
    must hold on none of the clean product photos of the three labelled folders."""
    folders = (PHOTOS, MORE_PHOTOS, CATALOG_PHOTOS)
    clean = [item for folder in folders for item in read_dataset(folder) if not item.defective]
    assert len(clean) > 80
    for item in clean:
        scored, _ = find_candidates(inputs_from(prepare(item.path.read_bytes())), None)
        assert [candidate.rule for candidate in scored if candidate.rule] == [], item.filename


def test_a_drawn_line_has_the_same_surface_on_both_sides() -> None:
    """A line drawn across the fabric leaves the fabric on both of its sides: its side colours
    differ far less than the line differs from them (log ratio, weighted by how diagonal it
    is), unlike the seams it crosses, which run along the photo's axes."""
    scored, _ = find_candidates(inputs_from(prepare(_bag_with_line(PEN, 7))), None)
    strongest = scored[0]
    assert strongest.candidate is not None
    assert strongest.candidate.features["sides_diagonal"] < -1.0
    assert strongest.candidate.features["colour_step"] > math.log(1.0 + 15.0)
    others = [item.candidate for item in scored[1:] if item.candidate and item.candidate.is_line]
    assert others
    assert all(other.features["sides_diagonal"] > -1.0 for other in others)


def test_a_cluttered_scene_is_searched_across_the_gaps_of_its_mask() -> None:
    """Without a plain backdrop the mask is the pieces of the carton that stand out from the
    shop around it; defects are looked for over their convex hull."""
    foreground = prepare((MORE_PHOTOS / "grocery_organic_milk.jpg").read_bytes()).foreground
    assert foreground.method == "border-contrast"
    searched = search_mask(foreground)
    assert searched[foreground.mask].all()
    assert searched.sum() > 2 * foreground.mask.sum()
    plain = prepare(photo_bytes("grey_duffel_bag.jpg")).foreground
    assert plain.method == "border-color"
    assert (search_mask(plain) == plain.mask).all()


@pytest.mark.parametrize("seed", range(6))
def test_a_smooth_line_is_a_scratch_and_a_zigzag_a_crack(seed: int) -> None:
    """The type follows the line's shape: a crack wanders and branches, a scratch is an arc."""
    shape = (900, 791)
    rng = np.random.default_rng(seed)
    centre = (float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.3, 0.7)))
    angle = float(rng.uniform(-90, 90))
    shapes = {}
    for kind in ("scratch", "crack"):
        alpha = damage_alpha(shape, Damage(kind, centre, 0.25, angle, (70, 70, 70), 1.0, seed))
        shapes[kind] = wiggle(alpha > 0.3)
    assert shapes["scratch"] < CRACK_WIGGLE < shapes["crack"], shapes


@pytest.mark.parametrize(
    ("name", "defect_type"),
    [("grey_duffel_bag_scratch.jpg", "scratch"), ("grey_duffel_bag_stain.jpg", "stain")],
)
def test_drawn_damage_is_the_strongest_finding_of_its_photo(name: str, defect_type: str) -> None:
    """Below the report threshold too, the ranking points at the damage: its box is where
    it was drawn, with the right type, and it outranks everything on the clean photo."""
    prepared = prepare(photo_bytes(name))
    candidates, _ = find_candidates(inputs_from(prepared), None)
    assert _covers(_truth(name), candidates[0].box)
    assert candidates[0].defect_type == defect_type
    clean, _ = find_candidates(inputs_from(prepare(photo_bytes("grey_duffel_bag.jpg"))), None)
    assert candidates[0].confidence > clean[0].confidence


def test_the_clean_photo_scores_lower_than_its_damaged_copies(
    analysis: Callable[[str], AnalysisResult],
) -> None:
    clean = analysis("led_bulb.jpg").defects
    assert not any(_covers(_truth("led_bulb_crack.jpg"), d.box) for d in clean.defects)
    assert analysis("led_bulb_crack.jpg").defects.anomaly_score > clean.anomaly_score + 0.3
    bag = analysis("grey_duffel_bag.jpg").defects.anomaly_score
    for damaged in ("grey_duffel_bag_scratch.jpg", "grey_duffel_bag_stain.jpg"):
        assert analysis(damaged).defects.anomaly_score > bag


def test_boxes_follow_exif_orientation() -> None:
    image = Image.open(io.BytesIO(photo_bytes("led_bulb_crack.jpg")))
    width, height = image.size
    rotated = image.transpose(Image.Transpose.ROTATE_90)  # stored rotated, EXIF undoes it
    exif = rotated.getexif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    rotated.save(buffer, "JPEG", quality=95, exif=exif)
    result = analyze(buffer.getvalue())
    assert (result.quality.width, result.quality.height) == (width, height)
    truth = _truth("led_bulb_crack.jpg")
    assert any(_covers(truth, d.box) for d in result.defects.defects)


def test_report_shape_heatmap_and_types(analysis: Callable[[str], AnalysisResult]) -> None:
    report = analysis("led_bulb_crack.jpg").defects
    assert report.heatmap is not None
    values = np.array(report.heatmap.values)
    assert values.ndim == 2
    assert values.min() >= 0
    assert values.max() <= 1
    assert values.max() == pytest.approx(report.anomaly_score, abs=1e-3)
    for defect in report.defects:
        assert defect.defect_type in DEFECT_TYPES
        assert defect.severity in ("low", "medium", "high")
        assert get_ml_config().defects.report_above <= defect.confidence <= 1.0
        assert defect.box.x >= 0
        assert defect.box.x2 <= 791
        assert defect.box.y2 <= 900
        assert defect.description
    assert report.model_version == "1.0.0-fp32"
    assert report.condition.metadata["wear_index"] >= 0.0


def test_confidences_are_calibrated_by_rank_and_never_reorder() -> None:
    scorer = load_scorer()
    assert len(scorer.line_ranks) == len(scorer.blob_ranks) == 2
    logits = np.array([-1.0, 3.0, 0.5, -4.0])
    probabilities = calibrate_by_rank(logits, scorer.line_ranks)
    order = np.argsort(-logits)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert [probabilities[i] for i in order] == sorted(probabilities, reverse=True)
    # The strongest finding of a photo is judged more leniently than a runner-up.
    assert probabilities[1] > calibrate_by_rank(np.array([3.0, 3.0]), scorer.line_ranks)[1]


def test_the_scorer_refits_from_tuning_photos_only() -> None:
    items = read_dataset(PHOTOS)
    tuning = defect_training.tuning_photos(items)
    assert tuning
    assert {item.split for item in tuning} == {"tune"}
    assert not any(item.defective for item in tuning)
    scorer = defect_training.train(
        [PHOTOS],
        copies=3,
        photo_filter=lambda item: item.filename in ("grey_duffel_bag.jpg", "led_bulb.jpg"),
    )
    assert scorer.training["photos"] == ["grey_duffel_bag.jpg"]  # led_bulb is held out
    assert scorer.training["copies_per_photo"] == 3
    for model in (scorer.line, scorer.blob):
        assert np.isfinite(model.coef).all()
        assert np.isfinite(model.intercept)


def test_training_damage_is_drawn_on_the_product_not_on_the_backdrop() -> None:
    """The bag's mask runs down to the frame over the white floor it stands on; damage drawn
    there would teach the scorer nothing about product surfaces."""
    prepared = prepare(photo_bytes("grey_duffel_bag.jpg"))
    interior = interior_mask(prepared.foreground.mask)
    surface = defect_training.drawing_surface(prepared).astype(bool)
    height, width = interior.shape
    assert not (surface & ~interior).any()
    floor = slice(height - 10, height)
    assert interior[floor].mean() > 0.9
    assert not surface[floor].any()
    assert surface[int(0.7 * height), width // 2]  # the grey fabric


def test_a_reference_bank_flags_what_the_references_never_show() -> None:
    clean = prepare(photo_bytes("led_bulb.jpg"))
    cracked = prepare(photo_bytes("led_bulb_crack.jpg"))
    coverage = np.ones((28, 28), np.float32)
    bank = MemoryBank(
        category="lighting",
        features=coreset(project_for_bank(clean.outputs.patch_features, coverage), 400),
        sources=("led_bulb.jpg",),
        backbone_version=clean.model_version,
    )
    own, _ = anomaly_map(clean.outputs.patch_features, coverage, bank)
    other, stats = anomaly_map(cracked.outputs.patch_features, coverage, bank)
    assert own.max() < 0.05  # every patch of the reference is in the bank
    assert other.max() > own.max()
    assert stats["patches"] > 100


def test_a_reference_photo_without_object_patches_adds_nothing_to_the_bank() -> None:
    # In-store photos can leave no backbone cell half covered by the object mask.
    prepared = prepare(photo_bytes("led_bulb.jpg"))
    grid = prepared.outputs.patch_features.shape[-1]
    empty = project_for_bank(prepared.outputs.patch_features, np.zeros((grid, grid), np.float32))
    full = project_for_bank(prepared.outputs.patch_features, np.ones((grid, grid), np.float32))
    assert empty.shape == (0, full.shape[1])
    assert np.concatenate([full, empty]).shape == full.shape


def test_detect_defects_uses_the_prepared_image_only() -> None:
    prepared = prepare(photo_bytes("led_bulb_crack.jpg"))
    report = detect_defects(prepared, classify(prepared), include_heatmap=False)
    assert report.heatmap is None
    assert report.defects


def test_defects_measured_while_the_backbone_runs_are_those_measured_after_it() -> None:
    data = photo_bytes("led_bulb_crack.jpg")
    beside = prepare(data)
    after = prepare(data, defect_surface=False)
    assert beside.defect_surface is not None
    assert after.defect_surface is None
    classification = classify(beside)
    reports = [detect_defects(p, classification, include_heatmap=False) for p in (beside, after)]
    assert reports[0].defects
    assert [(d.defect_type, d.box, d.confidence) for d in reports[0].defects] == [
        (d.defect_type, d.box, d.confidence) for d in reports[1].defects
    ]
    assert reports[0].anomaly_score == reports[1].anomaly_score


@pytest.mark.parametrize("count", [1, 2, 7, 60, 301])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_median_of_is_numpys_median(count: int, dtype: type) -> None:
    values = np.random.default_rng(count).normal(50.0, 20.0, count).astype(dtype)
    assert median_of(values) == float(np.median(values))
    assert median_of(np.full(count, 3.5, dtype)) == 3.5
    pixels = np.random.default_rng(count).normal(50.0, 20.0, (count, 3)).astype(dtype)
    medians = channel_medians(pixels)
    assert medians.dtype == dtype
    assert np.array_equal(medians, np.median(pixels, axis=0))


@pytest.mark.parametrize("count", [1, 2, 50, 4001])
def test_mean_u8_is_numpys_mean(count: int) -> None:
    image = np.random.default_rng(count).integers(0, 256, (count, 2, 3), dtype=np.uint8)
    pixels = image[:, 0]  # a strided view, as a window's selection can be
    assert mean_u8(pixels) == tuple(float(value) for value in pixels.mean(axis=0))


def test_patch_support_is_the_strongest_cell_under_the_candidate() -> None:
    patch_map = np.zeros((14, 14), np.float32)
    patch_map[3, 10] = 0.8
    patch_map[12, 1] = 0.3
    assert patch_support(patch_map, (0.7, 0.2, 0.8, 0.3)) == pytest.approx(0.8)
    assert patch_support(patch_map, (0.0, 0.8, 0.2, 1.0)) == pytest.approx(0.3)
    assert patch_support(patch_map, (0.3, 0.3, 0.5, 0.5)) == 0.0
    assert patch_support(patch_map, None) == 0.0  # no model region
    assert patch_support(patch_map, (1.2, 0.0, 1.5, 0.5)) == 0.0  # beside the model region
