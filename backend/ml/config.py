"""ML thresholds and paths: constants of the method here, deployment choices from Settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from backend.shared.config import Settings, get_settings

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_MODELS_DIR = PACKAGE_DIR / "models"
#: Defect-free photos per category that ship with the platform, and the memory banks built from
#: them (``python -m backend.ml.reference_sets``).
BUNDLED_REFERENCE_IMAGES_DIR = BUNDLED_MODELS_DIR / "reference_images"
BUNDLED_REFERENCE_BANKS_DIR = BUNDLED_MODELS_DIR / "reference_banks"
DATA_DIR = PACKAGE_DIR / "data"

#: Model input side (pixels); the backbone was trained at 224.
MODEL_INPUT_SIZE = 224
#: Long side of the analysis image used for colours, masks, quality and defect cues.
WORKING_LONG_SIDE = 384
#: Decode big JPEGs at a reduced scale (Pillow draft) while keeping at least this long side.
DECODE_MIN_LONG_SIDE = 448
#: Smallest image we analyse (either side, pixels).
MIN_IMAGE_SIDE = 16
#: Aspect ratios outside [3/4, 4/3] are centre-cropped to that range before the squash to
#: 224 x 224: the backbone saw such distortions in training (random-resized-crop).
MAX_MODEL_ASPECT = 4 / 3


@dataclass(frozen=True)
class ClassifierThresholds:
    #: Below this category probability the label is "unknown".
    unknown_below: float = 0.35
    #: The shown label must also be more likely than not: a photo whose best subcategory has
    #: less is uncertain, and "unknown" is more honest than a guess (an LED bulb, which
    #: ImageNet has no class for, comes out as 49 % "toilet seat"). Chosen on the tuning split.
    label_unknown_below: float = 0.5
    #: A photo whose object is at least this share skin-coloured shows a person (a model wearing
    #: the product): measured, 9-55 % on Magento photos of garments on models with dumbbell as
    #: ImageNet's top class, under 3.1 % on every bag, watch and piece of fitness gear.
    person_skin_share: float = 0.08
    #: Softmax temperature (1.0: the network's own probabilities).
    temperature: float = 1.0
    top_k: int = 5


@dataclass(frozen=True)
class DefectThresholds:
    #: Minimum calibrated confidence for a region to be reported as a defect: more likely than
    #: not, the same bar as the condition grade and the description writer use. (0.35 was
    #: measured too: lines drawn over clean product photos found 321 -> 340 of 711, but clean
    #: product photos with a false finding 15 -> 24 of 331; README, "Measured now".)
    report_above: float = 0.5
    #: Condition is "damaged" when a medium/high-severity defect reaches this confidence.
    damaged_above: float = 0.8


@dataclass(frozen=True)
class MLConfig:
    models_dir: Path
    reference_dir: Path
    pinned_version: str | None
    intra_op_threads: int
    inter_op_threads: int
    batch_threads: int
    use_gpu: bool
    preload: bool
    ab_experiment: str | None
    ab_candidate_version: str | None
    ab_candidate_share: float
    classifier: ClassifierThresholds
    defects: DefectThresholds
    max_image_pixels: int

    @classmethod
    def from_settings(cls, settings: Settings) -> MLConfig:
        return cls(
            models_dir=settings.ml_models_dir or BUNDLED_MODELS_DIR,
            reference_dir=settings.ml_reference_dir or settings.var_dir / "ml" / "references",
            pinned_version=settings.ml_model_version,
            intra_op_threads=settings.ml_intra_op_threads,
            inter_op_threads=settings.ml_inter_op_threads,
            batch_threads=settings.ml_batch_threads,
            use_gpu=settings.ml_use_gpu,
            preload=settings.ml_preload,
            ab_experiment=settings.ml_ab_experiment,
            ab_candidate_version=settings.ml_ab_candidate_version,
            ab_candidate_share=settings.ml_ab_candidate_share,
            classifier=ClassifierThresholds(unknown_below=settings.ml_unknown_threshold),
            defects=DefectThresholds(),
            max_image_pixels=settings.max_image_pixels,
        )


class _Current:
    """The process-wide configuration (a holder object rather than a module global)."""

    def __init__(self) -> None:
        self.config: MLConfig | None = None
        self.lock = threading.Lock()


_current = _Current()


def get_ml_config() -> MLConfig:
    if _current.config is None:
        with _current.lock:
            if _current.config is None:
                _current.config = MLConfig.from_settings(get_settings())
    return _current.config


def set_ml_config(config: MLConfig | None) -> None:
    """Replace (or, with None, forget) the process-wide ML configuration."""
    with _current.lock:
        _current.config = config
