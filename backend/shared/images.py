"""Validation of uploaded image bytes, shared by every upload path (direct, presigned, worker).

Only the bytes are trusted, never the client's content type or file name. The order matters:

1. size from the file system or the stream (nothing read yet): empty, or over ``max_bytes``;
2. the type sniffed from the first bytes: JPEG, PNG, WebP, HEIC/HEIF, anything else refused
   with the allowed types named;
3. the dimensions from the header alone, checked against ``max_pixels`` before any pixel is
   decoded (decompression bombs);
4. a full decode of the (first) frame, so truncated and corrupt files are refused;
5. the EXIF orientation, so the reported width and height are the displayed ones.

Every refusal is an :class:`ImageValidationError` carrying a machine-readable ``code`` and the
HTTP status the API answers with.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Final

import pillow_heif
import structlog
from PIL import Image

from backend.shared.config import get_settings

logger = structlog.get_logger(__name__)

pillow_heif.register_heif_opener(thumbnails=False)

SNIFF_BYTES: Final = 512
EXIF_ORIENTATION_TAG: Final = 0x0112
# Orientations 5-8 turn the stored image by a quarter: displayed width is stored height.
_TRANSPOSING_ORIENTATIONS: Final = frozenset({5, 6, 7, 8})


class ImageFormat(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    HEIC = "heic"
    HEIF = "heif"

    @property
    def content_type(self) -> str:
        return f"image/{self.value}"

    @property
    def file_extension(self) -> str:
        return "jpg" if self is ImageFormat.JPEG else self.value


class ImageErrorCode(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    TOO_MANY_PIXELS = "too_many_pixels"
    CORRUPT = "corrupt"


HTTP_STATUS_BY_CODE: Final[dict[ImageErrorCode, int]] = {
    ImageErrorCode.EMPTY: 422,
    ImageErrorCode.TOO_LARGE: 413,
    ImageErrorCode.UNSUPPORTED_TYPE: 415,
    ImageErrorCode.TOO_MANY_PIXELS: 422,
    ImageErrorCode.CORRUPT: 422,
}

ALLOWED_CONTENT_TYPES: Final = frozenset(image_format.content_type for image_format in ImageFormat)
ALLOWED_TYPES_TEXT: Final = "JPEG, PNG, WebP, HEIC/HEIF"

_PILLOW_FORMAT: Final = {
    ImageFormat.JPEG: "JPEG",
    ImageFormat.PNG: "PNG",
    ImageFormat.WEBP: "WEBP",
    ImageFormat.HEIC: "HEIF",
    ImageFormat.HEIF: "HEIF",
}
# ISO-BMFF brands (ISO/IEC 23008-12): HEVC-coded HEIC, and the generic HEIF image brands.
_HEIC_BRANDS: Final = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
_HEIF_BRANDS: Final = frozenset({b"mif1", b"msf1", b"mif2", b"hevm", b"hevs"})
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})


class ImageValidationError(Exception):
    """Why an upload was refused: ``code`` for machines, ``message`` for people, and the
    ``http_status`` the API answers (415 type, 413 size, 422 empty, corrupt or bomb)."""

    def __init__(
        self,
        code: ImageErrorCode | str,
        message: str,
        *,
        http_status: int | None = None,
        detected_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = ImageErrorCode(code)
        self.message = message
        self.http_status = http_status or HTTP_STATUS_BY_CODE[self.code]
        self.detected_type = detected_type

    def __repr__(self) -> str:
        return f"ImageValidationError(code={self.code.value!r}, message={self.message!r})"


@dataclass(frozen=True, slots=True)
class ValidatedImage:
    """What the bytes really are.

    ``width``/``height`` are the displayed size, with the orientation applied. ``orientation``
    (1-8) is the EXIF rotation a viewer still applies to the decoded pixels, as
    ``PIL.ImageOps.exif_transpose`` does: for HEIC/HEIF it is 1, because the decoder already
    applies the container's rotation. ``frame_count`` is above 1 for animated PNG/WebP; only
    the first frame is decoded here.
    """

    format: ImageFormat
    content_type: str
    width: int
    height: int
    size_bytes: int
    orientation: int
    frame_count: int = 1


ImageSource = str | os.PathLike[str] | BinaryIO | bytes | bytearray | memoryview


def validate_image(
    source: ImageSource, *, max_bytes: int | None = None, max_pixels: int | None = None
) -> ValidatedImage:
    """Check ``source`` (a path, a seekable binary stream, or bytes) and describe the image.

    Limits default to ``max_upload_bytes`` and ``max_image_pixels`` from settings. A stream's
    whole content is checked (from offset 0, as Pillow reads it), and the stream is left at
    the position it was found at.
    """
    if max_bytes is None or max_pixels is None:
        settings = get_settings()
        max_bytes = settings.max_upload_bytes if max_bytes is None else max_bytes
        max_pixels = settings.max_image_pixels if max_pixels is None else max_pixels
    with _open_source(source) as stream:
        return _validate_stream(stream, max_bytes=max_bytes, max_pixels=max_pixels)


def sniff_format(header: bytes) -> ImageFormat:
    """The allowed format that ``header`` (the first bytes of a file) starts, or a refusal."""
    if not header:
        raise ImageValidationError(ImageErrorCode.EMPTY, "The file is empty.")
    if header.startswith(b"\xff\xd8\xff"):
        return ImageFormat.JPEG
    if header.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageFormat.PNG
    if header[:4] == b"RIFF" and header[8:12] == b"WEBP":
        return ImageFormat.WEBP
    heif_format = _sniff_heif(header)
    if heif_format is not None:
        return heif_format
    detected = describe_other_type(header)
    raise ImageValidationError(
        ImageErrorCode.UNSUPPORTED_TYPE,
        f"Unsupported file type ({detected}); allowed types: {ALLOWED_TYPES_TEXT}.",
        detected_type=detected,
    )


def displayed_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """Width and height once EXIF ``orientation`` (1-8) is applied."""
    if orientation in _TRANSPOSING_ORIENTATIONS:
        return height, width
    return width, height


def describe_other_type(header: bytes) -> str:
    """A human name for a file that is not an allowed image, for error messages and logs."""
    for signature, name in _OTHER_SIGNATURES:
        if header.startswith(signature):
            return name
    if header[4:8] == b"ftyp":
        brand = header[8:12]
        if brand in _AVIF_BRANDS or _compatible_brands(header) & _AVIF_BRANDS:
            return "AVIF"
        return f"ISO media ({brand.decode('ascii', 'replace')})"
    text = header.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return _describe_markup(text) if text.startswith(b"<") else "unknown"


def _describe_markup(text: bytes) -> str:
    if b"<svg" in text:
        return "SVG"
    if text.startswith((b"<!doctype html", b"<html")) or b"<script" in text:
        return "HTML"
    return "XML" if text.startswith(b"<?xml") else "markup"


_OTHER_SIGNATURES: Final = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF-", "PDF"),
    (b"MZ", "Windows executable"),
    (b"\x7fELF", "ELF executable"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "Photoshop document"),
    (b"\x1f\x8b", "gzip archive"),
)


def _sniff_heif(header: bytes) -> ImageFormat | None:
    if header[4:8] != b"ftyp":
        return None
    major = header[8:12]
    compatible = _compatible_brands(header)
    if major in _AVIF_BRANDS:
        return None
    if major in _HEIC_BRANDS:
        return ImageFormat.HEIC
    if major in _HEIF_BRANDS:
        if compatible & _AVIF_BRANDS and not compatible & _HEIC_BRANDS:
            return None
        return ImageFormat.HEIC if compatible & _HEIC_BRANDS else ImageFormat.HEIF
    return None


def _compatible_brands(header: bytes) -> frozenset[bytes]:
    box_size = int.from_bytes(header[:4], "big")
    end = min(max(box_size, 16), len(header))
    return frozenset(header[offset : offset + 4] for offset in range(16, end - 3, 4))


def _validate_stream(stream: BinaryIO, *, max_bytes: int, max_pixels: int) -> ValidatedImage:
    position = stream.tell()
    try:
        size_bytes = stream.seek(0, io.SEEK_END)
        if size_bytes <= 0:
            raise ImageValidationError(ImageErrorCode.EMPTY, "The file is empty.")
        if size_bytes > max_bytes:
            raise ImageValidationError(
                ImageErrorCode.TOO_LARGE,
                f"The file is {size_bytes} bytes; images may be at most {max_bytes} bytes.",
            )
        stream.seek(0)
        image_format = sniff_format(stream.read(SNIFF_BYTES))
        stream.seek(0)
        return _decode(stream, image_format, size_bytes=size_bytes, max_pixels=max_pixels)
    finally:
        stream.seek(position)


def _decode(
    stream: BinaryIO, image_format: ImageFormat, *, size_bytes: int, max_pixels: int
) -> ValidatedImage:
    try:
        pillow_format = _PILLOW_FORMAT[image_format]
        with Image.open(stream, formats=[pillow_format]) as image:
            stored_width, stored_height = image.size
            _check_pixels(stored_width, stored_height, max_pixels)
            frame_count = int(getattr(image, "n_frames", 1))
            image.load()
            orientation = _orientation(image)
        if image_format is ImageFormat.PNG:
            stream.seek(0)
            _verify_png_chunks(stream)
    except ImageValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageValidationError(
            ImageErrorCode.TOO_MANY_PIXELS,
            f"The image has too many pixels; at most {max_pixels} are allowed.",
        ) from exc
    except Exception as exc:  # decoders raise many types on hostile bytes: all mean "corrupt"
        logger.info("image_decode_failed", format=image_format.value, error=repr(exc)[:200])
        raise ImageValidationError(
            ImageErrorCode.CORRUPT,
            f"The file starts like a {image_format.name} image but cannot be decoded "
            "(truncated or corrupt).",
        ) from exc
    width, height = displayed_size(stored_width, stored_height, orientation)
    return ValidatedImage(
        format=image_format,
        content_type=image_format.content_type,
        width=width,
        height=height,
        size_bytes=size_bytes,
        orientation=orientation,
        frame_count=frame_count,
    )


def _verify_png_chunks(stream: BinaryIO) -> None:
    """Every chunk's CRC up to IEND: a PNG cut after its pixel data still decodes, but it was
    truncated all the same."""
    with Image.open(stream, formats=["PNG"]) as image:
        image.verify()


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageValidationError(ImageErrorCode.CORRUPT, "The image has no pixels.")
    if width * height > max_pixels:
        raise ImageValidationError(
            ImageErrorCode.TOO_MANY_PIXELS,
            f"The image is {width}x{height} pixels; at most {max_pixels} pixels are allowed.",
        )


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 when absent or out of range, as viewers treat it)."""
    try:
        value = image.getexif().get(EXIF_ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block does not make the pixels invalid
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


@contextmanager
def _open_source(source: ImageSource) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
    elif isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as handle:
            yield handle
    else:
        if not source.seekable():
            raise TypeError("validate_image needs a seekable stream; spool it to a file first")
        yield source
