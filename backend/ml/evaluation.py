"""``imagineai eval DATASET...``: accuracy, colour agreement and the defect figures per split.

A dataset is one or more folders, each with ``labels.csv``
(``filename,category[,colour][,defective][,split]``;
category ``unknown`` for photos that show no product; split ``tune`` for photos used to fit and
choose thresholds, ``holdout`` for photos kept out of all of that) and, optionally,
``defect_boxes.csv`` (``filename,defect_type,x,y,width,height`` in original pixels).

Defect figures per split: image-level AUROC of the anomaly score, the share of drawn defects
boxed by a reported defect, false defects per clean photo, the conditions given to clean and to
damaged photos, and a reliability table: every candidate above ``RELIABILITY_FLOOR``, binned by
its confidence, with the share that lies on a labelled defect (a calibrated detector's 0.8 is
right about 80 % of the time).
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.ml.config import get_ml_config
from backend.ml.defect_detector import ScoredCandidate
from backend.ml.errors import ImageDecodeError
from backend.ml.inference import (
    AnalysisResult,
    PreparedImage,
    classify,
    detect_defects_with_candidates,
    extract_features,
    prepare_many,
)
from backend.ml.preprocessing import Box
from backend.ml.results import UNKNOWN_LABEL

BATCH = 8
BOX_HIT_IOU = 0.1
RELIABILITY_FLOOR = 0.1
RELIABILITY_BINS = (0.1, 0.3, 0.5, 0.7, 0.9, 1.0001)
SPLITS = ("tune", "holdout")


@dataclass(frozen=True)
class LabelledImage:
    filename: str
    category: str
    colour: str | None
    defective: bool | None
    boxes: tuple[Box, ...] = ()
    split: str = ""  # "tune" (used to fit and choose thresholds) or "holdout"
    folder: Path = Path()

    @property
    def path(self) -> Path:
        return self.folder / self.filename


@dataclass
class ReliabilityBin:
    low: float
    high: float
    count: int = 0
    right: int = 0
    confidence_sum: float = 0.0

    @property
    def mean_confidence(self) -> float | None:
        return self.confidence_sum / self.count if self.count else None

    @property
    def accuracy(self) -> float | None:
        return self.right / self.count if self.count else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": min(1.0, self.high),
            "count": self.count,
            "right": self.right,
            "mean_confidence": self.mean_confidence,
            "accuracy": self.accuracy,
        }


@dataclass
class DefectFigures:
    """Defect figures over the photos of one split that have a ``defective`` label."""

    clean: int = 0
    damaged: int = 0
    auroc: float | None = None
    boxes: int = 0
    box_hits: int = 0
    false_defects: int = 0
    clean_flagged: int = 0  # clean photos with at least one reported defect
    conditions: dict[str, dict[str, int]] = field(
        default_factory=lambda: {"clean": {}, "damaged": {}}
    )
    reliability: list[ReliabilityBin] = field(
        default_factory=lambda: [
            ReliabilityBin(low, high) for low, high in itertools.pairwise(RELIABILITY_BINS)
        ]
    )
    scores: list[float] = field(default_factory=list, repr=False)
    positives: list[bool] = field(default_factory=list, repr=False)

    @property
    def box_hit_rate(self) -> float | None:
        return self.box_hits / self.boxes if self.boxes else None

    @property
    def false_defects_per_clean_image(self) -> float | None:
        return self.false_defects / self.clean if self.clean else None

    @property
    def expected_calibration_error(self) -> float | None:
        total = sum(b.count for b in self.reliability)
        if not total:
            return None
        return (
            sum(
                b.count * abs((b.accuracy or 0.0) - (b.mean_confidence or 0.0))
                for b in self.reliability
            )
            / total
        )

    def add(
        self,
        item: LabelledImage,
        result: AnalysisResult,
        candidates: list[ScoredCandidate],
    ) -> None:
        if item.defective is None:
            return
        reported = [defect.box for defect in result.defects.defects]
        self.scores.append(result.defects.anomaly_score)
        self.positives.append(item.defective)
        group = "damaged" if item.defective else "clean"
        condition = result.condition.value
        self.conditions[group][condition] = self.conditions[group].get(condition, 0) + 1
        if item.defective:
            self.damaged += 1
        else:
            self.clean += 1
            self.false_defects += len(reported)
            self.clean_flagged += int(bool(reported))
        for truth in item.boxes:
            self.boxes += 1
            self.box_hits += int(box_hit(truth, reported))
        for candidate in candidates:
            if candidate.confidence < RELIABILITY_FLOOR:
                continue
            right = any(box_hit(truth, [candidate.box]) for truth in item.boxes)
            for bin_ in self.reliability:
                if bin_.low <= candidate.confidence < bin_.high:
                    bin_.count += 1
                    bin_.right += int(right)
                    bin_.confidence_sum += candidate.confidence
                    break

    def finish(self) -> None:
        self.auroc = auroc(self.scores, self.positives)

    def to_dict(self) -> dict[str, Any]:
        return {
            "clean": self.clean,
            "damaged": self.damaged,
            "auroc": self.auroc,
            "boxes": self.boxes,
            "box_hits": self.box_hits,
            "box_hit_rate": self.box_hit_rate,
            "false_defects_per_clean_image": self.false_defects_per_clean_image,
            "clean_flagged": self.clean_flagged,
            "conditions": self.conditions,
            "reliability": [b.to_dict() for b in self.reliability],
            "expected_calibration_error": self.expected_calibration_error,
        }


@dataclass
class EvalReport:
    images: int = 0
    failed: list[str] = field(default_factory=list)
    per_category: dict[str, dict[str, int]] = field(default_factory=dict)
    top1: float = 0.0
    top3: float = 0.0
    per_split_top1: dict[str, float] = field(default_factory=dict)
    #: Per split: photos labelled right, "unknown" (when they show a product) and wrong.
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    colour_agreement: float | None = None
    colour_in_top2: float | None = None
    colour_images: int = 0
    defects: dict[str, DefectFigures] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        payload = {
            key: value for key, value in self.__dict__.items() if key not in ("rows", "defects")
        }
        payload["defects"] = {split: figures.to_dict() for split, figures in self.defects.items()}
        return payload


class DatasetError(ValueError):
    """A dataset that cannot be used: a CSV (labels, defect boxes, custom categories) not in its
    documented format, or no rows of the kind a command needs."""


_TRUE = ("1", "true", "yes")
_FALSE = ("0", "false", "no")


def read_csv_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The CSV rows with their line numbers, after checking the encoding and the header."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [name for name in required if name not in header]
            if missing:
                raise DatasetError(
                    f"{path} needs the columns {', '.join(required)}; missing "
                    f"{', '.join(missing)} (header: {','.join(header) or 'none'})"
                )
            return [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path} is not UTF-8 text: {exc.reason}") from exc
    except csv.Error as exc:
        raise DatasetError(f"{path} is not valid CSV: {exc}") from exc


def csv_cell(row: dict[str, str], key: str) -> str:
    return (row.get(key) or "").strip()


def _defective(path: Path, line: int, text: str) -> bool | None:
    if text == "":
        return None
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise DatasetError(f"{path} line {line}: defective must be 0 or 1, not {text!r}")


def read_dataset(folder: Path) -> list[LabelledImage]:
    """The labelled images of a folder; ``DatasetError`` says which line of which file is
    wrong."""
    labels = folder / "labels.csv"
    if not labels.is_file():
        raise FileNotFoundError(
            f"{labels} not found (expected filename,category[,colour][,defective][,split])"
        )
    boxes: dict[str, list[Box]] = defaultdict(list)
    box_file = folder / "defect_boxes.csv"
    if box_file.is_file():
        keys = ("filename", "x", "y", "width", "height")
        for line, row in read_csv_rows(box_file, keys):
            try:
                boxes[csv_cell(row, "filename")].append(
                    Box(*(float(csv_cell(row, key)) for key in keys[1:]))
                )
            except ValueError as exc:
                raise DatasetError(f"{box_file} line {line}: {exc}") from exc
    items = []
    for line, row in read_csv_rows(labels, ("filename", "category")):
        filename, category = csv_cell(row, "filename"), csv_cell(row, "category")
        if not filename or not category:
            raise DatasetError(f"{labels} line {line}: filename and category must not be empty")
        items.append(
            LabelledImage(
                filename=filename,
                category=category,
                colour=csv_cell(row, "colour") or None,
                defective=_defective(labels, line, csv_cell(row, "defective")),
                boxes=tuple(boxes.get(filename, ())),
                split=csv_cell(row, "split"),
                folder=folder,
            )
        )
    return items


def auroc(scores: list[float], positives: list[bool]) -> float | None:
    """Area under the ROC curve (Mann-Whitney U with ties counted half)."""
    pos = [s for s, p in zip(scores, positives, strict=True) if p]
    neg = [s for s, p in zip(scores, positives, strict=True) if not p]
    if not pos or not neg:
        return None
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _category(label: str) -> str:
    return UNKNOWN_LABEL if label == UNKNOWN_LABEL else label.split("/", 1)[0]


def box_hit(truth: Box, predicted: Iterable[Box]) -> bool:
    """A predicted box finds a labelled defect when its centre lies in the labelled box or the
    two overlap by ``BOX_HIT_IOU``."""
    for box in predicted:
        centre_x, centre_y = box.x + box.width / 2, box.y + box.height / 2
        inside = truth.x <= centre_x <= truth.x2 and truth.y <= centre_y <= truth.y2
        if inside or truth.iou(box) >= BOX_HIT_IOU:
            return True
    return False


def analyse_with_candidates(
    prepared: PreparedImage,
) -> tuple[AnalysisResult, list[ScoredCandidate]]:
    """The production result (as ``analyze`` gives it) and every scored defect candidate."""
    classification = classify(prepared)
    attributes = extract_features(prepared, classification)
    report, candidates = detect_defects_with_candidates(
        prepared, classification, include_heatmap=False
    )
    result = AnalysisResult(
        classification=classification,
        attributes=attributes,
        defects=report,
        quality=prepared.quality,
        embedding=[],
        model_versions={"backbone": prepared.model_version},
        timings_ms=dict(prepared.timings_ms),
        routing=prepared.routing.to_dict(),
        image=dict(prepared.image_info),
    )
    return result, candidates


@dataclass
class _Tally:
    per_category: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: {"images": 0, "top1": 0, "top3": 0})
    )
    split_hits: Counter[str] = field(default_factory=Counter)
    split_images: Counter[str] = field(default_factory=Counter)
    colour_hits: int = 0
    colour_top2: int = 0

    def add(
        self,
        item: LabelledImage,
        result: AnalysisResult,
        candidates: list[ScoredCandidate],
        report: EvalReport,
    ) -> None:
        predicted = _category(result.classification.label)
        top3 = [_category(label) for label, _ in result.classification.top_k[:3]]
        if predicted == UNKNOWN_LABEL:
            top3 = [UNKNOWN_LABEL, *top3]
        stats = self.per_category[item.category]
        stats["images"] += 1
        stats["top1"] += int(predicted == item.category)
        stats["top3"] += int(item.category in top3[:3])
        self.split_images[item.split] += 1
        self.split_hits[item.split] += int(predicted == item.category)
        outcome = (
            "right"
            if predicted == item.category
            else "unknown"
            if predicted == UNKNOWN_LABEL
            else "wrong"
        )
        for split in {item.split or "all", "all"}:
            counts = report.outcomes.setdefault(split, {"right": 0, "unknown": 0, "wrong": 0})
            counts[outcome] += 1
        attributes = {attribute.name: attribute.value for attribute in result.attributes}
        if item.colour:
            report.colour_images += 1
            self.colour_hits += int(attributes.get("color") == item.colour)
            self.colour_top2 += int(
                item.colour in (attributes.get("color"), attributes.get("secondary_color"))
            )
        for split in {item.split or "all", "all"}:
            report.defects.setdefault(split, DefectFigures()).add(item, result, candidates)
        report.rows.append(
            {
                "filename": item.filename,
                "split": item.split,
                "truth": item.category,
                "predicted": result.classification.label,
                "confidence": round(result.classification.confidence, 3),
                "colour": attributes.get("color"),
                "colour_truth": item.colour,
                "anomaly": round(result.defects.anomaly_score, 3),
                "defective": item.defective,
                "defects": len(result.defects.defects),
                "condition": result.condition.value,
            }
        )

    def finish(self, report: EvalReport) -> EvalReport:
        report.per_category = dict(self.per_category)
        counted = sum(stats["images"] for stats in self.per_category.values())
        if counted:
            report.top1 = sum(stats["top1"] for stats in self.per_category.values()) / counted
            report.top3 = sum(stats["top3"] for stats in self.per_category.values()) / counted
        report.per_split_top1 = {
            split: self.split_hits[split] / images
            for split, images in self.split_images.items()
            if split
        }
        if report.colour_images:
            report.colour_agreement = self.colour_hits / report.colour_images
            report.colour_in_top2 = self.colour_top2 / report.colour_images
        for figures in report.defects.values():
            figures.finish()
        return report


def evaluate(*folders: Path) -> EvalReport:
    items = [item for folder in folders for item in read_dataset(folder)]
    report = EvalReport()
    tally = _Tally()
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        payloads = [item.path.read_bytes() for item in chunk]
        for item, prepared in zip(chunk, prepare_many(payloads), strict=True):
            if isinstance(prepared, ImageDecodeError):
                report.failed.append(f"{item.filename}: {prepared}")
                continue
            report.images += 1
            result, candidates = analyse_with_candidates(prepared)
            tally.add(item, result, candidates, report)
    return tally.finish(report)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _number(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def format_defects(report: EvalReport) -> list[str]:
    splits = [split for split in (*SPLITS, "all") if split in report.defects]
    if not splits:
        return []
    figures = [report.defects[split] for split in splits]
    threshold = get_ml_config().defects.report_above

    def row(title: str, values: Iterable[str]) -> str:
        return f"{title:<34}" + "".join(f"{value:>12}" for value in values)

    def conditions(group: str) -> Iterable[str]:
        for f in figures:
            counts = f.conditions[group]
            yield "/".join(str(counts.get(name, 0)) for name in ("new", "used", "damaged"))

    lines = [
        "",
        f"defects (reported at confidence >= {threshold:.2f})",
        row("", splits),
        row("photos clean / damaged", (f"{f.clean} / {f.damaged}" for f in figures)),
        row("defect AUROC (image level)", (_number(f.auroc, 3) for f in figures)),
        row(
            "defect box hit rate",
            (f"{_pct(f.box_hit_rate)} ({f.box_hits}/{f.boxes})" for f in figures),
        ),
        row(
            "false defects per clean photo",
            (_number(f.false_defects_per_clean_image) for f in figures),
        ),
        row("clean photos with a defect", (f"{f.clean_flagged}/{f.clean}" for f in figures)),
        row("clean -> new/used/damaged", conditions("clean")),
        row("damaged -> new/used/damaged", conditions("damaged")),
        row("expected calibration error", (_number(f.expected_calibration_error) for f in figures)),
    ]
    for split in splits:
        if split == "all":
            continue
        lines += ["", f"reliability ({split}): candidates by confidence, share on a real defect"]
        lines.append(f"{'confidence':<14}{'candidates':>11}{'mean conf':>11}{'right':>9}")
        for bin_ in report.defects[split].reliability:
            lines.append(
                f"{bin_.low:.1f}-{min(1.0, bin_.high):.1f}{'':<7}{bin_.count:>11}"
                f"{_number(bin_.mean_confidence):>11}{_pct(bin_.accuracy):>9}"
            )
    return lines


def format_report(report: EvalReport) -> str:
    lines = [f"images: {report.images} (failed: {len(report.failed)})", ""]
    lines.append(f"{'category':<20} {'n':>3} {'top-1':>7} {'top-3':>7}")
    for category, stats in sorted(report.per_category.items()):
        n = stats["images"]
        lines.append(
            f"{category:<20} {n:>3} {_pct(stats['top1'] / n):>7} {_pct(stats['top3'] / n):>7}"
        )
    splits = ", ".join(f"{split} {_pct(value)}" for split, value in report.per_split_top1.items())
    outcomes = "; ".join(
        f"{split}: {c['right']} right, {c['unknown']} unknown, {c['wrong']} wrong"
        for split, c in sorted(report.outcomes.items())
    )
    lines += [
        "",
        f"top-1 accuracy: {_pct(report.top1)}" + (f" ({splits})" if splits else ""),
        f"top-3 accuracy: {_pct(report.top3)}",
        f"answers: {outcomes}",
        f"colour agreement: {_pct(report.colour_agreement)} "
        f"(in top-2 colours: {_pct(report.colour_in_top2)}; {report.colour_images} images)",
    ]
    lines += format_defects(report)
    lines += [f"failed: {failure}" for failure in report.failed]
    return "\n".join(lines)
