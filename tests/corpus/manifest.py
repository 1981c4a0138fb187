"""The hostile corpus as typed data: every case, the bytes it builds, and what must happen.

Tests of the API and the worker import :data:`CASES` (or call
:func:`tests.corpus.generate.generate` for files on disk) and assert the outcome: an accepted
case must be stored and analysed with the given displayed size; a rejected case must be
answered with ``expected.http_status`` and ``expected.code``. The outcomes assume the default
limits (``max_upload_bytes`` 50 MiB, ``max_image_pixels`` 100 million).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

from backend.shared.config import MEGABYTE
from backend.shared.images import HTTP_STATUS_BY_CODE, ImageErrorCode, ImageFormat
from tests.corpus import builders as b

DEFAULT_MAX_UPLOAD_BYTES = 50 * MEGABYTE
DEFAULT_MAX_IMAGE_PIXELS = 100_000_000


@dataclass(frozen=True, slots=True)
class Accepted:
    """Valid: stored as ``format`` with this displayed (EXIF-applied) size."""

    format: ImageFormat
    width: int
    height: int
    orientation: int = 1
    frame_count: int = 1

    @property
    def content_type(self) -> str:
        return self.format.content_type


@dataclass(frozen=True, slots=True)
class Rejected:
    """Refused with ``code`` (and the HTTP status the API maps it to)."""

    code: ImageErrorCode

    @property
    def http_status(self) -> int:
        return HTTP_STATUS_BY_CODE[self.code]


Expected = Accepted | Rejected


@dataclass(frozen=True, slots=True)
class CorpusCase:
    """One file: ``name`` on disk, the ``upload_filename`` a client would send, and the
    ``stored_name`` :func:`backend.shared.filenames.safe_filename` must make of it."""

    name: str
    description: str
    expected: Expected
    build: Callable[[], bytes] = field(repr=False)
    upload_filename: str = ""
    stored_name: str = ""
    pad_to_bytes: int | None = None

    @property
    def client_filename(self) -> str:
        return self.upload_filename or self.name

    @property
    def expected_stored_name(self) -> str:
        return self.stored_name or self.client_filename


def _noise(width: int, height: int, mode: str = "RGB", seed: int = 7) -> Image.Image:
    return b.noise_image(width, height, mode=mode, seed=seed)


def _palette_with_transparency() -> bytes:
    image = _noise(40, 30).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return b.png(image, transparency=0)


def _frames(count: int, size: tuple[int, int]) -> list[Image.Image]:
    return [_noise(*size, seed=seed) for seed in range(count)]


def _jpeg_orientation(orientation: int) -> CorpusCase:
    transposed = orientation >= 5
    return CorpusCase(
        name=f"jpeg_exif_orientation_{orientation}.jpg",
        description=f"60x40 stored, EXIF orientation {orientation}",
        expected=Accepted(
            ImageFormat.JPEG,
            width=40 if transposed else 60,
            height=60 if transposed else 40,
            orientation=orientation,
        ),
        build=lambda: b.jpeg(60, 40, exif=b.exif_block(orientation)),
    )


def _rejected(code: ImageErrorCode) -> Rejected:
    return Rejected(code)


UNSUPPORTED = _rejected(ImageErrorCode.UNSUPPORTED_TYPE)
CORRUPT = _rejected(ImageErrorCode.CORRUPT)
BOMB = _rejected(ImageErrorCode.TOO_MANY_PIXELS)

ACCEPTED_CASES: tuple[CorpusCase, ...] = (
    CorpusCase(
        name="jpeg_baseline.jpg",
        description="plain baseline RGB JPEG",
        expected=Accepted(ImageFormat.JPEG, 64, 48),
        build=lambda: b.jpeg(64, 48),
    ),
    CorpusCase(
        name="jpeg_progressive.jpg",
        description="progressive RGB JPEG",
        expected=Accepted(ImageFormat.JPEG, 80, 60),
        build=lambda: b.jpeg(80, 60, progressive=True),
    ),
    CorpusCase(
        name="jpeg_grayscale.jpg",
        description="8-bit grayscale JPEG",
        expected=Accepted(ImageFormat.JPEG, 50, 40),
        build=lambda: b.encode(_noise(50, 40, "L"), "JPEG", quality=85),
    ),
    CorpusCase(
        name="jpeg_cmyk.jpg",
        description="CMYK JPEG (Adobe APP14), as print workflows export",
        expected=Accepted(ImageFormat.JPEG, 60, 40),
        build=lambda: b.encode(_noise(60, 40).convert("CMYK"), "JPEG", quality=85),
    ),
    *(_jpeg_orientation(orientation) for orientation in range(1, 9)),
    CorpusCase(
        name="jpeg_exif_orientation_invalid.jpg",
        description="EXIF orientation 9 (out of range): treated as 1",
        expected=Accepted(ImageFormat.JPEG, 60, 40),
        build=lambda: b.jpeg(60, 40, exif=b.exif_block(9)),
    ),
    CorpusCase(
        name="jpeg_huge_exif.jpg",
        description="60 KB EXIF block (ImageDescription) with orientation 6",
        expected=Accepted(ImageFormat.JPEG, 40, 60, orientation=6),
        build=lambda: b.jpeg(60, 40, exif=b.exif_block(6, description="A" * 60_000)),
    ),
    CorpusCase(
        name="jpeg_corrupt_scan_data.jpg",
        description="valid markers, entropy-coded data overwritten with noise: libjpeg decodes "
        "it (as noise), so it is an image",
        expected=Accepted(ImageFormat.JPEG, 64, 48),
        build=lambda: _scramble_jpeg_scan(b.jpeg(64, 48)),
    ),
    CorpusCase(
        name="polyglot_jpeg_zip.jpg",
        description="a valid JPEG with a ZIP archive appended (JPEG+ZIP polyglot); the JPEG is "
        "kept and served as image/jpeg, the trailing bytes are inert",
        expected=Accepted(ImageFormat.JPEG, 64, 48),
        build=lambda: b.jpeg(64, 48) + b.zip_archive({"payload.html": b"<script>1</script>"}),
    ),
    CorpusCase(
        name="png_rgb.png",
        description="8-bit RGB PNG",
        expected=Accepted(ImageFormat.PNG, 64, 48),
        build=lambda: b.png(_noise(64, 48)),
    ),
    CorpusCase(
        name="png_renamed.jpg",
        description="a PNG uploaded as photo.jpg: the bytes decide, it is stored as PNG",
        expected=Accepted(ImageFormat.PNG, 64, 48),
        build=lambda: b.png(_noise(64, 48)),
        upload_filename="photo.jpg",
    ),
    CorpusCase(
        name="png_16bit_gray.png",
        description="16-bit grayscale PNG",
        expected=Accepted(ImageFormat.PNG, 40, 30),
        build=lambda: b.png(_noise(40, 30, "L").convert("I;16")),
    ),
    CorpusCase(
        name="png_16bit_rgb.png",
        description="16-bit per channel RGB PNG (written by hand)",
        expected=Accepted(ImageFormat.PNG, 40, 30),
        build=lambda: b.png_16bit_rgb(40, 30),
    ),
    CorpusCase(
        name="png_palette_transparency.png",
        description="16-colour palette PNG with a tRNS transparent entry",
        expected=Accepted(ImageFormat.PNG, 40, 30),
        build=_palette_with_transparency,
    ),
    CorpusCase(
        name="png_rgba.png",
        description="RGBA PNG with an alpha channel",
        expected=Accepted(ImageFormat.PNG, 32, 32),
        build=lambda: b.png(_noise(32, 32, "RGBA")),
    ),
    CorpusCase(
        name="png_animated.png",
        description="animated PNG (APNG), 3 frames",
        expected=Accepted(ImageFormat.PNG, 32, 32, frame_count=3),
        build=lambda: b.animated(_frames(3, (32, 32)), "PNG"),
    ),
    CorpusCase(
        name="png_exif_orientation_6.png",
        description="PNG with an eXIf chunk, orientation 6",
        expected=Accepted(ImageFormat.PNG, 40, 60, orientation=6),
        build=lambda: b.png(_noise(60, 40), exif=b.exif_block(6)),
    ),
    CorpusCase(
        name="png_1x1.png",
        description="a single pixel",
        expected=Accepted(ImageFormat.PNG, 1, 1),
        build=lambda: b.png(_noise(1, 1)),
    ),
    CorpusCase(
        name="jpeg_1x1.jpg",
        description="a single-pixel JPEG",
        expected=Accepted(ImageFormat.JPEG, 1, 1),
        build=lambda: b.jpeg(1, 1),
    ),
    CorpusCase(
        name="png_extreme_wide.png",
        description="20000x1 strip (aspect ratio 20000:1)",
        expected=Accepted(ImageFormat.PNG, 20000, 1),
        build=lambda: b.png(_noise(20000, 1)),
    ),
    CorpusCase(
        name="jpeg_extreme_tall.jpg",
        description="2x12000 JPEG (aspect ratio 1:6000)",
        expected=Accepted(ImageFormat.JPEG, 2, 12000),
        build=lambda: b.jpeg(2, 12000),
    ),
    CorpusCase(
        name="webp_lossy.webp",
        description="lossy WebP (VP8)",
        expected=Accepted(ImageFormat.WEBP, 64, 48),
        build=lambda: b.webp(_noise(64, 48)),
    ),
    CorpusCase(
        name="webp_lossless_alpha.webp",
        description="lossless WebP (VP8L) with alpha",
        expected=Accepted(ImageFormat.WEBP, 32, 24),
        build=lambda: b.webp(_noise(32, 24, "RGBA"), lossless=True),
    ),
    CorpusCase(
        name="webp_animated.webp",
        description="animated WebP, 3 frames",
        expected=Accepted(ImageFormat.WEBP, 32, 32, frame_count=3),
        build=lambda: b.animated(_frames(3, (32, 32)), "WEBP"),
    ),
    CorpusCase(
        name="webp_exif_orientation_8.webp",
        description="WebP with EXIF orientation 8",
        expected=Accepted(ImageFormat.WEBP, 40, 60, orientation=8),
        build=lambda: b.webp(_noise(60, 40), exif=b.exif_block(8)),
    ),
    CorpusCase(
        name="heic_basic.heic",
        description="HEIC (HEVC in HEIF), as iPhones save",
        expected=Accepted(ImageFormat.HEIC, 64, 48),
        build=lambda: b.heic(_noise(64, 48)),
    ),
    CorpusCase(
        name="heic_rotated.heic",
        description="HEIC saved with orientation 6: the container's irot is applied by the "
        "decoder, so the displayed size is 40x60 and nothing is left to rotate",
        expected=Accepted(ImageFormat.HEIC, 40, 60, orientation=1),
        build=lambda: b.heic(_noise(60, 40), exif=b.exif_block(6)),
    ),
    CorpusCase(
        name="name_unicode.jpg",
        description="Unicode file name (CJK, accents, emoji, combining marks)",
        expected=Accepted(ImageFormat.JPEG, 64, 48),
        build=lambda: b.jpeg(64, 48, seed=11),
        upload_filename="Produktfoto café 商品写真 😀 e\u0301.JPG",
        stored_name="Produktfoto café 商品写真 _ é.jpg",
    ),
    CorpusCase(
        name="name_traversal.jpg",
        description="path traversal in the file name",
        expected=Accepted(ImageFormat.JPEG, 64, 48),
        build=lambda: b.jpeg(64, 48, seed=12),
        upload_filename="../../../../etc/passwd.jpg",
        stored_name="passwd.jpg",
    ),
    CorpusCase(
        name="name_windows_traversal.png",
        description="Windows path traversal with a drive letter",
        expected=Accepted(ImageFormat.PNG, 64, 48),
        build=lambda: b.png(_noise(64, 48, seed=13)),
        upload_filename="C:\\..\\..\\Windows\\System32\\evil.png",
        stored_name="evil.png",
    ),
    CorpusCase(
        name="name_control_chars.png",
        description="NUL, newline and a right-to-left override in the file name",
        expected=Accepted(ImageFormat.PNG, 64, 48),
        build=lambda: b.png(_noise(64, 48, seed=14)),
        upload_filename="invoice\x00\r\nX-Injected: 1\u202egnp.exe",
        stored_name="invoiceX-Injected_ 1gnp.exe",
    ),
    CorpusCase(
        name="name_device_and_dots.webp",
        description="a Windows device name with trailing dots and spaces",
        expected=Accepted(ImageFormat.WEBP, 64, 48),
        build=lambda: b.webp(_noise(64, 48, seed=15)),
        upload_filename="CON. . .webp",
        stored_name="_CON.webp",
    ),
    CorpusCase(
        name="name_very_long.jpg",
        description="a 1000-character file name: cut to 120 bytes, extension kept",
        expected=Accepted(ImageFormat.JPEG, 64, 48),
        build=lambda: b.jpeg(64, 48, seed=16),
        upload_filename="ä" * 1000 + ".jpeg",
        stored_name="ä" * 57 + ".jpeg",
    ),
)


def _scramble_jpeg_scan(data: bytes) -> bytes:
    start = data.find(b"\xff\xda") + 20
    scrambled = bytearray(data)
    for offset in range(start, len(data) - 2):
        value = (offset * 131 + 17) % 256
        scrambled[offset] = value if value != 0xFF else 0x00
    return bytes(scrambled)


REJECTED_CASES: tuple[CorpusCase, ...] = (
    CorpusCase(
        name="empty.jpg",
        description="zero bytes",
        expected=_rejected(ImageErrorCode.EMPTY),
        build=lambda: b"",
    ),
    CorpusCase(
        name="oversize.jpg",
        description="a valid JPEG padded with zeros to 50 MiB + 1 byte (sparse on disk)",
        expected=_rejected(ImageErrorCode.TOO_LARGE),
        build=lambda: b.jpeg(64, 48),
        pad_to_bytes=DEFAULT_MAX_UPLOAD_BYTES + 1,
    ),
    CorpusCase(
        name="jpeg_truncated_half.jpg",
        description="JPEG cut in the middle of its scan",
        expected=CORRUPT,
        build=lambda: b.truncated(b.jpeg(64, 48), 0.5),
    ),
    CorpusCase(
        name="jpeg_truncated_before_eoi.jpg",
        description="JPEG missing its last 10 bytes",
        expected=CORRUPT,
        build=lambda: b.jpeg(64, 48)[:-10],
    ),
    CorpusCase(
        name="jpeg_header_only.jpg",
        description="only the first 200 bytes of a JPEG",
        expected=CORRUPT,
        build=lambda: b.jpeg(64, 48)[:200],
    ),
    CorpusCase(
        name="jpeg_magic_then_garbage.jpg",
        description="JPEG magic bytes followed by text",
        expected=CORRUPT,
        build=lambda: b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20,
    ),
    CorpusCase(
        name="png_truncated_half.png",
        description="PNG cut in the middle of IDAT",
        expected=CORRUPT,
        build=lambda: b.truncated(b.png(_noise(64, 48)), 0.5),
    ),
    CorpusCase(
        name="png_missing_iend.png",
        description="PNG whose pixel data is complete but whose IEND chunk is cut off",
        expected=CORRUPT,
        build=lambda: b.png(_noise(64, 48))[:-12],
    ),
    CorpusCase(
        name="png_bad_crc.png",
        description="PNG with a flipped byte inside IDAT (CRC mismatch)",
        expected=CORRUPT,
        build=lambda: _flip_after(b.png(_noise(64, 48)), b"IDAT", 10),
    ),
    CorpusCase(
        name="png_zero_width.png",
        description="PNG header declaring a width of 0",
        expected=CORRUPT,
        build=lambda: b.raw_png(0, 10, bit_depth=8, color_type=0, rows=[b""] * 10),
    ),
    CorpusCase(
        name="webp_truncated.webp",
        description="WebP cut in half",
        expected=CORRUPT,
        build=lambda: b.truncated(b.webp(_noise(64, 48)), 0.5),
    ),
    CorpusCase(
        name="webp_riff_only.webp",
        description="a RIFF/WEBP header with nothing inside",
        expected=CORRUPT,
        build=lambda: b"RIFF\x04\x00\x00\x00WEBP",
    ),
    CorpusCase(
        name="heic_truncated.heic",
        description="HEIC cut in half (iloc points past the end)",
        expected=CORRUPT,
        build=lambda: b.truncated(b.heic(_noise(64, 48)), 0.5),
    ),
    CorpusCase(
        name="heic_ftyp_only.heic",
        description="an ftyp box with the heic brand and nothing else",
        expected=CORRUPT,
        build=lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    ),
    CorpusCase(
        name="avif_renamed.heic",
        description="an AVIF image uploaded as .heic (AV1, not an allowed type)",
        expected=UNSUPPORTED,
        build=lambda: b.avif(_noise(64, 48)),
    ),
    CorpusCase(
        name="gif_renamed.jpg",
        description="a real GIF uploaded as .jpg",
        expected=UNSUPPORTED,
        build=lambda: b.encode(_noise(32, 32).convert("P"), "GIF"),
    ),
    CorpusCase(
        name="polyglot_gif_js.gif",
        description="GIF header that is also valid JavaScript (GIF+JS polyglot)",
        expected=UNSUPPORTED,
        build=b.gif_javascript_polyglot,
    ),
    CorpusCase(
        name="svg_renamed.jpg",
        description="SVG with a script, uploaded as .jpg",
        expected=UNSUPPORTED,
        build=lambda: (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(1)</script></svg>\n'
        ),
    ),
    CorpusCase(
        name="html_renamed.jpg",
        description="HTML page uploaded as .jpg",
        expected=UNSUPPORTED,
        build=lambda: b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    ),
    CorpusCase(
        name="html_bom_renamed.png",
        description="HTML with a UTF-8 BOM and leading spaces, uploaded as .png",
        expected=UNSUPPORTED,
        build=lambda: b"\xef\xbb\xbf  \n<html><img src=x onerror=alert(1)></html>",
    ),
    CorpusCase(
        name="pdf_renamed.jpg",
        description="PDF uploaded as .jpg",
        expected=UNSUPPORTED,
        build=b.minimal_pdf,
    ),
    CorpusCase(
        name="exe_renamed.png",
        description="Windows PE executable uploaded as .png",
        expected=UNSUPPORTED,
        build=b.minimal_pe_executable,
    ),
    CorpusCase(
        name="elf_renamed.webp",
        description="Linux ELF executable uploaded as .webp",
        expected=UNSUPPORTED,
        build=b.minimal_elf,
    ),
    CorpusCase(
        name="zip_renamed.jpg",
        description="ZIP archive uploaded as .jpg",
        expected=UNSUPPORTED,
        build=lambda: b.zip_archive({"a.txt": b"hello"}),
    ),
    CorpusCase(
        name="bmp_renamed.jpg",
        description="BMP uploaded as .jpg",
        expected=UNSUPPORTED,
        build=lambda: b.encode(_noise(16, 16), "BMP"),
    ),
    CorpusCase(
        name="tiff_renamed.jpg",
        description="TIFF uploaded as .jpg",
        expected=UNSUPPORTED,
        build=lambda: b.encode(_noise(16, 16), "TIFF"),
    ),
    CorpusCase(
        name="text_renamed.png",
        description="plain text uploaded as .png",
        expected=UNSUPPORTED,
        build=lambda: b"just some text, not an image\n" * 4,
    ),
    CorpusCase(
        name="bomb_png_30000x30000.png",
        description="30000x30000 1-bit PNG (900 million pixels, about 110 KB on disk)",
        expected=BOMB,
        build=lambda: b.png_bomb(30000, 30000),
    ),
    CorpusCase(
        name="bomb_png_12000x9000.png",
        description="12000x9000 PNG (108 million pixels): over our limit, under Pillow's own",
        expected=BOMB,
        build=lambda: b.png_bomb(12000, 9000),
    ),
    CorpusCase(
        name="bomb_jpeg_declared_65000.jpg",
        description="a small JPEG whose header claims 65000x65000 pixels",
        expected=BOMB,
        build=lambda: b.jpeg_with_declared_size(b.jpeg(64, 48), 65000, 65000),
    ),
    CorpusCase(
        name="bomb_webp_declared_canvas.webp",
        description="an animated WebP whose canvas claims 16000x16000 pixels",
        expected=BOMB,
        build=lambda: b.webp_with_declared_canvas(
            b.animated(_frames(2, (16, 16)), "WEBP"), 16000, 16000
        ),
    ),
)


def _flip_after(data: bytes, marker: bytes, distance: int) -> bytes:
    flipped = bytearray(data)
    flipped[data.find(marker) + distance] ^= 0xFF
    return bytes(flipped)


CASES: tuple[CorpusCase, ...] = ACCEPTED_CASES + REJECTED_CASES


def case_by_name(name: str) -> CorpusCase:
    for case in CASES:
        if case.name == name:
            return case
    raise KeyError(name)
