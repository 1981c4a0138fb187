"""Stream a multipart upload to a temporary file, refusing it as soon as it passes the limit.

Starlette's form parsing would spool the whole body before the handler could say no; here a
51 MB upload is cut off at 50 MB + 1 byte and never reaches storage, and memory stays flat.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from backend.domain.errors import InvalidInputError, PayloadTooLargeError, UnsupportedMediaTypeError

# Room for the multipart envelope around the file (boundaries, part headers, small fields).
MULTIPART_OVERHEAD_BYTES = 64 * 1024


@dataclass
class SpooledUpload:
    path: Path
    filename: str
    size_bytes: int


@dataclass
class _PartState:
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    headers: dict[bytes, bytes] = field(default_factory=dict)
    is_file: bool = False
    filename: str = ""


class _FileCollector:
    """Multipart parser callbacks that copy the bytes of field ``field_name`` to ``target``."""

    def __init__(self, field_name: str, target: Path, max_bytes: int) -> None:
        self._field_name = field_name
        self._handle = target.open("wb")
        self._max_bytes = max_bytes
        self._part = _PartState()
        self.size_bytes = 0
        self.filename: str | None = None

    def on_part_begin(self) -> None:
        self._part = _PartState()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._part.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._part.header_value += data[start:end]

    def on_header_end(self) -> None:
        part = self._part
        part.headers[bytes(part.header_field).lower()] = bytes(part.header_value)
        part.header_field.clear()
        part.header_value.clear()

    def on_headers_finished(self) -> None:
        disposition = self._part.headers.get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == self._field_name and self.filename is None:
            self._part.is_file = True
            raw_name = options.get(b"filename", b"upload").decode("utf-8", "replace")
            self.filename = raw_name or "upload"

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._part.is_file:
            return
        self.size_bytes += end - start
        if self.size_bytes > self._max_bytes:
            raise PayloadTooLargeError(
                "too_large", f"Images may be at most {self._max_bytes} bytes."
            )
        self._handle.write(data[start:end])

    def close(self) -> None:
        self._handle.close()


async def spool_file_field(
    request: Request, *, field_name: str, max_bytes: int, folder: Path
) -> SpooledUpload:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise UnsupportedMediaTypeError(
            "multipart_required", "Send the image as multipart/form-data in the field 'file'."
        )
    declared_length = request.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > max_bytes + MULTIPART_OVERHEAD_BYTES:
        raise PayloadTooLargeError("too_large", f"Images may be at most {max_bytes} bytes.")
    target = Path(tempfile.mkstemp(prefix="upload-", dir=folder)[1])
    collector = _FileCollector(field_name, target, max_bytes)
    parser = MultipartParser(
        options[b"boundary"],
        callbacks={
            "on_part_begin": collector.on_part_begin,
            "on_header_field": collector.on_header_field,
            "on_header_value": collector.on_header_value,
            "on_header_end": collector.on_header_end,
            "on_headers_finished": collector.on_headers_finished,
            "on_part_data": collector.on_part_data,
        },
        max_size=max_bytes + MULTIPART_OVERHEAD_BYTES,
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except (PayloadTooLargeError, InvalidInputError):
        raise
    except Exception as exc:  # the parser raises its own errors on malformed bodies
        raise InvalidInputError("malformed_multipart", "The multipart body is malformed.") from exc
    finally:
        collector.close()
    if collector.filename is None:
        raise InvalidInputError("file_missing", f"No file in the form field '{field_name}'.")
    return SpooledUpload(path=target, filename=collector.filename, size_bytes=collector.size_bytes)
