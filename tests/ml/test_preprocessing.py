"""Decoding real photos in every shape they arrive in, and refusing what is not an image."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from backend.ml.config import MIN_IMAGE_SIDE, MODEL_INPUT_SIZE
from backend.ml.errors import ImageDecodeError
from backend.ml.preprocessing import Box, decode_image, masked_pixels, model_input, model_region
from tests.corpus.manifest import CASES, Accepted
from tests.ml.conftest import photo_bytes

LIMIT = 100_000_000
#: The API refuses these by type policy (GIF, BMP, TIFF, AVIF) or by byte size; they are images,
#: so the ML library may analyse them; the upload validation keeps them out of the pipeline.
POLICY_ONLY = {
    "oversize.jpg",
    "gif_renamed.jpg",
    "polyglot_gif_js.gif",
    "bmp_renamed.jpg",
    "tiff_renamed.jpg",
    "avif_renamed.heic",
}


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _coffee() -> Image.Image:
    return Image.open(io.BytesIO(photo_bytes("red_coffee_cup.png"))).convert("RGB")


def test_decodes_a_real_jpeg_at_reduced_scale_keeping_the_true_size() -> None:
    big = _coffee().resize((2400, 1600))
    decoded = decode_image(_encode(big, "JPEG", quality=90), max_pixels=LIMIT)
    assert (decoded.original_width, decoded.original_height) == (2400, 1600)
    assert decoded.reduced_decode
    assert decoded.rgb.shape[1] < 2400
    assert decoded.scale[0] == pytest.approx(2400 / decoded.rgb.shape[1])


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_a_large_lossless_image_is_reduced_right_after_decoding(fmt: str) -> None:
    """PNG and WebP have no draft decoding: a whole-factor box reduction stands in for it, so the
    steps after decoding see about the same pixels as for a JPEG of that size."""
    big = _coffee().resize((2400, 1600))
    decoded = decode_image(_encode(big, fmt), max_pixels=LIMIT)
    assert (decoded.original_width, decoded.original_height) == (2400, 1600)
    assert decoded.reduced_decode
    assert decoded.rgb.shape[:2] == (320, 480)  # 2400 // 448 = 5
    jpeg = decode_image(_encode(big, "JPEG", quality=90), max_pixels=LIMIT)
    assert (
        np.abs(
            decoded.rgb[::4, ::4].astype(int) - cv2.resize(jpeg.rgb, (480, 320))[::4, ::4]
        ).mean()
        < 8
    )


def test_a_large_palette_image_is_decoded_whole() -> None:
    """A palette image is not averaged as palette indices: it keeps every pixel."""
    big = _coffee().resize((2400, 1600)).convert("P", palette=Image.Palette.ADAPTIVE)
    decoded = decode_image(_encode(big, "PNG"), max_pixels=LIMIT)
    assert not decoded.reduced_decode
    assert decoded.rgb.shape[:2] == (1600, 2400)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation: int) -> None:
    image = _coffee()
    exif = image.getexif()
    exif[0x0112] = orientation
    data = _encode(image, "PNG", exif=exif)
    decoded = decode_image(data, max_pixels=LIMIT)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    assert decoded.exif_orientation == orientation
    assert np.array_equal(decoded.rgb, expected)
    assert (decoded.original_height, decoded.original_width) == expected.shape[:2]


def test_alpha_is_flattened_on_white() -> None:
    rgba = _coffee().convert("RGBA")
    alpha = np.array(rgba.getchannel("A"))
    alpha[:, :100] = 0
    rgba.putalpha(Image.fromarray(alpha))
    decoded = decode_image(_encode(rgba, "PNG"), max_pixels=LIMIT)
    assert decoded.had_alpha
    assert (decoded.rgb[:, :100] == 255).all()
    assert decoded.rgb[:, 200:].mean() < 200


def test_cmyk_16bit_and_palette_images_become_rgb() -> None:
    photo = _coffee()
    cmyk = decode_image(_encode(photo.convert("CMYK"), "JPEG", quality=92), max_pixels=LIMIT)
    assert cmyk.source_mode == "CMYK"
    assert np.abs(cmyk.rgb.astype(int) - np.asarray(photo).astype(int)).mean() < 12
    gray16 = Image.fromarray(np.asarray(photo.convert("L")).astype(np.uint16) * 257)
    sixteen = decode_image(_encode(gray16, "PNG"), max_pixels=LIMIT)
    assert sixteen.rgb.dtype == np.uint8
    assert abs(int(sixteen.rgb.mean()) - int(np.asarray(photo.convert("L")).mean())) <= 2
    palette = photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=32)
    decoded = decode_image(_encode(palette, "PNG", transparency=0), max_pixels=LIMIT)
    assert decoded.rgb.shape == (*np.asarray(photo).shape[:2], 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a recognised image"),
        (photo_bytes("grey_duffel_bag.jpg")[:3000], "corrupt or truncated"),
        (_encode(Image.new("RGB", (8, 8)), "PNG"), "at least 16 pixels"),
    ],
)
def test_unusable_bytes_raise_a_readable_error(data: bytes, message: str) -> None:
    with pytest.raises(ImageDecodeError, match=message) as caught:
        decode_image(data, max_pixels=LIMIT)
    assert caught.value.permanent


def test_pixel_limit_is_enforced_before_decoding() -> None:
    with pytest.raises(ImageDecodeError, match="limit"):
        decode_image(photo_bytes("grey_duffel_bag.jpg"), max_pixels=1000)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_corpus_case_decodes_or_fails_cleanly(case: object) -> None:
    data = case.build()  # type: ignore[attr-defined]
    expected = case.expected  # type: ignore[attr-defined]
    if isinstance(expected, Accepted) and min(expected.width, expected.height) < MIN_IMAGE_SIDE:
        with pytest.raises(ImageDecodeError, match="pixels per side"):
            decode_image(data, max_pixels=LIMIT)
    elif isinstance(expected, Accepted):
        decoded = decode_image(data, max_pixels=LIMIT)
        assert (decoded.original_width, decoded.original_height) == (
            expected.width,
            expected.height,
        )
        assert decoded.rgb.dtype == np.uint8
        assert decoded.rgb.shape[2] == 3
    elif case.name in POLICY_ONLY:  # type: ignore[attr-defined]
        message = "decoded"
        try:
            decode_image(data, max_pixels=LIMIT)
        except ImageDecodeError as exc:
            message = str(exc)
        assert message
    else:
        with pytest.raises(ImageDecodeError) as caught:
            decode_image(data, max_pixels=LIMIT)
        assert len(str(caught.value)) > 10


def test_model_region_keeps_the_aspect_within_the_trained_range() -> None:
    region = model_region(1600, 400, None)
    assert region.width / region.height == pytest.approx(4 / 3)
    assert region.height == 400
    around = model_region(1000, 1000, Box(400, 100, 100, 600))
    assert around.height / around.width <= 4 / 3 + 1e-9
    assert around.x <= 400
    assert around.x2 >= 500


def test_model_input_is_224_square(photo: Callable[[str], bytes]) -> None:
    decoded = decode_image(photo("vitamin_bottle.jpg"), max_pixels=LIMIT)
    height, width = decoded.rgb.shape[:2]
    tensor = model_input(decoded.rgb, model_region(width, height, None))
    assert tensor.shape == (MODEL_INPUT_SIZE, MODEL_INPUT_SIZE, 3)
    assert tensor.dtype == np.uint8


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_masked_pixels_are_boolean_indexing(dtype: type) -> None:
    rng = np.random.default_rng(7)
    image = (rng.random((60, 80, 3)) * 255).astype(dtype)
    mask = rng.random((60, 80)) < 0.3
    window = (slice(10, 50), slice(5, 70))  # a strided view, as a candidate's window is
    assert np.array_equal(masked_pixels(image, mask), image[mask])
    assert np.array_equal(masked_pixels(image[window], mask[window]), image[window][mask[window]])
    pixels = image[mask]
    rows = rng.random(len(pixels)) < 0.5
    assert np.array_equal(masked_pixels(pixels, rows), pixels[rows])
    assert masked_pixels(image, np.zeros((60, 80), bool)).shape == (0, 3)


def test_a_float_tiff_is_stretched_over_its_finite_values() -> None:
    values = np.tile(np.linspace(-2.0, 6.0, 400, dtype=np.float32), (300, 1))
    values[10, 10], values[20, 20], values[30, 30] = np.inf, -np.inf, np.nan
    buffer = io.BytesIO()
    Image.fromarray(values, "F").save(buffer, "TIFF")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decoded = decode_image(buffer.getvalue(), max_pixels=LIMIT)
    gray = decoded.rgb[..., 0].astype(int)
    assert (gray[100, 0], gray[100, -1]) == (0, 255)  # the gradient, not one flat colour
    assert (gray[10, 10], gray[20, 20], gray[30, 30]) == (255, 0, 0)  # +inf, -inf, NaN
