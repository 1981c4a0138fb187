"""The ML pipeline's entry points, used by the workers, the API and the CLI.

``prepare`` decodes an image once and runs the backbone once; ``classify``,
``extract_features`` and ``detect_defects`` read what it prepared; ``analyze`` does it all.
Models load lazily, once per process, thread-safely (see ``model_registry``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from backend.ml import classifier as classifier_module
from backend.ml import defect_detector, feature_extractor
from backend.ml.backbone import BackboneOutputs
from backend.ml.colors import skin_share
from backend.ml.config import BUNDLED_REFERENCE_BANKS_DIR, get_ml_config
from backend.ml.defect_detector import ReferenceBanks, ScoredCandidate, SurfaceCues
from backend.ml.errors import ImageDecodeError
from backend.ml.foreground import Foreground, estimate_foreground, lab_u8_to_float
from backend.ml.model_registry import RoutingDecision, get_registry
from backend.ml.patch_anomaly import PROJECTION_DIM, MemoryBank, coreset, project_for_bank
from backend.ml.preprocessing import (
    Box,
    DecodedImage,
    decode_image,
    model_input,
    model_region,
    to_working,
)
from backend.ml.quality import assess_quality
from backend.ml.results import (
    AnalysisResult,
    AttributeResult,
    ClassificationResult,
    DefectReport,
    DefectResult,
    Heatmap,
    QualityReport,
)
from backend.ml.taxonomy import load_taxonomy

__all__ = [
    "AnalysisResult",
    "AnalyzeOptions",
    "AttributeResult",
    "Box",
    "ClassificationResult",
    "DefectReport",
    "DefectResult",
    "Heatmap",
    "ImageDecodeError",
    "PreparedImage",
    "QualityReport",
    "analyze",
    "analyze_many",
    "classify",
    "detect_defects",
    "extract_features",
    "prepare",
    "prepare_many",
]

REFERENCE_BANK_SIZE = 2000


@dataclass(frozen=True)
class AnalyzeOptions:
    image_id: str | None = None  # drives A/B routing; the same id always gets the same version
    model_version: str | None = None  # force a version (overrides routing)
    include_heatmap: bool = True


@dataclass(frozen=True)
class PreparedImage:
    """An image decoded once, with the backbone's outputs; input to every later step."""

    original_width: int
    original_height: int
    rgb: np.ndarray  # working-resolution RGB (uint8)
    gray: np.ndarray
    lab: np.ndarray  # float32 CIELAB
    lab_u8: np.ndarray  # OpenCV 8-bit Lab (for fast median filters)
    foreground: Foreground
    working_scale: tuple[float, float]
    region: Box  # part of the original image the backbone saw
    outputs: BackboneOutputs
    routing: RoutingDecision
    quality: QualityReport
    image_info: dict[str, Any]
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: The defect detector's model-free measurements, made while the backbone ran (None: made
    #: when defects are detected).
    defect_surface: SurfaceCues | None = None

    @property
    def model_version(self) -> str:
        return self.routing.version


@dataclass(frozen=True)
class _Staged:
    decoded: DecodedImage
    working: np.ndarray
    foreground: Foreground
    region: Box
    tensor: np.ndarray
    working_scale: tuple[float, float]
    timings_ms: dict[str, float]
    byte_size: int


def _stage(image_bytes: bytes) -> _Staged:
    started = time.perf_counter()
    decoded = decode_image(image_bytes, max_pixels=get_ml_config().max_image_pixels)
    decoded_at = time.perf_counter()
    working = to_working(decoded.rgb)
    foreground = estimate_foreground(working)
    height, width = working.shape[:2]
    working_scale = (decoded.original_width / width, decoded.original_height / height)
    object_box = foreground.box if foreground.method == "border-color" else None
    decoded_height, decoded_width = decoded.rgb.shape[:2]
    to_decoded = (decoded_width / width, decoded_height / height)
    region_decoded = model_region(
        decoded_width,
        decoded_height,
        object_box.scaled(*to_decoded) if object_box else None,
    )
    tensor = model_input(decoded.rgb, region_decoded)
    dx, dy = decoded.scale
    region = region_decoded.scaled(dx, dy)
    finished = time.perf_counter()
    return _Staged(
        decoded=decoded,
        working=working,
        foreground=foreground,
        region=region,
        tensor=tensor,
        working_scale=working_scale,
        timings_ms={
            "decode": (decoded_at - started) * 1000.0,
            "preprocess": (finished - decoded_at) * 1000.0,
        },
        byte_size=len(image_bytes),
    )


@dataclass(frozen=True)
class _Surface:
    """What needs no model: the working image's colour spaces and quality, and the defect
    detector's model-free measurements (when asked for)."""

    staged: _Staged
    gray: np.ndarray
    lab_u8: np.ndarray
    lab: np.ndarray
    quality: QualityReport
    preprocess_ms: float
    defect_surface: SurfaceCues | None = None
    defect_cues_ms: float = 0.0

    @property
    def foreground(self) -> Foreground:
        return self.staged.foreground

    @property
    def working_scale(self) -> tuple[float, float]:
        return self.staged.working_scale

    @property
    def region(self) -> Box:
        return self.staged.region

    @property
    def original_width(self) -> int:
        return self.staged.decoded.original_width

    @property
    def original_height(self) -> int:
        return self.staged.decoded.original_height


def _surface(staged: _Staged, *, defect_surface: bool) -> _Surface:
    started = time.perf_counter()
    working = staged.working
    gray = cv2.cvtColor(working, cv2.COLOR_RGB2GRAY)
    lab_u8 = cv2.cvtColor(working, cv2.COLOR_RGB2Lab)
    lab = lab_u8_to_float(lab_u8)
    quality = assess_quality(
        working,
        gray,
        lab[..., 0],
        staged.foreground,
        staged.decoded.original_width,
        staged.decoded.original_height,
    )
    measured = time.perf_counter()
    surface = _Surface(staged, gray, lab_u8, lab, quality, (measured - started) * 1000.0)
    if not defect_surface:
        return surface
    cues = defect_detector.measure_surface(defect_detector.surface_inputs_from(surface))
    return replace(
        surface, defect_surface=cues, defect_cues_ms=(time.perf_counter() - measured) * 1000.0
    )


def _finish(
    surface: _Surface,
    outputs: BackboneOutputs,
    routing: RoutingDecision,
    forward_ms: float,
    prepare_ms: float,
) -> PreparedImage:
    staged = surface.staged
    timings = dict(staged.timings_ms)
    timings["preprocess"] += surface.preprocess_ms
    timings.update(forward=forward_ms, defect_cues=surface.defect_cues_ms, prepare=prepare_ms)
    decoded = staged.decoded
    return PreparedImage(
        original_width=decoded.original_width,
        original_height=decoded.original_height,
        rgb=staged.working,
        gray=surface.gray,
        lab=surface.lab,
        lab_u8=surface.lab_u8,
        foreground=staged.foreground,
        working_scale=staged.working_scale,
        region=staged.region,
        outputs=outputs,
        routing=routing,
        quality=surface.quality,
        image_info={
            "format": decoded.format,
            "source_mode": decoded.source_mode,
            "had_alpha": decoded.had_alpha,
            "exif_orientation": decoded.exif_orientation,
            "reduced_decode": decoded.reduced_decode,
            "bytes": staged.byte_size,
            "width": decoded.original_width,
            "height": decoded.original_height,
        },
        timings_ms=timings,
        defect_surface=surface.defect_surface,
    )


def _routing(image_id: str | None, model_version: str | None) -> RoutingDecision:
    registry = get_registry()
    if model_version:
        registry.manifest.get(model_version)
        return RoutingDecision(model_version, None, "pinned", None)
    return registry.route(image_id)


class _ForwardPool:
    """The threads the backbone runs on while ``prepare`` measures what needs no model. ONNX
    Runtime releases the GIL, so its forward pass and the image maths run side by side."""

    #: One per image in flight: ``analyze_many`` runs ``batch_threads`` images at once.
    WORKERS = 8

    def __init__(self) -> None:
        self.executor: ThreadPoolExecutor | None = None
        self.lock = threading.Lock()
        # A forked child inherits the executor but not its threads: work queued there would
        # wait forever, so the child starts a pool of its own.
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self.executor = None
        self.lock = threading.Lock()

    def get(self) -> ThreadPoolExecutor:
        with self.lock:
            if self.executor is None:
                self.executor = ThreadPoolExecutor(self.WORKERS, thread_name_prefix="backbone")
            return self.executor


_forward_pool = _ForwardPool()


def prepare(
    image_bytes: bytes,
    *,
    image_id: str | None = None,
    model_version: str | None = None,
    defect_surface: bool = True,
) -> PreparedImage:
    """Decode once (raises ``ImageDecodeError`` for unusable input) and run the backbone once.

    While the backbone runs, this thread computes what needs no model: colour spaces, quality
    and, unless ``defect_surface`` is False (a caller that wants no defects), the defect
    detector's candidates and ink strokes (``defect_detector.measure_surface``).
    """
    started = time.perf_counter()
    routing = _routing(image_id, model_version)
    staged = _stage(image_bytes)
    backbone = get_registry().backbone(routing.version)

    def forward() -> tuple[BackboneOutputs, float]:
        forward_started = time.perf_counter()
        outputs = backbone.run_batch(staged.tensor[None])[0]
        return outputs, (time.perf_counter() - forward_started) * 1000.0

    pending = _forward_pool.get().submit(forward)
    surface = _surface(staged, defect_surface=defect_surface)
    outputs, forward_ms = pending.result()
    return _finish(surface, outputs, routing, forward_ms, (time.perf_counter() - started) * 1000.0)


def prepare_many(
    images: Sequence[bytes], *, model_version: str | None = None
) -> list[PreparedImage | ImageDecodeError]:
    """Several images with one batched forward pass; undecodable ones come back as errors.
    The defect detector measures their surfaces when asked (``detect_defects``)."""
    routing = _routing(None, model_version)
    staged: list[_Staged | ImageDecodeError] = []
    for image_bytes in images:
        try:
            staged.append(_stage(image_bytes))
        except ImageDecodeError as exc:
            staged.append(exc)
    good = [item for item in staged if isinstance(item, _Staged)]
    outputs: list[BackboneOutputs] = []
    forward_ms = 0.0
    if good:
        started = time.perf_counter()
        batch = np.stack([item.tensor for item in good])
        outputs = get_registry().backbone(routing.version).run_batch(batch)
        forward_ms = (time.perf_counter() - started) * 1000.0 / len(good)
    results: list[PreparedImage | ImageDecodeError] = []
    output_iter = iter(outputs)
    for item in staged:
        if isinstance(item, ImageDecodeError):
            results.append(item)
            continue
        surface = _surface(item, defect_surface=False)
        prepare_ms = sum(item.timings_ms.values()) + surface.preprocess_ms + forward_ms
        results.append(_finish(surface, next(output_iter), routing, forward_ms, prepare_ms))
    return results


def classify(prepared: PreparedImage) -> ClassificationResult:
    config = get_ml_config()
    shows_person = (
        skin_share(prepared.lab, prepared.foreground.mask) >= config.classifier.person_skin_share
    )
    return classifier_module.classify_logits(
        prepared.outputs.logits,
        load_taxonomy(),
        config.classifier,
        prepared.model_version,
        shows_person=shows_person,
    )


def extract_features(
    prepared: PreparedImage, classification: ClassificationResult
) -> list[AttributeResult]:
    return feature_extractor.extract_attributes(
        rgb=prepared.rgb,
        gray=prepared.gray,
        lab=prepared.lab,
        foreground=prepared.foreground,
        quality=prepared.quality,
        classification=classification,
    )


class _Banks:
    def __init__(self) -> None:
        self.banks: ReferenceBanks | None = None
        self.lock = threading.Lock()


_banks = _Banks()


def reference_banks() -> ReferenceBanks:
    if _banks.banks is None:
        with _banks.lock:
            if _banks.banks is None:
                _banks.banks = ReferenceBanks(
                    [BUNDLED_REFERENCE_BANKS_DIR, get_ml_config().reference_dir]
                )
    return _banks.banks


def detect_defects(
    prepared: PreparedImage,
    classification: ClassificationResult,
    *,
    include_heatmap: bool = True,
) -> DefectReport:
    return detect_defects_with_candidates(
        prepared, classification, include_heatmap=include_heatmap
    )[0]


def detect_defects_with_candidates(
    prepared: PreparedImage,
    classification: ClassificationResult,
    *,
    include_heatmap: bool = True,
) -> tuple[DefectReport, list[ScoredCandidate]]:
    """The defect report and every scored candidate behind it (for evaluation)."""
    bank = reference_banks().get(classification.category)
    if bank is not None and bank.backbone_version != prepared.model_version:
        bank = None
    return defect_detector.detect(
        defect_detector.inputs_from(prepared),
        bank,
        get_ml_config().defects,
        prepared.model_version,
        include_heatmap=include_heatmap,
        surface=prepared.defect_surface,
    )


def _embedding(prepared: PreparedImage) -> list[float]:
    vector = prepared.outputs.embedding.astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm > 0 else vector).tolist()  # type: ignore[no-any-return]


def _assemble(prepared: PreparedImage, options: AnalyzeOptions) -> AnalysisResult:
    timings = dict(prepared.timings_ms)
    started = time.perf_counter()
    classification = classify(prepared)
    classified = time.perf_counter()
    attributes = extract_features(prepared, classification)
    extracted = time.perf_counter()
    defects = detect_defects(prepared, classification, include_heatmap=options.include_heatmap)
    finished = time.perf_counter()
    timings.update(
        classify=(classified - started) * 1000.0,
        attributes=(extracted - classified) * 1000.0,
        defects=(finished - extracted) * 1000.0,
    )
    # The backbone ran beside the image maths: ``prepare`` is their wall-clock time.
    timings["total"] = sum(timings[key] for key in ("prepare", "classify", "attributes", "defects"))
    return AnalysisResult(
        classification=classification,
        attributes=attributes,
        defects=defects,
        quality=prepared.quality,
        embedding=_embedding(prepared),
        model_versions={
            "backbone": prepared.model_version,
            "taxonomy": load_taxonomy().version,
            "defects": defect_detector.METHOD,
        },
        timings_ms=timings,
        routing=prepared.routing.to_dict(),
        image=dict(prepared.image_info),
    )


def analyze(image_bytes: bytes, options: AnalyzeOptions | None = None) -> AnalysisResult:
    """Everything about one image: classification, attributes, defects, quality, embedding."""
    options = options or AnalyzeOptions()
    prepared = prepare(image_bytes, image_id=options.image_id, model_version=options.model_version)
    return _assemble(prepared, options)


def analyze_many(
    images: Sequence[bytes], options: AnalyzeOptions | None = None
) -> list[AnalysisResult | ImageDecodeError]:
    """``analyze`` for several images, in input order; undecodable ones come back as errors.

    ``batch_threads`` images are analysed at once, each on its own thread: most of the CV steps
    run on one core, so two images in flight keep both cores of a small machine busy (+15-20 %
    on 2 cores on average; one batched forward pass followed by the CV steps gained 5-10 %).
    ``options.image_id``, if set, routes every image of the call alike.
    """
    options = options or AnalyzeOptions()

    def analyze_one(image_bytes: bytes) -> AnalysisResult | ImageDecodeError:
        try:
            return analyze(image_bytes, options)
        except ImageDecodeError as exc:
            return exc

    threads = min(get_ml_config().batch_threads, len(images))
    if threads <= 1:
        return [analyze_one(image_bytes) for image_bytes in images]
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="analyze") as pool:
        return list(pool.map(analyze_one, images))


@dataclass(frozen=True)
class ReferenceBankBuild:
    """A memory bank and the photos that could not be used for it, with the reason."""

    bank: MemoryBank
    rejected: tuple[tuple[str, str], ...]


def build_reference_bank(
    category: str, images: Sequence[tuple[str, bytes]], *, model_version: str | None = None
) -> ReferenceBankBuild:
    """A memory bank from defect-free photos of one category (saved by the caller); photos that
    do not decode are left out and listed."""
    features = []
    sources: list[str] = []
    rejected: list[tuple[str, str]] = []
    version = model_version or get_registry().route(None).version
    for name, image_bytes in images:
        try:
            prepared = prepare(image_bytes, model_version=version, defect_surface=False)
        except ImageDecodeError as exc:
            rejected.append((name, str(exc)))
            continue
        grid = prepared.outputs.patch_features.shape[-1]
        coverage = defect_detector.region_coverage(defect_detector.inputs_from(prepared), grid)
        features.append(project_for_bank(prepared.outputs.patch_features, coverage))
        sources.append(name)
    stacked = np.concatenate(features) if features else np.zeros((0, PROJECTION_DIM), np.float32)
    bank = MemoryBank(
        category=category,
        features=coreset(stacked.astype(np.float32), REFERENCE_BANK_SIZE),
        sources=tuple(sources),
        backbone_version=version,
    )
    return ReferenceBankBuild(bank, tuple(rejected))
