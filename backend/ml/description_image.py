"""The product photo in a form multimodal chat endpoints accept."""

from __future__ import annotations

import io
from functools import cache

import structlog
from PIL import ExifTags, Image, ImageOps

from backend.ml.description_types import ProductImage

log = structlog.get_logger(__name__)

# Formats Bedrock's image block and OpenAI-style data URLs both take.
IMAGE_FORMATS = {"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
# Claude scales anything larger down to about 1568 px on the long side; Bedrock refuses
# images over 3.75 MB. Sending more only costs bandwidth and tokens.
MAX_SIDE_PX = 1568
MAX_BYTES = 3_750_000


@cache
def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def image_for_model(image: ProductImage) -> ProductImage | None:
    """The photo as is when it fits, else a downscaled JPEG; None when it cannot be decoded.

    The media type is sniffed from the bytes (a wrong declared type makes endpoints refuse),
    and EXIF orientation is applied, since models read the pixels as stored.
    """
    _register_heif()
    try:
        with Image.open(io.BytesIO(image.data)) as picture:
            media_type = f"image/{(picture.format or 'unknown').lower()}"
            small_enough = len(image.data) <= MAX_BYTES and max(picture.size) <= MAX_SIDE_PX
            upright = picture.getexif().get(ExifTags.Base.Orientation, 1) == 1
            if media_type in IMAGE_FORMATS and small_enough and upright:
                return ProductImage(image.data, media_type)
            picture.draft("RGB", (MAX_SIDE_PX, MAX_SIDE_PX))
            rgb = ImageOps.exif_transpose(picture).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning("description.image_unreadable", declared=image.media_type, error=str(error))
        return None
    rgb.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    encoded = io.BytesIO()
    rgb.save(encoded, "JPEG", quality=85)
    return ProductImage(encoded.getvalue(), "image/jpeg")
