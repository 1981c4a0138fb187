"""Fit the defect scorer (``data/defect_scorer.json``) on the tuning photos of a dataset.

``python -m backend.ml.defect_training [DATASET...]`` (default ``tests/data/photos`` and
``tests/data/more_photos``). Only rows of ``labels.csv`` with ``split=tune`` and ``defective=0``
are used; the held-out rows are never read, so ``imagineai eval`` on them measures photos the
scorer has not seen.

For each clean tuning photo, every candidate the cues find is a negative (shadows, print,
texture, highlights, outlines, clutter). Then ``COPIES`` copies get one random scratch, crack or
stain each, or on ``MARK_SHARE`` of them a paint or ink mark (``synthetic_defects``, drawn on
the object at a random scale and re-encoded as JPEG); candidates lying on the drawn damage are
positives, those away from it negatives. The clean photo's negatives are weighted ``COPIES``
times, so the fitted probabilities are those of a world where half the photos carry one defect.
Logistic regression with an L2 penalty chosen by cross-validation over photos (never splitting
one photo's copies across folds).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import structlog
from PIL import Image

from backend.ml.defect_cues import BLOB_FEATURES, LINE_FEATURES, Candidate, interior_mask
from backend.ml.defect_detector import inputs_from, measure_candidates, search_mask
from backend.ml.defect_scorer import SCORER_PATH, DefectScorer, LogisticModel, standardise
from backend.ml.evaluation import DatasetError, LabelledImage, read_dataset
from backend.ml.foreground import distance_to
from backend.ml.inference import PreparedImage, prepare
from backend.ml.preprocessing import decode_image
from backend.ml.results import UNKNOWN_LABEL
from backend.ml.synthetic_defects import Damage, DrawnDamage, draw, random_damage, random_mark

log = structlog.get_logger(__name__)

COPIES = 80
#: Share of the copies that get a paint or ink mark (``random_mark``) instead of worn-in damage.
MARK_SHARE = 0.3
SEED = 20261125
#: A candidate is a positive when this share of its pixels lies on drawn damage, a negative
#: below NEGATIVE_OVERLAP; in between it is ambiguous and left out.
POSITIVE_OVERLAP = 0.4
NEGATIVE_OVERLAP = 0.05
DAMAGE_ALPHA = 0.1
FAINT_ALPHA = 0.02
#: Damage that changes the photo by less than this (mean delta E) is too faint to teach with.
VISIBLE_DELTA_E = 15.0
#: Damage is centred at least this far (share of the short side) inside the object.
MIN_CENTRE_DEPTH = 0.04
#: On a plain backdrop, damage is drawn only where the photo differs from the backdrop by this
#: much (delta E): the object mask also takes in the product's shadow and reflection on the
#: backdrop, and damage drawn there teaches nothing about product surfaces.
OBJECT_DELTA_E = 12.0
PENALTIES = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
DEFAULT_PENALTY = 30.0
#: Rank calibration when the tuning photos give nothing to fit on: never confident.
UNCALIBRATED = (1.0, -5.0)
FOLDS = 5
#: The strongest this many candidates of a photo get their own calibration.
CALIBRATED_RANKS = 2
SCALE_RANGE = (480, 900)
_TEST_DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
DEFAULT_DATASETS = (
    _TEST_DATA / "photos",
    _TEST_DATA / "more_photos",
    _TEST_DATA / "catalog_photos",
)


@dataclass
class Samples:
    """Feature rows of one candidate kind with labels, weights and the photo they came from."""

    features: tuple[str, ...]
    rows: list[list[float]] = field(default_factory=list)
    labels: list[float] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    images: list[int] = field(default_factory=list)

    def add(
        self, candidate: Candidate, label: float, weight: float, group: int, image: int
    ) -> None:
        self.rows.append([candidate.features[name] for name in self.features])
        self.labels.append(label)
        self.weights.append(weight)
        self.groups.append(group)
        self.images.append(image)


@dataclass
class TrainingSet:
    line: Samples = field(default_factory=lambda: Samples(LINE_FEATURES))
    blob: Samples = field(default_factory=lambda: Samples(BLOB_FEATURES))
    photos: list[str] = field(default_factory=list)
    drawn: dict[str, int] = field(default_factory=dict)

    images: int = 0

    def next_image(self) -> int:
        self.images += 1
        return self.images

    def samples(self, candidate: Candidate) -> Samples:
        return self.line if candidate.is_line else self.blob


def tuning_photos(items: Sequence[LabelledImage]) -> list[LabelledImage]:
    return [item for item in items if item.split == "tune" and item.defective is False]


def scaled_rgb(image_bytes: bytes, long_side: int) -> np.ndarray:
    """The photo decoded, with its long side brought down to ``long_side`` (never up)."""
    rgb = decode_image(image_bytes, max_pixels=100_000_000).rgb
    height, width = rgb.shape[:2]
    factor = min(1.0, long_side / max(height, width))
    if factor >= 1.0:
        return rgb
    size = (round(width * factor), round(height * factor))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def jpeg_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _overlap(candidate: Candidate, alpha: np.ndarray, floor: float = DAMAGE_ALPHA) -> float:
    window = alpha[
        candidate.y : candidate.y + candidate.height, candidate.x : candidate.x + candidate.width
    ]
    return float((window[candidate.component] > floor).mean())


def visibility(clean: np.ndarray, drawn: DrawnDamage) -> float:
    """How much the damage changed the photo: mean CIELAB delta E where it is drawn."""
    where = drawn.alpha > 0.3
    if not where.any():
        return 0.0
    before = cv2.cvtColor(clean, cv2.COLOR_RGB2Lab)[where].astype(np.float32)
    after = cv2.cvtColor(drawn.pixels, cv2.COLOR_RGB2Lab)[where].astype(np.float32)
    before[:, 0] *= 100.0 / 255.0
    after[:, 0] *= 100.0 / 255.0
    return float(np.linalg.norm(after - before, axis=1).mean())


def _label(candidate: Candidate, alpha: np.ndarray, kind: str) -> float | None:
    """1 on the drawn damage, 0 well away from it, None when in between or when the candidate
    is the other kind of cue (a stain's rim found as a line teaches the line model nothing)."""
    if _overlap(candidate, alpha, FAINT_ALPHA) < NEGATIVE_OVERLAP:
        return 0.0
    matches = candidate.is_line == (kind != "stain")
    if matches and _overlap(candidate, alpha) >= POSITIVE_OVERLAP:
        return 1.0
    return None


def drawing_surface(prepared: PreparedImage) -> np.ndarray:
    """Where damage may be drawn: inside the object and, on a plain backdrop, unlike it."""
    inside = interior_mask(search_mask(prepared.foreground))
    if prepared.foreground.method == "border-color":
        background = np.asarray(prepared.foreground.background_lab, dtype=np.float32)
        inside &= distance_to(prepared.lab, background) > OBJECT_DELTA_E
    return inside.astype(np.uint8)


def surface_depth(prepared: PreparedImage) -> np.ndarray:
    """Distance of each working pixel from the edge of the drawing surface (share of the short
    side)."""
    height, width = prepared.foreground.mask.shape
    depth: np.ndarray = cv2.distanceTransform(drawing_surface(prepared), cv2.DIST_L2, 3)
    depth /= min(height, width)
    return depth


def has_room_for_damage(depth: np.ndarray) -> bool:
    return float(depth.max()) >= MIN_CENTRE_DEPTH


def damage_on_product(rng: np.random.Generator, damage: Damage, depth: np.ndarray) -> Damage:
    """The damage moved to a random point of the product, deep enough inside for most of it to
    lie on the product."""
    height, width = depth.shape
    reach = max(MIN_CENTRE_DEPTH, min(0.5 * damage.size, float(depth.max())))
    rows, cols = np.nonzero(depth >= reach)
    pick = int(rng.integers(len(rows)))
    return replace(damage, centre=((cols[pick] + 0.5) / width, (rows[pick] + 0.5) / height))


def collect(photos: Sequence[LabelledImage], copies: int, seed: int) -> TrainingSet:
    rng = np.random.default_rng(seed)
    training = TrainingSet()
    for group, photo in enumerate(photos):
        image_bytes = photo.path.read_bytes()
        prepared = prepare(image_bytes)
        clean_image = training.next_image()
        for candidate in measure_candidates(inputs_from(prepared), None).candidates:
            training.samples(candidate).add(candidate, 0.0, float(copies), group, clean_image)
        training.photos.append(photo.filename)
        depth = surface_depth(prepared)
        if photo.category == UNKNOWN_LABEL or not has_room_for_damage(depth):
            continue  # damage is drawn onto products, inside what the detector inspects
        for _ in range(copies):
            long_side = int(rng.integers(SCALE_RANGE[0], SCALE_RANGE[1] + 1))
            rgb = scaled_rgb(image_bytes, long_side)
            drawer = random_mark if rng.random() < MARK_SHARE else random_damage
            damage = damage_on_product(rng, drawer(rng, (0.5, 0.5)), depth)
            drawn = draw(rgb, damage)
            training.drawn[damage.kind] = training.drawn.get(damage.kind, 0) + 1
            visible = visibility(rgb, drawn) >= VISIBLE_DELTA_E
            damaged = prepare(jpeg_bytes(drawn.pixels))
            image = training.next_image()
            working = damaged.gray.shape[::-1]
            alpha = cv2.resize(drawn.alpha, working, interpolation=cv2.INTER_AREA)
            for candidate in measure_candidates(inputs_from(damaged), None).candidates:
                label = _label(candidate, alpha, damage.kind)
                if label == 1.0 and not visible:
                    continue  # too faint to call: neither a lesson for nor against
                if label is not None:
                    training.samples(candidate).add(candidate, label, 1.0, group, image)
        log.info("ml.defect_training.photo", photo=photo.filename, done=group + 1)
    return training


def fit_logistic(
    rows: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    penalty: float,
    *,
    clip: bool = True,
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Weighted L2-penalised logistic regression by Newton's method on standardised rows.

    Returns (coef, intercept, mean, scale); the intercept is not penalised.
    """
    total = float(weights.sum())
    mean = (rows * weights[:, None]).sum(axis=0) / total
    scale = np.sqrt(((rows - mean) ** 2 * weights[:, None]).sum(axis=0) / total)
    scale = np.where(scale > 1e-9, scale, 1.0)
    standardised = standardise(rows, mean, scale) if clip else (rows - mean) / scale
    design = np.hstack([standardised, np.ones((rows.shape[0], 1))])
    beta = np.zeros(design.shape[1])
    ridge = np.full(design.shape[1], penalty)
    ridge[-1] = 0.0
    for _ in range(50):
        probability = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -60, 60)))
        gradient = design.T @ (weights * (probability - labels)) + ridge * beta
        curvature = weights * probability * (1.0 - probability)
        hessian = design.T @ (design * curvature[:, None]) + np.diag(ridge + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta[:-1], float(beta[-1]), mean, scale


def _log_loss(probability: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    clipped = np.clip(probability, 1e-6, 1 - 1e-6)
    losses = -(labels * np.log(clipped) + (1 - labels) * np.log(1 - clipped))
    return float((losses * weights).sum() / weights.sum())


def _predict(
    rows: np.ndarray, fitted: tuple[np.ndarray, float, np.ndarray, np.ndarray]
) -> np.ndarray:
    coef, intercept, mean, scale = fitted
    logits = standardise(rows, mean, scale) @ coef + intercept
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -60, 60)))  # type: ignore[no-any-return]


def _out_of_fold_logits(samples: Samples, penalty: float) -> np.ndarray:
    rows = np.asarray(samples.rows, dtype=np.float64).reshape(-1, len(samples.features))
    labels = np.asarray(samples.labels, dtype=np.float64)
    weights = np.asarray(samples.weights, dtype=np.float64)
    folds = np.asarray(samples.groups) % FOLDS
    logits = np.zeros_like(labels)
    for fold in range(FOLDS):
        held = folds == fold
        train = ~held if np.unique(folds).size > 1 else held
        if not held.any() or np.unique(labels[train]).size < 2:
            continue
        coef, intercept, mean, scale = fit_logistic(
            rows[train], labels[train], weights[train], penalty
        )
        logits[held] = standardise(rows[held], mean, scale) @ coef + intercept
    return logits


def fit_rank_calibration(
    samples: Samples, penalty: float
) -> tuple[tuple[tuple[float, float], ...], dict[str, Any]]:
    """Platt scaling of each photo's strongest candidates of one kind, on out-of-fold log-odds.

    One example per training photo (clean photos weighted ``copies`` times, as in the
    candidate models) and rank: its r-th strongest candidate's log-odds, and whether that
    candidate lies on the drawn damage.
    """
    logits = _out_of_fold_logits(samples, penalty)
    labels = np.asarray(samples.labels, dtype=np.float64)
    weights = np.asarray(samples.weights, dtype=np.float64)
    images = np.asarray(samples.images)
    calibration: list[tuple[float, float]] = []
    summary: dict[str, Any] = {}
    for rank in range(CALIBRATED_RANKS):
        rows, targets, image_weights = [], [], []
        for image in np.unique(images):
            members = np.flatnonzero(images == image)
            if members.size <= rank:
                continue
            chosen = members[np.argsort(-logits[members], kind="stable")[rank]]
            rows.append([logits[chosen]])
            targets.append(labels[chosen])
            image_weights.append(weights[chosen])
        if len(set(targets)) < 2:
            calibration.append(UNCALIBRATED)
            summary[f"rank_{rank + 1}"] = {"photos": len(rows), "on_damage": int(np.sum(targets))}
            continue
        coef, intercept, mean, scale = fit_logistic(
            np.asarray(rows), np.asarray(targets), np.asarray(image_weights), 1e-3, clip=False
        )
        slope = float(coef[0] / scale[0])
        calibration.append((slope, float(intercept - slope * mean[0])))
        summary[f"rank_{rank + 1}"] = {"photos": len(rows), "on_damage": int(np.sum(targets))}
    return tuple(calibration), summary


def fit_samples(samples: Samples) -> tuple[LogisticModel, dict[str, Any]]:
    rows = np.asarray(samples.rows, dtype=np.float64).reshape(-1, len(samples.features))
    labels = np.asarray(samples.labels, dtype=np.float64)
    weights = np.asarray(samples.weights, dtype=np.float64)
    groups = np.asarray(samples.groups)
    assignment = groups % FOLDS
    scores: dict[float, float] = {}
    for penalty in PENALTIES if np.unique(assignment).size > 1 else ():
        out_of_fold = np.zeros_like(labels)
        for fold in range(FOLDS):
            held = assignment == fold
            train = ~held
            if not held.any() or np.unique(labels[train]).size < 2:
                out_of_fold[held] = labels[train].mean() if train.any() else 0.5
                continue
            fitted = fit_logistic(rows[train], labels[train], weights[train], penalty)
            out_of_fold[held] = _predict(rows[held], fitted)
        scores[penalty] = _log_loss(out_of_fold, labels, weights)
    penalty = min(scores, key=lambda key: scores[key]) if scores else DEFAULT_PENALTY
    coef, intercept, mean, scale = fit_logistic(rows, labels, weights, penalty)
    model = LogisticModel(samples.features, mean, scale, coef, intercept)
    summary = {
        "positives": int(labels.sum()),
        "negatives": int((labels == 0).sum()),
        "penalty": penalty,
        "cross_validated_log_loss": {str(k): round(v, 4) for k, v in scores.items()},
    }
    return model, summary


def train(
    folders: Sequence[Path] = DEFAULT_DATASETS,
    *,
    copies: int = COPIES,
    seed: int = SEED,
    photo_filter: Callable[[LabelledImage], bool] | None = None,
) -> DefectScorer:
    photos = tuning_photos([item for folder in folders for item in read_dataset(folder)])
    if photo_filter is not None:
        photos = [photo for photo in photos if photo_filter(photo)]
    if not photos:
        raise DatasetError("no clean tuning photos (split=tune, defective=0) in the datasets")
    training = collect(photos, copies, seed)
    line, line_summary = fit_samples(training.line)
    blob, blob_summary = fit_samples(training.blob)
    line_ranks, line_ranks_summary = fit_rank_calibration(training.line, line_summary["penalty"])
    blob_ranks, blob_ranks_summary = fit_rank_calibration(training.blob, blob_summary["penalty"])
    return DefectScorer(
        version=datetime.now(UTC).strftime("%Y%m%d"),
        line=line,
        blob=blob,
        line_ranks=line_ranks,
        blob_ranks=blob_ranks,
        training={
            "line_ranks": line_ranks_summary,
            "blob_ranks": blob_ranks_summary,
            "photos": training.photos,
            "copies_per_photo": copies,
            "seed": seed,
            "drawn": {str(kind): count for kind, count in training.drawn.items()},
            "line": line_summary,
            "blob": blob_summary,
        },
    )


def main(argv: Sequence[str]) -> int:
    """Exit status 2, with the reason and the scorer file untouched, when a dataset is unusable."""
    folders = [Path(arg) for arg in argv] if argv else list(DEFAULT_DATASETS)
    try:
        scorer = train(folders)
    except (FileNotFoundError, DatasetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    scorer.save(SCORER_PATH)
    log.info("ml.defect_training.saved", path=str(SCORER_PATH), training=scorer.training)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
