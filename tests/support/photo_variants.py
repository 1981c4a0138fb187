"""Copies of a real photo as sellers make them: mirrored, cropped, resized, re-encoded,
under- or overexposed."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageOps


def _open(data: bytes) -> Image.Image:
    return ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")


def _jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def mirrored(data: bytes) -> bytes:
    return _jpeg(ImageOps.mirror(_open(data)))


def cropped(data: bytes, keep: float = 0.9) -> bytes:
    image = _open(data)
    width, height = image.size
    dx, dy = int(width * (1 - keep) / 2), int(height * (1 - keep) / 2)
    return _jpeg(image.crop((dx, dy, width - dx, height - dy)))


def recompressed(data: bytes, quality: int = 35) -> bytes:
    return _jpeg(_open(data), quality)


def resized(data: bytes, scale: float = 0.5) -> bytes:
    image = _open(data)
    return _jpeg(image.resize((int(image.width * scale), int(image.height * scale))))


def exposed(data: bytes, gain: float) -> bytes:
    """Every channel times ``gain``, clipped at white: darker below 1, washed out above."""
    return _jpeg(_open(data).point(lambda value: min(255, int(value * gain))))


def mirrored_cropped_recompressed(data: bytes) -> bytes:
    return recompressed(cropped(mirrored(data), 0.92), 50)


VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "mirrored": mirrored,
    "cropped": cropped,
    "recompressed": recompressed,
    "resized": resized,
    "mirrored_cropped_recompressed": mirrored_cropped_recompressed,
}
