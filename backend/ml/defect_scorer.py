"""Probability that a defect candidate is real damage: logistic models over its measurements.

One model for lines (scratches, cracks) and one for colour blobs (stains, discolouration),
fitted by ``defect_training`` on the tuning photos (random damage drawn onto clean photos as
positives; every other candidate of those photos as negatives, weighted so that half the
photos carry one defect). The fitted coefficients ship as data in
``data/defect_scorer.json``; a logistic model's output is a probability, and the eval checks
on held-out photos that it is calibrated (the reliability table of ``imagineai eval``).
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from backend.ml.config import DATA_DIR
from backend.ml.defect_cues import BLOB_FEATURES, LINE_FEATURES, Candidate

SCORER_PATH = DATA_DIR / "defect_scorer.json"


#: Standardised measurements are clipped to this many standard deviations: a value far outside
#: anything in the tuning photos (a black script print on a bright yellow hat) must not turn into
#: overwhelming evidence by extrapolation.
CLIP_SD = 3.0


def standardise(rows: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return np.clip((rows - mean) / scale, -CLIP_SD, CLIP_SD)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class LogisticModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def logit(self, rows: np.ndarray) -> np.ndarray:
        return standardise(rows, self.mean, self.scale) @ self.coef + self.intercept  # type: ignore[no-any-return]

    def probability(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logit(rows), -60.0, 60.0)))  # type: ignore[no-any-return]

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> LogisticModel:
        return cls(
            features=tuple(raw["features"]),
            mean=np.asarray(raw["mean"], dtype=np.float64),
            scale=np.asarray(raw["scale"], dtype=np.float64),
            coef=np.asarray(raw["coef"], dtype=np.float64),
            intercept=float(raw["intercept"]),
        )


@dataclass(frozen=True)
class DefectScorer:
    """Candidate evidence (two logistic models) and its calibration by rank in the photo.

    The models' log-odds rank the candidates of one photo well, but a per-candidate probability
    is dragged down by the many look-alikes on other photos. What a user sees is the strongest
    few findings of *this* photo, so those are calibrated directly, per kind:
    ``line_ranks[r]`` maps the log-odds of the photo's (r+1)-th strongest line to the
    probability that it lies on real damage (Platt scaling on out-of-fold log-odds of the
    tuning photos), ``blob_ranks`` the same for colour blobs; later ranks use the last entry.
    """

    version: str
    line: LogisticModel
    blob: LogisticModel
    line_ranks: tuple[tuple[float, float], ...]  # (slope, intercept) per rank
    blob_ranks: tuple[tuple[float, float], ...]
    training: dict[str, Any]

    def logits(self, candidates: list[Candidate]) -> np.ndarray:
        """Evidence (log-odds) of each candidate, in input order."""
        values = np.full(len(candidates), -60.0)
        for model, is_line in ((self.line, True), (self.blob, False)):
            positions = [i for i, c in enumerate(candidates) if c.is_line == is_line]
            if not positions:
                continue
            rows = np.array(
                [[candidates[i].features[name] for name in model.features] for i in positions],
                dtype=np.float64,
            )
            values[positions] = np.nan_to_num(model.logit(rows), nan=-60.0)
        return values

    def score(self, candidates: list[Candidate]) -> list[float]:
        """Calibrated probability of each candidate, in input order."""
        logits = self.logits(candidates)
        probabilities = [0.0] * len(candidates)
        for is_line, ranks in ((True, self.line_ranks), (False, self.blob_ranks)):
            positions = [i for i, c in enumerate(candidates) if c.is_line == is_line]
            for position, value in zip(
                positions, calibrate_by_rank(logits[positions], ranks), strict=True
            ):
                probabilities[position] = value
        return probabilities

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "line": self.line.to_dict(),
            "blob": self.blob.to_dict(),
            "line_ranks": _pairs(self.line_ranks),
            "blob_ranks": _pairs(self.blob_ranks),
            "training": self.training,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DefectScorer:
        scorer = cls(
            version=str(raw["version"]),
            line=LogisticModel.from_dict(raw["line"]),
            blob=LogisticModel.from_dict(raw["blob"]),
            line_ranks=tuple((float(a), float(b)) for a, b in raw["line_ranks"]),
            blob_ranks=tuple((float(a), float(b)) for a, b in raw["blob_ranks"]),
            training=dict(raw.get("training", {})),
        )
        if scorer.line.features != LINE_FEATURES or scorer.blob.features != BLOB_FEATURES:
            raise ValueError("defect scorer features do not match the defect cues")
        return scorer


def _pairs(values: tuple[tuple[float, float], ...]) -> list[list[float]]:
    return [[round(a, 6), round(b, 6)] for a, b in values]


def calibrate_by_rank(
    logits: np.ndarray, calibration: tuple[tuple[float, float], ...]
) -> list[float]:
    """Probabilities from one photo's candidate log-odds, each by its rank in the photo."""
    order = np.argsort(-logits, kind="stable")
    probabilities = np.zeros(len(logits))
    for rank, index in enumerate(order):
        slope, intercept = calibration[min(rank, len(calibration) - 1)]
        value = slope * float(logits[index]) + intercept
        probabilities[index] = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, value))))
    # A weaker candidate never outranks a stronger one after calibration.
    for previous, index in itertools.pairwise(order):
        probabilities[index] = min(probabilities[index], probabilities[previous])
    return [float(p) for p in probabilities]


@lru_cache(maxsize=1)
def load_scorer(path: Path = SCORER_PATH) -> DefectScorer:
    return DefectScorer.from_dict(json.loads(path.read_text()))
