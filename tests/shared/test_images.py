"""Image validation against the generated hostile corpus and real photos."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps

from backend.shared.config import get_settings
from backend.shared.images import (
    ALLOWED_CONTENT_TYPES,
    HTTP_STATUS_BY_CODE,
    ImageErrorCode,
    ImageFormat,
    ImageValidationError,
    ValidatedImage,
    displayed_size,
    sniff_format,
    validate_image,
)
from tests.corpus import builders
from tests.corpus.generate import GeneratedFile, generate
from tests.corpus.manifest import (
    CASES,
    DEFAULT_MAX_IMAGE_PIXELS,
    DEFAULT_MAX_UPLOAD_BYTES,
    Accepted,
    CorpusCase,
    Rejected,
)

pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "validation"
LIMITS = {"max_bytes": DEFAULT_MAX_UPLOAD_BYTES, "max_pixels": DEFAULT_MAX_IMAGE_PIXELS}


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GeneratedFile]:
    return {item.case.name: item for item in generate(tmp_path_factory.mktemp("corpus"))}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_corpus_case_has_its_expected_outcome(
    case: CorpusCase, hostile_corpus: dict[str, GeneratedFile]
) -> None:
    generated = hostile_corpus[case.name]
    expected = case.expected
    if isinstance(expected, Accepted):
        result = validate_image(generated.path, **LIMITS)
        assert result == ValidatedImage(
            format=expected.format,
            content_type=expected.content_type,
            width=expected.width,
            height=expected.height,
            size_bytes=generated.size_bytes,
            orientation=expected.orientation,
            frame_count=expected.frame_count,
        )
    else:
        with pytest.raises(ImageValidationError) as refused:
            validate_image(generated.path, **LIMITS)
        assert refused.value.code == expected.code
        assert refused.value.http_status == expected.http_status
        assert refused.value.message


def test_corpus_is_large_and_covers_every_outcome() -> None:
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)
    codes = {case.expected.code for case in CASES if isinstance(case.expected, Rejected)}
    assert codes == set(ImageErrorCode)
    formats = {case.expected.format for case in CASES if isinstance(case.expected, Accepted)}
    assert formats == set(ImageFormat) - {ImageFormat.HEIF}
    orientations = {
        case.expected.orientation for case in CASES if isinstance(case.expected, Accepted)
    }
    assert orientations == set(range(1, 9))


@pytest.mark.parametrize(
    "name", ["svg_renamed.jpg", "pdf_renamed.jpg", "exe_renamed.png", "polyglot_gif_js.gif"]
)
def test_unsupported_type_names_what_it_is_and_what_is_allowed(
    name: str, hostile_corpus: dict[str, GeneratedFile]
) -> None:
    with pytest.raises(ImageValidationError) as refused:
        validate_image(hostile_corpus[name].path, **LIMITS)
    assert refused.value.http_status == 415
    assert "JPEG, PNG, WebP, HEIC/HEIF" in refused.value.message
    expected_type = {
        "svg_renamed.jpg": "SVG",
        "pdf_renamed.jpg": "PDF",
        "exe_renamed.png": "Windows executable",
        "polyglot_gif_js.gif": "GIF",
    }[name]
    assert refused.value.detected_type == expected_type
    assert expected_type in refused.value.message


@pytest.mark.parametrize(
    "name", ["bomb_png_30000x30000.png", "bomb_png_12000x9000.png", "bomb_jpeg_declared_65000.jpg"]
)
def test_bombs_are_refused_from_the_header_without_decoding(
    name: str, hostile_corpus: dict[str, GeneratedFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse_to_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("a bomb reached the decoder")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)
    with pytest.raises(ImageValidationError) as refused:
        validate_image(hostile_corpus[name].path, **LIMITS)
    assert refused.value.code is ImageErrorCode.TOO_MANY_PIXELS
    assert refused.value.http_status == 422


def test_pixel_limit_is_exact() -> None:
    data = builders.png(builders.noise_image(100, 100))
    assert validate_image(data, max_bytes=10**6, max_pixels=10_000).width == 100
    with pytest.raises(ImageValidationError) as refused:
        validate_image(data, max_bytes=10**6, max_pixels=9_999)
    assert refused.value.code is ImageErrorCode.TOO_MANY_PIXELS


def test_byte_limit_is_exact_and_checked_before_reading() -> None:
    data = builders.jpeg(32, 32)
    assert validate_image(data, max_bytes=len(data), max_pixels=10**6).size_bytes == len(data)
    with pytest.raises(ImageValidationError) as refused:
        validate_image(data, max_bytes=len(data) - 1, max_pixels=10**6)
    assert (refused.value.code, refused.value.http_status) == (ImageErrorCode.TOO_LARGE, 413)


def test_limits_default_to_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    data = builders.png(builders.noise_image(20, 10))
    monkeypatch.setenv("IMAGINEAI_MAX_IMAGE_PIXELS", "199")
    get_settings.cache_clear()
    try:
        with pytest.raises(ImageValidationError) as refused:
            validate_image(data)
        assert refused.value.code is ImageErrorCode.TOO_MANY_PIXELS
        monkeypatch.setenv("IMAGINEAI_MAX_IMAGE_PIXELS", "200")
        get_settings.cache_clear()
        assert validate_image(data).width == 20
    finally:
        get_settings.cache_clear()


def test_path_stream_and_bytes_agree_and_the_stream_is_left_where_it_was(tmp_path: Path) -> None:
    data = builders.webp(builders.noise_image(30, 20), exif=builders.exif_block(6))
    path = tmp_path / "upload"
    path.write_bytes(data)
    stream = io.BytesIO(data)
    stream.seek(7)
    from_stream = validate_image(stream, **LIMITS)
    assert stream.tell() == 7
    assert from_stream == validate_image(data, **LIMITS) == validate_image(path, **LIMITS)
    assert (from_stream.width, from_stream.height, from_stream.orientation) == (20, 30, 6)


def test_stream_position_is_restored_after_a_refusal() -> None:
    stream = io.BytesIO(builders.truncated(builders.jpeg(64, 48), 0.5))
    with pytest.raises(ImageValidationError):
        validate_image(stream, **LIMITS)
    assert stream.tell() == 0


def test_non_seekable_streams_are_refused_with_advice() -> None:
    class OneWay(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

    with pytest.raises(TypeError, match="seekable"):
        validate_image(io.BufferedReader(OneWay()), **LIMITS)


def test_error_codes_map_to_http_statuses() -> None:
    assert HTTP_STATUS_BY_CODE == {
        ImageErrorCode.EMPTY: 422,
        ImageErrorCode.TOO_LARGE: 413,
        ImageErrorCode.UNSUPPORTED_TYPE: 415,
        ImageErrorCode.TOO_MANY_PIXELS: 422,
        ImageErrorCode.CORRUPT: 422,
    }
    built_from_text = ImageValidationError("too_large", "big")
    assert built_from_text.code is ImageErrorCode.TOO_LARGE
    assert built_from_text.http_status == 413


def test_allowed_content_types() -> None:
    expected = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
    assert expected == ALLOWED_CONTENT_TYPES


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", ImageFormat.HEIC),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1miaf", ImageFormat.HEIF),
        (b"\x00\x00\x00\x18ftypheix\x00\x00\x00\x00mif1heix", ImageFormat.HEIC),
    ],
)
def test_heif_brands(header: bytes, expected: ImageFormat) -> None:
    assert sniff_format(header) is expected


@pytest.mark.parametrize(
    "header",
    [
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf",
        b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif",
        b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isommp41",
    ],
)
def test_other_iso_media_is_not_heif(header: bytes) -> None:
    with pytest.raises(ImageValidationError) as refused:
        sniff_format(header)
    assert refused.value.code is ImageErrorCode.UNSUPPORTED_TYPE


@pytest.mark.parametrize(
    ("orientation", "expected"),
    [(1, (60, 40)), (2, (60, 40)), (3, (60, 40)), (4, (60, 40))]
    + [(value, (40, 60)) for value in (5, 6, 7, 8)],
)
def test_displayed_size(orientation: int, expected: tuple[int, int]) -> None:
    assert displayed_size(60, 40, orientation) == expected


def test_real_jpeg_photo() -> None:
    result = validate_image(PHOTOS / "rocket.jpg", **LIMITS)
    assert (result.format, result.width, result.height, result.orientation) == (
        ImageFormat.JPEG,
        640,
        427,
        1,
    )


def test_exif_rotated_real_photo_reports_the_displayed_size() -> None:
    path = PHOTOS / "coffee_exif_orientation_6.jpg"
    result = validate_image(path, **LIMITS)
    assert (result.width, result.height, result.orientation) == (600, 400, 6)
    with Image.open(path) as stored:
        assert stored.size == (400, 600)
        stored_pixels = np.asarray(stored.convert("RGB"))
        upright = np.asarray(ImageOps.exif_transpose(stored).convert("RGB"))
    assert upright.shape == (result.height, result.width, 3)
    assert np.array_equal(upright, np.rot90(stored_pixels, k=-1)), "6 means turn clockwise"


def test_real_heic_photo() -> None:
    result = validate_image(PHOTOS / "chelsea.heic", **LIMITS)
    assert (result.format, result.content_type, result.width, result.height) == (
        ImageFormat.HEIC,
        "image/heic",
        451,
        300,
    )


def test_real_cmyk_photo() -> None:
    path = PHOTOS / "rocket_cmyk.jpg"
    with Image.open(path) as image:
        assert image.mode == "CMYK"
    result = validate_image(path, **LIMITS)
    assert (result.format, result.width, result.height) == (ImageFormat.JPEG, 640, 427)


def test_truncated_real_photo_is_corrupt() -> None:
    data = (PHOTOS / "rocket.jpg").read_bytes()
    with pytest.raises(ImageValidationError) as refused:
        validate_image(data[: len(data) * 2 // 3], **LIMITS)
    assert refused.value.code is ImageErrorCode.CORRUPT
