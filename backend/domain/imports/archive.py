"""Reading an uploaded ZIP of photos without trusting it.

Refused outright: more entries than allowed, names that could escape a folder (``..``,
absolute paths, drive letters, backslashes, NUL), symbolic links, encrypted entries, and
archives whose declared or actual uncompressed size, or whose compression ratio, gives them
away as a ZIP bomb. Bytes are counted while they are inflated, so a header that lies about
the size is caught too. Entries are copied to temporary files under names of our own; the
archive's names are only ever used as labels.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from backend.domain.errors import InvalidInputError, PayloadTooLargeError

CHUNK_BYTES = 1 << 20
#: Below this size an entry's compression ratio is not judged (tiny files compress oddly).
RATIO_MIN_BYTES = 1 << 20
IGNORED_PREFIXES = ("__MACOSX/",)


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int
    max_uncompressed_bytes: int
    max_entry_bytes: int
    max_compression_ratio: float


@dataclass(frozen=True)
class ArchiveEntry:
    name: str  # the path inside the archive, as a label only
    path: Path  # our temporary copy


def safe_member_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name:
        return False
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in PurePosixPath(name).parts


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _skipped(name: str) -> bool:
    base = PurePosixPath(name).name
    return name.startswith(IGNORED_PREFIXES) or base.startswith(".")


def check_archive(archive: zipfile.ZipFile, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    """The file entries worth reading, after every check on the central directory."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise InvalidInputError(
            "too_many_entries",
            f"The archive has {len(infos)} entries; at most {limits.max_entries} are accepted.",
        )
    declared = 0
    files = []
    for info in infos:
        if not safe_member_name(info.filename):
            raise InvalidInputError(
                "unsafe_archive_entry",
                f"The archive entry {info.filename!r} has an unsafe name (absolute path or '..').",
            )
        if _is_symlink(info):
            raise InvalidInputError(
                "unsafe_archive_entry", f"The archive entry {info.filename!r} is a symbolic link."
            )
        if info.flag_bits & 0x1:
            raise InvalidInputError("encrypted_archive", "Encrypted archives are not supported.")
        if info.is_dir() or _skipped(info.filename):
            continue
        declared += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size >= RATIO_MIN_BYTES and ratio > limits.max_compression_ratio:
            raise _bomb(f"{info.filename!r} expands {ratio:.0f} times")
        files.append(info)
    if declared > limits.max_uncompressed_bytes:
        raise _bomb(f"its files expand to {declared} bytes")
    return files


def extract(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], folder: Path, limits: ArchiveLimits
) -> Iterator[ArchiveEntry | tuple[str, str]]:
    """Each entry as a temporary file, or ``(name, reason)`` when it is too large on its own."""
    total = 0
    for index, info in enumerate(infos):
        target = folder / f"entry-{index:05d}"
        written = 0
        too_large = False
        try:
            with archive.open(info) as source, target.open("wb") as sink:
                while chunk := source.read(CHUNK_BYTES):
                    written += len(chunk)
                    total += len(chunk)
                    if total > limits.max_uncompressed_bytes:
                        raise _bomb("it expands past the uncompressed size limit")
                    if written > limits.max_entry_bytes:
                        too_large = True
                        break
                    sink.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            target.unlink(missing_ok=True)
            yield info.filename, f"unreadable in the archive ({exc})"
            continue
        if too_large:
            target.unlink(missing_ok=True)
            yield info.filename, f"larger than {limits.max_entry_bytes} bytes"
            continue
        yield ArchiveEntry(name=info.filename, path=target)


def _bomb(reason: str) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        "archive_too_large", f"The archive is refused as a possible ZIP bomb: {reason}."
    )


def open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInputError("not_a_zip", "The upload is not a readable ZIP archive.") from exc
