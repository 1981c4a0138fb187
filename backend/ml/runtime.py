"""The shared base of every model: lazy, locked, idempotent loading on ONNX Runtime."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import cv2
import onnxruntime as ort
import structlog
from threadpoolctl import ThreadpoolController

from backend.ml.config import MLConfig
from backend.ml.errors import ModelNotAvailableError

log = structlog.get_logger(__name__)

CUDA_PROVIDER = "CUDAExecutionProvider"
CPU_PROVIDER = "CPUExecutionProvider"


def execution_providers(use_gpu: bool) -> list[str]:
    """CUDA first when this onnxruntime build has it and the settings allow it."""
    available = ort.get_available_providers()
    if use_gpu and CUDA_PROVIDER in available:
        return [CUDA_PROVIDER, CPU_PROVIDER]
    return [CPU_PROVIDER]


def create_session(path: Path, config: MLConfig) -> ort.InferenceSession:
    # The image maths around each run (a few ms on ~400 px arrays) gains nothing from OpenCV's
    # thread pool (31.4 vs 31.7 img/s on 2 cores), and with two images in flight its threads
    # fight the runtime's (37 vs 45-48 img/s, best of six batches of 8): parallelism comes from
    # images, not from OpenCV.
    cv2.setNumThreads(1)
    # The same holds for BLAS, and more: the pthreads OpenBLAS builds inside numpy and OpenCV
    # (cv2.gemm) keep their idle threads spinning in sched_yield after each product, a third of
    # both cores in kernel time; single-threaded, analyze ran about 8 % faster on 2 cores (run N).
    # faiss's OpenMP build keeps its threads for searching large catalogues.
    ThreadpoolController().select(threading_layer="pthreads").limit(limits=1)
    options = ort.SessionOptions()
    options.intra_op_num_threads = config.intra_op_threads
    options.inter_op_num_threads = config.inter_op_threads
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle runtime threads otherwise spin after each run and starve the image maths that
    # follows in the same process (measured: 5-10 ms lost per image on two cores).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(
        str(path), sess_options=options, providers=execution_providers(config.use_gpu)
    )


class InferenceModel(ABC):
    """Loads on first use (once, under a lock, from any thread), then predicts.

    Subclasses implement ``_load`` (build their runtime objects) and ``_predict``.
    """

    def __init__(self, name: str, version: str) -> None:
        self.name = name
        self.version = version
        self._lock = threading.Lock()
        self._loaded = False

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            started = time.perf_counter()
            try:
                self._load()
            except ModelNotAvailableError:
                raise
            except Exception as exc:
                raise ModelNotAvailableError(
                    f"could not load {self.name} {self.version}: {exc}"
                ) from exc
            self._loaded = True
            log.info(
                "ml.model_loaded",
                model=self.name,
                version=self.version,
                seconds=round(time.perf_counter() - started, 3),
            )

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        self.load()
        return self._predict(*args, **kwargs)

    @abstractmethod
    def _load(self) -> None: ...

    @abstractmethod
    def _predict(self, *args: Any, **kwargs: Any) -> Any: ...
