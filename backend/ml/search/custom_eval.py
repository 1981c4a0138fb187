"""Custom-head figures for ``imagineai eval``: a seller's few-shot labels on real photos.

A dataset folder may hold ``custom_categories.csv`` (``filename,label,split`` with ``split``
``train`` or ``test``). The head is trained on the ``train`` rows exactly as the worker trains a
seller's head, then every ``test`` image is classified as the pipeline would: the head answers
when it clears its gates, the base taxonomy otherwise. Photos of ``labels.csv`` that are in no
custom category show how often the head wrongly claims an image it was never taught.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.ml import few_shot, inference
from backend.ml.embeddings import embedding_space, normalize
from backend.ml.errors import ImageDecodeError
from backend.ml.evaluation import DatasetError, csv_cell, read_csv_rows, read_dataset
from backend.ml.inference import PreparedImage
from backend.shared.config import Settings

CUSTOM_LABELS_FILE = "custom_categories.csv"
BATCH = 8
EVAL_HEAD_VERSION = "custom-eval"


@dataclass(frozen=True)
class CustomExample:
    filename: str
    label: str
    split: str


@dataclass
class CustomHeadReport:
    labels: list[str] = field(default_factory=list)
    train_examples: int = 0
    test_images: int = 0
    answered_by_custom: int = 0
    correct: int = 0
    other_images: int = 0
    others_claimed: int = 0
    leave_one_out_accuracy: float | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        """Held-out images given their true custom label by the custom head."""
        return self.correct / self.test_images if self.test_images else None

    @property
    def others_fallback_rate(self) -> float | None:
        """Photos outside the custom categories left to the base taxonomy."""
        if not self.other_images:
            return None
        return 1 - self.others_claimed / self.other_images

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "train_examples": self.train_examples,
            "test_images": self.test_images,
            "answered_by_custom": self.answered_by_custom,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "other_images": self.other_images,
            "others_fallback_rate": self.others_fallback_rate,
            "leave_one_out_accuracy": self.leave_one_out_accuracy,
            "rows": self.rows,
        }


def read_custom_dataset(folder: Path) -> list[CustomExample]:
    path = folder / CUSTOM_LABELS_FILE
    examples = []
    for line, row in read_csv_rows(path, ("filename", "label", "split")):
        example = CustomExample(
            csv_cell(row, "filename"), csv_cell(row, "label"), csv_cell(row, "split")
        )
        if not example.filename or not example.label or example.split not in ("train", "test"):
            raise DatasetError(
                f"{path} line {line}: needs a filename, a label and split train or test"
            )
        examples.append(example)
    return examples


def _prepare(folder: Path, names: list[str]) -> list[PreparedImage | ImageDecodeError]:
    prepared: list[PreparedImage | ImageDecodeError] = []
    for start in range(0, len(names), BATCH):
        chunk = [(folder / name).read_bytes() for name in names[start : start + BATCH]]
        prepared.extend(inference.prepare_many(chunk))
    return prepared


def _other_images(folder: Path, custom: set[str]) -> list[str]:
    if not (folder / "labels.csv").is_file():
        return []
    return [item.filename for item in read_dataset(folder) if item.filename not in custom]


def evaluate_custom(folder: Path, settings: Settings) -> CustomHeadReport:
    examples = read_custom_dataset(folder)
    train = [item for item in examples if item.split == "train"]
    test = [item for item in examples if item.split == "test"]
    others = _other_images(folder, {item.filename for item in examples})
    names = [example.filename for example in [*train, *test]] + others
    by_name: dict[str, PreparedImage] = {
        name: result
        for name, result in zip(names, _prepare(folder, names), strict=True)
        if isinstance(result, PreparedImage)
    }
    usable = [item for item in train if item.filename in by_name]
    space = embedding_space(by_name[usable[0].filename].model_version)
    head, training = few_shot.train(
        [few_shot.Example(item.label, by_name[item.filename].outputs.embedding) for item in usable],
        embedding_space=space,
        min_examples_per_label=settings.custom_min_examples_per_label,
        gate_slack=settings.custom_gate_slack,
        min_gate=settings.custom_min_similarity,
    )
    report = CustomHeadReport(
        labels=list(head.labels),
        train_examples=training.examples,
        leave_one_out_accuracy=training.leave_one_out_accuracy,
    )
    for example in test:
        if example.filename not in by_name:
            continue
        decision = _decide(head, by_name[example.filename], settings)
        report.test_images += 1
        report.answered_by_custom += int(decision.answered_by_custom)
        right = decision.answered_by_custom and decision.result.label == example.label
        report.correct += int(right)
        report.rows.append(_row(example.filename, example.label, decision))
    for name in others:
        if name not in by_name:
            continue
        decision = _decide(head, by_name[name], settings)
        report.other_images += 1
        report.others_claimed += int(decision.answered_by_custom)
        report.rows.append(_row(name, None, decision))
    return report


def _decide(
    head: few_shot.FewShotHead, prepared: PreparedImage, settings: Settings
) -> few_shot.HeadDecision:
    return few_shot.decide(
        head,
        normalize(prepared.outputs.embedding),
        inference.classify(prepared),
        head_version=EVAL_HEAD_VERSION,
        min_probability=settings.custom_min_probability,
        base_confident_above=settings.custom_base_confident_above,
        base_margin=settings.custom_base_margin,
    )


def _row(filename: str, truth: str | None, decision: few_shot.HeadDecision) -> dict[str, Any]:
    prediction = decision.prediction
    return {
        "filename": filename,
        "truth": truth,
        "predicted": decision.result.label,
        "head": "custom" if decision.answered_by_custom else "base",
        "similarity": round(prediction.similarity, 3) if prediction else None,
        "gate": round(prediction.gate, 3) if prediction else None,
    }


def format_custom_report(report: CustomHeadReport) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.1f}%"

    per_label = Counter(row["truth"] for row in report.rows if row["truth"])
    lines = [
        "",
        f"custom head: {len(report.labels)} labels ({', '.join(report.labels)}), "
        f"{report.train_examples} training examples",
        f"custom-head accuracy on held-out images: {pct(report.accuracy)} "
        f"({report.correct}/{report.test_images}; answered by the custom head: "
        f"{report.answered_by_custom}/{report.test_images}; per label: "
        + ", ".join(f"{label} {count}" for label, count in sorted(per_label.items()))
        + ")",
        f"leave-one-out accuracy on the training examples: {pct(report.leave_one_out_accuracy)}",
        f"other photos left to the base taxonomy: {pct(report.others_fallback_rate)} "
        f"({report.other_images - report.others_claimed}/{report.other_images})",
    ]
    lines += [
        f"  {row['filename']}: {row['predicted']} ({row['head']}"
        + (f", similarity {row['similarity']} vs gate {row['gate']}" if row["gate"] else "")
        + ")"
        for row in report.rows
        if row["truth"] and row["predicted"] != row["truth"]
    ]
    return "\n".join(lines)
