"""Byte builders for the hostile corpus: each returns the exact bytes of one file.

Everything is deterministic: pixels come from seeded generators, no timestamps are written,
and the encoders are called with fixed options.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator

import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener(thumbnails=False)

EXIF_ORIENTATION = 0x0112
EXIF_IMAGE_DESCRIPTION = 0x010E
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def noise_image(width: int, height: int, *, mode: str = "RGB", seed: int = 7) -> Image.Image:
    """Seeded noise with a gradient, so encoders cannot shrink it to nothing."""
    rng = random.Random(seed)
    bands = len(mode)
    pixels = bytearray(width * height * bands)
    for index in range(len(pixels)):
        pixels[index] = (index * 7 + rng.randrange(64)) % 256
    return Image.frombytes(mode, (width, height), bytes(pixels))


def encode(image: Image.Image, pillow_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=pillow_format, **options)
    return buffer.getvalue()


def exif_block(orientation: int | None = None, *, description: str | None = None) -> bytes:
    exif = Image.Exif()
    if orientation is not None:
        exif[EXIF_ORIENTATION] = orientation
    if description is not None:
        exif[EXIF_IMAGE_DESCRIPTION] = description
    return exif.tobytes()


def jpeg(width: int = 64, height: int = 48, *, seed: int = 7, **options: object) -> bytes:
    return encode(noise_image(width, height, seed=seed), "JPEG", quality=85, **options)


def png(image: Image.Image, **options: object) -> bytes:
    return encode(image, "PNG", optimize=False, **options)


def webp(image: Image.Image, **options: object) -> bytes:
    return encode(image, "WEBP", quality=80, method=0, **options)


def heic(image: Image.Image, **options: object) -> bytes:
    return encode(image, "HEIF", quality=60, **options)


def avif(image: Image.Image) -> bytes:
    return encode(image, "AVIF", quality=60)


def truncated(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def raw_png(
    width: int,
    height: int,
    *,
    bit_depth: int,
    color_type: int,
    rows: Iterable[bytes],
    level: int = 9,
) -> bytes:
    """A PNG written by hand, for what Pillow cannot write (16-bit RGB, huge sizes).

    ``rows`` are the unfiltered scanlines; each is compressed as it comes, so a 30000x30000
    image never exists in memory.
    """
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    compressor = zlib.compressobj(level)
    compressed = bytearray()
    for row in rows:
        compressed += compressor.compress(b"\x00" + row)
    compressed += compressor.flush()
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", bytes(compressed))
        + png_chunk(b"IEND", b"")
    )


def repeated_rows(row: bytes, count: int) -> Iterator[bytes]:
    for _ in range(count):
        yield row


def png_bomb(width: int, height: int) -> bytes:
    """A real, fully decodable 1-bit black image: small on disk, huge in memory."""
    row_bytes = (width + 7) // 8
    return raw_png(
        width,
        height,
        bit_depth=1,
        color_type=0,
        rows=repeated_rows(bytes(row_bytes), height),
    )


def png_16bit_rgb(width: int, height: int) -> bytes:
    rows = (
        b"".join(
            struct.pack(">HHH", x * 1000 % 65536, y * 3000 % 65536, 40000) for x in range(width)
        )
        for y in range(height)
    )
    return raw_png(width, height, bit_depth=16, color_type=2, rows=rows)


def jpeg_with_declared_size(data: bytes, width: int, height: int) -> bytes:
    """Rewrite the SOF dimensions of a small JPEG: the header claims a huge image."""
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        offset = data.find(marker)
        if offset != -1:
            patched = bytearray(data)
            struct.pack_into(">HH", patched, offset + 5, height, width)
            return bytes(patched)
    raise ValueError("no SOF0/SOF2 marker in the JPEG")


def webp_with_declared_canvas(data: bytes, width: int, height: int) -> bytes:
    """An extended (VP8X) WebP whose canvas claims ``width`` x ``height``."""
    offset = data.find(b"VP8X")
    if offset == -1:
        raise ValueError("not an extended WebP")
    patched = bytearray(data)
    canvas = offset + 8 + 4
    patched[canvas : canvas + 3] = (width - 1).to_bytes(3, "little")
    patched[canvas + 3 : canvas + 6] = (height - 1).to_bytes(3, "little")
    return bytes(patched)


def animated(frames: list[Image.Image], pillow_format: str) -> bytes:
    return encode(
        frames[0],
        pillow_format,
        save_all=True,
        append_images=frames[1:],
        duration=100,
        loop=0,
    )


def zip_archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, payload in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            archive.writestr(info, payload)
    return buffer.getvalue()


def minimal_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def minimal_pe_executable() -> bytes:
    """The first bytes of a Windows PE file: DOS header, stub, and PE signature."""
    dos_header = b"MZ" + bytes(58) + struct.pack("<I", 64)
    stub = b"This program cannot be run in DOS mode.\r\r\n$".ljust(64, b"\x00")
    return dos_header + stub + b"PE\x00\x00" + bytes(256)


def minimal_elf() -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(57)


def gif_javascript_polyglot() -> bytes:
    """Parses as a GIF header and as JavaScript (``GIF89a`` followed by a comment trick)."""
    return b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00;*/=1;alert(document.domain);//" + bytes(16)
