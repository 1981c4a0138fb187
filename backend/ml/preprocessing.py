"""One decode per image, then the arrays every step shares.

Decoding applies the EXIF orientation, flattens alpha on white, converts CMYK, 16-bit, palette
and greyscale images to 8-bit RGB, and decodes large JPEGs at a reduced scale (Pillow ``draft``;
other large images are reduced by a whole factor right after decoding) when the analysis does not
need every pixel. Every failure becomes an ``ImageDecodeError`` with a message a person can act
on.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.ml.config import (
    DECODE_MIN_LONG_SIDE,
    MAX_MODEL_ASPECT,
    MIN_IMAGE_SIDE,
    MODEL_INPUT_SIZE,
    WORKING_LONG_SIDE,
)
from backend.ml.errors import ImageDecodeError

try:
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a runtime dependency
    pass

_ORIENTATION_TAG = 0x0112
_TRANSPOSED_ORIENTATIONS = {5, 6, 7, 8}
_WHITE = (255, 255, 255)
#: Modes ``Image.reduce`` averages correctly (not palette or bilevel images).
_REDUCIBLE_MODES = frozenset({"RGB", "RGBA", "L", "LA"})


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels (x, y = top-left corner)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def x2(self) -> float:
        return self.x + self.width

    @property
    def y2(self) -> float:
        return self.y + self.height

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    def scaled(self, sx: float, sy: float) -> Box:
        return Box(self.x * sx, self.y * sy, self.width * sx, self.height * sy)

    def iou(self, other: Box) -> float:
        ix = max(0.0, min(self.x2, other.x2) - max(self.x, other.x))
        iy = max(0.0, min(self.y2, other.y2) - max(self.y, other.y))
        inter = ix * iy
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def to_dict(self) -> dict[str, int]:
        return {
            "x": round(self.x),
            "y": round(self.y),
            "width": round(self.width),
            "height": round(self.height),
        }


@dataclass(frozen=True)
class DecodedImage:
    """RGB pixels (possibly decoded at reduced scale) and the true size after EXIF rotation."""

    rgb: np.ndarray
    original_width: int
    original_height: int
    format: str
    source_mode: str
    had_alpha: bool
    exif_orientation: int
    reduced_decode: bool

    @property
    def scale(self) -> tuple[float, float]:
        """Original pixels per decoded pixel along x and y."""
        height, width = self.rgb.shape[:2]
        return self.original_width / width, self.original_height / height


def decode_image(image_bytes: bytes, *, max_pixels: int) -> DecodedImage:
    if not image_bytes:
        raise ImageDecodeError("the file is empty")
    try:
        with warnings.catch_warnings():
            # Pillow warns before its own DecompressionBombError; our pixel check comes first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(image_bytes))
            if image.format == "PNG":
                # Checks chunk CRCs and the end marker, as the upload validation does; a PNG
                # that fails them is damaged even when its pixels happen to decode.
                image.verify()
                image = Image.open(io.BytesIO(image_bytes))
            return _decode_opened(image, max_pixels)
    except ImageDecodeError:
        raise
    except UnidentifiedImageError as exc:
        raise ImageDecodeError(
            "not a recognised image format (JPEG, PNG, WebP, HEIC, GIF, BMP or TIFF expected)"
        ) from exc
    except Image.DecompressionBombError as exc:
        raise ImageDecodeError(f"image has too many pixels to analyse safely: {exc}") from exc
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, IndexError) as exc:
        raise ImageDecodeError(f"image data is corrupt or truncated: {exc}") from exc
    except MemoryError as exc:
        raise ImageDecodeError("image is too large to decode in memory") from exc


def _decode_opened(image: Image.Image, max_pixels: int) -> DecodedImage:
    width, height = image.size
    if width * height > max_pixels:
        raise ImageDecodeError(
            f"image is {width}x{height} ({width * height:,} pixels); the limit is {max_pixels:,}"
        )
    if min(width, height) < MIN_IMAGE_SIDE:
        raise ImageDecodeError(
            f"image is {width}x{height}; at least {MIN_IMAGE_SIDE} pixels per side are needed"
        )
    image_format = image.format or "unknown"
    orientation = _orientation(image)
    reduced = False
    if image_format == "JPEG" and max(width, height) > DECODE_MIN_LONG_SIDE * 2:
        factor = DECODE_MIN_LONG_SIDE / max(width, height)
        image.draft("RGB", (math.ceil(width * factor), math.ceil(height * factor)))
        reduced = image.size != (width, height)
    source_mode = image.mode
    image.load()
    had_alpha = "A" in image.getbands() or "transparency" in image.info
    if not reduced and image.mode in _REDUCIBLE_MODES:
        # Formats without draft decoding (PNG, WebP, ...): a box-filter reduction by a whole
        # factor, as JPEG's draft gives, so the resizes that follow see a small image; never to
        # a short side below the smallest image analysed.
        factor = min(max(image.size) // DECODE_MIN_LONG_SIDE, min(image.size) // MIN_IMAGE_SIDE)
        if factor >= 2:
            image = image.reduce(factor)
            reduced = True
    rgb = _to_rgb(image)
    rgb = _apply_orientation(rgb, orientation)
    if orientation in _TRANSPOSED_ORIENTATIONS:
        width, height = height, width
    return DecodedImage(
        rgb=np.ascontiguousarray(rgb),
        original_width=width,
        original_height=height,
        format=image_format,
        source_mode=source_mode,
        had_alpha=had_alpha,
        exif_orientation=orientation,
        reduced_decode=reduced,
    )


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - broken EXIF must not reject a decodable image
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _apply_orientation(rgb: np.ndarray, orientation: int) -> np.ndarray:
    """The EXIF orientation transforms (same as ``ImageOps.exif_transpose``) on an array."""
    operations: dict[int, Callable[[np.ndarray], np.ndarray]] = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.transpose(a, (1, 0, 2)),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: np.transpose(a[::-1, ::-1], (1, 0, 2)),
        8: lambda a: np.rot90(a, 1),
    }
    operation = operations.get(orientation)
    return operation(rgb) if operation else rgb


def _to_rgb(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode != "I" or values.max() > 255 else 255.0
        gray = np.clip(values / top * 255.0, 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode == "F":
        # Float images (scientific TIFFs) are stretched over their finite range: an infinite
        # pixel would otherwise make every other one black, and NaN ones come out black.
        values = np.asarray(image, dtype=np.float64)
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        scaled = (
            (np.clip(values, low, high) - low) / (high - low)
            if high > low
            else np.zeros_like(values)
        )
        gray = np.nan_to_num(scaled * 255.0).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    keyed_transparency = "transparency" in image.info and mode in ("L", "RGB")
    if mode in {"P", "PA", "LA", "La", "RGBa"} or keyed_transparency:
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, _WHITE)
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    return np.asarray(image)


def masked_pixels(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``image[mask]`` for an image (..., channels) and a bool mask over its other axes (an
    (h, w) mask over an (h, w, 3) image, or an (n,) mask over (n, 3) pixels): the same pixels in
    the same order, through ``np.compress``, which is several times faster than numpy's boolean
    indexing of a multi-channel array (2.2 against 0.23 ms for a 384 px object)."""
    return np.compress(mask.ravel(), image.reshape(-1, image.shape[-1]), axis=0)


def components(binary: np.ndarray, connectivity: int = 8) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected components of a 0/1 uint8 image: (count, labels, stats) as OpenCV gives them.

    Grana's block-based algorithm: on this machine's OpenCV it is several times faster than the
    default for the sparse masks the analysis labels (thin ridges, blobs, object masks).
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        binary, connectivity, cv2.CV_32S, cv2.CCL_GRANA
    )
    return int(count), labels, stats


def to_working(rgb: np.ndarray) -> np.ndarray:
    """The analysis copy: long side at most ``WORKING_LONG_SIDE``."""
    height, width = rgb.shape[:2]
    factor = WORKING_LONG_SIDE / max(height, width)
    if factor >= 1.0:
        return rgb
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def model_region(width: int, height: int, object_box: Box | None) -> Box:
    """The region fed to the backbone: the object with a margin, aspect within [3/4, 4/3]."""
    if object_box is None:
        x, y, w, h = 0.0, 0.0, float(width), float(height)
    else:
        margin_x, margin_y = object_box.width * 0.12, object_box.height * 0.12
        x = max(0.0, object_box.x - margin_x)
        y = max(0.0, object_box.y - margin_y)
        w = min(float(width), object_box.x2 + margin_x) - x
        h = min(float(height), object_box.y2 + margin_y) - y
    if w / h > MAX_MODEL_ASPECT:
        w, h, x, y = _grow_or_crop(w, h, x, y, width, height, horizontal=True)
    elif h / w > MAX_MODEL_ASPECT:
        w, h, x, y = _grow_or_crop(w, h, x, y, width, height, horizontal=False)
    return Box(x, y, w, h)


def _grow_or_crop(
    w: float, h: float, x: float, y: float, width: int, height: int, *, horizontal: bool
) -> tuple[float, float, float, float]:
    """Bring the aspect into range: first grow the short side inside the image, then crop."""
    if horizontal:
        target_h = min(float(height), w / MAX_MODEL_ASPECT)
        y = min(max(0.0, y - (target_h - h) / 2), height - target_h)
        h = target_h
        if w / h > MAX_MODEL_ASPECT:
            target_w = h * MAX_MODEL_ASPECT
            x += (w - target_w) / 2
            w = target_w
    else:
        target_w = min(float(width), h / MAX_MODEL_ASPECT)
        x = min(max(0.0, x - (target_w - w) / 2), width - target_w)
        w = target_w
        if h / w > MAX_MODEL_ASPECT:
            target_h = w * MAX_MODEL_ASPECT
            y += (h - target_h) / 2
            h = target_h
    return w, h, x, y


def model_input(rgb: np.ndarray, region: Box) -> np.ndarray:
    """Crop ``region`` (pixels of ``rgb``) and squash it to the 224 x 224 model input."""
    x0, y0 = int(region.x), int(region.y)
    x1 = max(x0 + 1, min(rgb.shape[1], math.ceil(region.x2)))
    y1 = max(y0 + 1, min(rgb.shape[0], math.ceil(region.y2)))
    crop = rgb[y0:y1, x0:x1]
    size = (MODEL_INPUT_SIZE, MODEL_INPUT_SIZE)
    shrinking = crop.shape[0] >= MODEL_INPUT_SIZE and crop.shape[1] >= MODEL_INPUT_SIZE
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(np.ascontiguousarray(crop), size, interpolation=interpolation)


def load_image_for_model(image_bytes: bytes, *, max_pixels: int) -> np.ndarray:
    """Whole image squashed to the model input (benchmarks and calibration)."""
    decoded = decode_image(image_bytes, max_pixels=max_pixels)
    height, width = decoded.rgb.shape[:2]
    return model_input(decoded.rgb, model_region(width, height, None))


def open_for_preview(image_bytes: bytes) -> Image.Image:
    """Pillow image with orientation applied (for drawing overlays in tools)."""
    image = Image.open(io.BytesIO(image_bytes))
    return ImageOps.exif_transpose(image).convert("RGB")
