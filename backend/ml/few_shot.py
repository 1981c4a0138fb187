"""A seller's own few-shot classification head on the backbone's embeddings.

Each label is a prototype: the normalised mean of its examples' L2-normalised embeddings.
Probabilities are a softmax of scaled cosine similarities, with the scale chosen by
leave-one-out likelihood on the examples themselves, so they are calibrated on the seller's
own data. Because a seller's labels never cover everything they will photograph, the head only
answers when the image is at least about as close to the winning prototype as the least typical
example that the seller gave (its leave-one-out similarity, times ``gate_slack``); otherwise the
base taxonomy answers. When the base taxonomy is itself confident, the head must clear its gate
by a further ``base_margin``.

Training needs a few milliseconds; the whole head is a few kilobytes (``to_bytes``).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backend.ml.embeddings import normalize, normalize_rows
from backend.ml.results import UNKNOWN_LABEL, ClassificationResult

#: Softmax scales tried when calibrating on the examples (cosine similarities are in [-1, 1]).
SCALE_GRID = tuple(float(value) for value in np.geomspace(2.0, 200.0, 25))
#: Scale used when there is nothing to calibrate on (one label, or one example per label).
DEFAULT_SCALE = 30.0
#: A label with one example has no leave-one-out similarity: this stands in for it.
SINGLE_EXAMPLE_GATE = 0.6
HEAD_VERSION_PREFIX = "custom-"
FALLBACK_SUFFIX = ":fallback"
LABEL_PATTERN = re.compile(r"^[a-z0-9][a-z0-9 _&'-]{0,99}$")
PARAMETERS_FORMAT = 1


class InvalidLabelError(ValueError):
    """A custom label that the platform cannot store or show safely."""


def normalize_label(raw: str, *, taxonomy_labels: Sequence[str] = ()) -> str:
    """Lower-case, single-spaced; a taxonomy label (``category/sub``) or a plain name."""
    label = " ".join(raw.strip().lower().split())
    if label in taxonomy_labels:
        return label
    if not LABEL_PATTERN.fullmatch(label) or label == UNKNOWN_LABEL:
        raise InvalidLabelError(
            "A label is 1-100 characters: letters, digits, spaces, - _ & ' (starting with a letter "
            "or digit), or an existing category/subcategory label."
        )
    return label


@dataclass(frozen=True, slots=True)
class Example:
    label: str
    embedding: np.ndarray


@dataclass(frozen=True)
class FewShotHead:
    labels: tuple[str, ...]
    prototypes: np.ndarray  # (labels, dimensions), unit rows
    gates: np.ndarray  # (labels,) minimum cosine similarity for the head to answer
    scale: float
    embedding_space: str

    @property
    def dimensions(self) -> int:
        return int(self.prototypes.shape[1])

    def predict(self, embedding: np.ndarray) -> HeadPrediction:
        similarities = self.prototypes @ normalize(embedding)
        probabilities = _softmax(similarities * self.scale)
        best = int(np.argmax(probabilities))
        order = np.argsort(probabilities)[::-1]
        return HeadPrediction(
            label=self.labels[best],
            probability=float(probabilities[best]),
            similarity=float(similarities[best]),
            gate=float(self.gates[best]),
            top_k=[(self.labels[i], float(probabilities[i])) for i in order[:5]],
        )

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array(PARAMETERS_FORMAT),
            labels=np.array(self.labels, dtype=np.str_),
            prototypes=self.prototypes.astype(np.float32),
            gates=self.gates.astype(np.float32),
            scale=np.array(self.scale, dtype=np.float64),
            embedding_space=np.array(self.embedding_space, dtype=np.str_),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> FewShotHead:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            if int(stored["format"]) != PARAMETERS_FORMAT:
                raise ValueError("unsupported custom head format")
            return cls(
                labels=tuple(str(label) for label in stored["labels"]),
                prototypes=stored["prototypes"].astype(np.float32),
                gates=stored["gates"].astype(np.float32),
                scale=float(stored["scale"]),
                embedding_space=str(stored["embedding_space"]),
            )


@dataclass(frozen=True, slots=True)
class HeadPrediction:
    label: str
    probability: float
    similarity: float
    gate: float
    top_k: list[tuple[str, float]]


@dataclass(frozen=True)
class TrainingReport:
    examples: int
    examples_per_label: dict[str, int]
    skipped_labels: dict[str, int]  # labels with too few examples, and how many they have
    leave_one_out_accuracy: float | None
    scale: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "examples_per_label": dict(self.examples_per_label),
            "skipped_labels": dict(self.skipped_labels),
            "leave_one_out_accuracy": self.leave_one_out_accuracy,
            "scale": round(self.scale, 3),
        }


class NotEnoughExamplesError(ValueError):
    """No label has the minimum number of examples yet."""


def train(
    examples: Sequence[Example],
    *,
    embedding_space: str,
    min_examples_per_label: int,
    gate_slack: float,
    min_gate: float,
) -> tuple[FewShotHead, TrainingReport]:
    """Prototypes, calibrated scale and per-label gates from labelled embeddings."""
    grouped: dict[str, list[np.ndarray]] = defaultdict(list)
    for example in examples:
        grouped[example.label].append(normalize(example.embedding))
    kept = {label: rows for label, rows in grouped.items() if len(rows) >= min_examples_per_label}
    skipped = {label: len(rows) for label, rows in grouped.items() if label not in kept}
    if not kept:
        raise NotEnoughExamplesError(
            f"no label has {min_examples_per_label} examples yet ({dict(sorted(skipped.items()))})"
        )
    labels = tuple(sorted(kept))
    matrices = [np.stack(kept[label]) for label in labels]
    prototypes = normalize_rows(np.stack([matrix.mean(axis=0) for matrix in matrices]))
    loo = _leave_one_out_similarities(matrices)
    gates = np.array([_gate(item.diagonal_own, gate_slack, min_gate) for item in loo], np.float32)
    scale, accuracy = _calibrate(loo, len(labels))
    head = FewShotHead(
        labels=labels,
        prototypes=prototypes.astype(np.float32),
        gates=gates,
        scale=scale,
        embedding_space=embedding_space,
    )
    report = TrainingReport(
        examples=sum(len(rows) for rows in kept.values()),
        examples_per_label={label: len(kept[label]) for label in labels},
        skipped_labels=skipped,
        leave_one_out_accuracy=accuracy,
        scale=scale,
    )
    return head, report


@dataclass
class _LeaveOneOut:
    """For each example of one label: its similarity to every prototype built without it."""

    label_index: int
    similarities: np.ndarray  # (examples, labels)
    diagonal_own: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.diagonal_own = self.similarities[:, self.label_index]


def _leave_one_out_similarities(matrices: Sequence[np.ndarray]) -> list[_LeaveOneOut]:
    sums = [matrix.sum(axis=0) for matrix in matrices]
    full = normalize_rows(np.stack(sums))
    results = []
    for index, matrix in enumerate(matrices):
        if matrix.shape[0] < 2:
            results.append(_LeaveOneOut(index, np.zeros((0, len(matrices)), np.float32)))
            continue
        similarities = matrix @ full.T
        own = normalize_rows(sums[index][None, :] - matrix)
        similarities[:, index] = np.einsum("ij,ij->i", matrix, own)
        results.append(_LeaveOneOut(index, similarities))
    return results


def _gate(own_similarities: np.ndarray, gate_slack: float, min_gate: float) -> float:
    if own_similarities.size == 0:
        return SINGLE_EXAMPLE_GATE
    return max(min_gate, gate_slack * float(own_similarities.min()))


def _calibrate(loo: Sequence[_LeaveOneOut], label_count: int) -> tuple[float, float | None]:
    """The softmax scale with the best leave-one-out likelihood, and that accuracy."""
    rows = [item for item in loo if item.similarities.shape[0]]
    if not rows:
        return DEFAULT_SCALE, None
    similarities = np.concatenate([item.similarities for item in rows])
    truth = np.concatenate([np.full(item.similarities.shape[0], item.label_index) for item in rows])
    accuracy = float(np.mean(np.argmax(similarities, axis=1) == truth))
    if label_count < 2:
        return DEFAULT_SCALE, accuracy
    best_scale, best_loss = DEFAULT_SCALE, float("inf")
    for scale in SCALE_GRID:
        logits = similarities * scale
        logits -= logits.max(axis=1, keepdims=True)
        log_probabilities = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        loss = float(-log_probabilities[np.arange(truth.size), truth].mean())
        if loss < best_loss:
            best_scale, best_loss = scale, loss
    return best_scale, accuracy


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - float(np.max(logits))
    exp = np.exp(shifted)
    return exp / exp.sum()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class HeadDecision:
    """What classified an image: the custom head, or the base taxonomy as the fallback."""

    result: ClassificationResult
    base: ClassificationResult
    head_version: str | None
    answered_by_custom: bool
    prediction: HeadPrediction | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "head": "custom" if self.answered_by_custom else "base",
            "head_version": self.head_version,
            "reason": self.reason,
            "custom": None
            if self.prediction is None
            else {
                "label": self.prediction.label,
                "probability": round(self.prediction.probability, 4),
                "similarity": round(self.prediction.similarity, 4),
                "gate": round(self.prediction.gate, 4),
            },
            "base": {
                "label": self.base.label,
                "confidence": round(float(self.base.confidence), 4),
            },
        }


def decide(
    head: FewShotHead,
    embedding: np.ndarray,
    base: ClassificationResult,
    *,
    head_version: str,
    min_probability: float,
    base_confident_above: float,
    base_margin: float,
) -> HeadDecision:
    """The custom head's answer when it clears its gates, else the base taxonomy's."""
    prediction = head.predict(embedding)
    base_confident = not base.is_unknown and base.confidence >= base_confident_above
    gate = prediction.gate + (base_margin if base_confident else 0.0)
    if prediction.probability < min_probability:
        reason = f"custom probability {prediction.probability:.2f} < {min_probability:.2f}"
    elif prediction.similarity < gate:
        reason = f"similarity {prediction.similarity:.3f} to {prediction.label!r} < {gate:.3f}"
    else:
        return HeadDecision(
            result=custom_result(prediction, base, head_version),
            base=base,
            head_version=head_version,
            answered_by_custom=True,
            prediction=prediction,
            reason="custom head",
        )
    return HeadDecision(
        result=fallback_result(base, head_version),
        base=base,
        head_version=head_version,
        answered_by_custom=False,
        prediction=prediction,
        reason=reason,
    )


def fallback_result(base: ClassificationResult, head_version: str) -> ClassificationResult:
    """The base answer, its version saying which custom head was consulted."""
    return ClassificationResult(
        label=base.label,
        category=base.category,
        subcategory=base.subcategory,
        confidence=base.confidence,
        category_confidence=base.category_confidence,
        top_k=base.top_k,
        model_version=compose_model_version(base.model_version, head_version, answered=False),
        imagenet_top=base.imagenet_top,
    )


def custom_result(
    prediction: HeadPrediction, base: ClassificationResult, head_version: str
) -> ClassificationResult:
    """A taxonomy label keeps its category/subcategory; a seller's own name is its category."""
    category, _, subcategory = prediction.label.partition("/")
    return ClassificationResult(
        label=prediction.label,
        category=category,
        subcategory=subcategory or None,
        confidence=prediction.probability,
        category_confidence=prediction.probability,
        top_k=prediction.top_k,
        model_version=compose_model_version(base.model_version, head_version, answered=True),
        imagenet_top=base.imagenet_top,
    )


def head_version(head: FewShotHead) -> str:
    """``custom-<8 hex>``: named after the head's content, so retraining on the same examples
    keeps the version (and the analyses it made stay current)."""
    digest = hashlib.sha256()
    digest.update("\n".join(head.labels).encode())
    digest.update(head.embedding_space.encode())
    digest.update(np.ascontiguousarray(head.prototypes, dtype=np.float32).tobytes())
    digest.update(np.ascontiguousarray(head.gates, dtype=np.float32).tobytes())
    digest.update(repr(round(head.scale, 6)).encode())
    return f"{HEAD_VERSION_PREFIX}{digest.hexdigest()[:8]}"


def compose_model_version(backbone: str, head_version: str | None, *, answered: bool) -> str:
    """``1.0.0-fp32`` (no head), ``1.0.0-fp32+custom-3`` (head 3 answered) or
    ``1.0.0-fp32+custom-3:fallback`` (head 3 consulted, the base taxonomy answered)."""
    if head_version is None:
        return backbone
    return f"{backbone}+{head_version}{'' if answered else FALLBACK_SUFFIX}"


def parse_model_version(model_version: str) -> tuple[str, str | None]:
    """``(backbone version, custom head version consulted or None)``."""
    backbone, _, head = model_version.partition("+")
    return backbone, (head.removesuffix(FALLBACK_SUFFIX) or None)
