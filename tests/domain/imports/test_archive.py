"""Hostile ZIP archives: bombs, traversal names, links, too many entries, lying headers."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from backend.domain.errors import InvalidInputError, PayloadTooLargeError
from backend.domain.imports.archive import (
    ArchiveEntry,
    ArchiveLimits,
    check_archive,
    extract,
    open_archive,
    safe_member_name,
)

LIMITS = ArchiveLimits(
    max_entries=10,
    max_uncompressed_bytes=20 * 1024 * 1024,
    max_entry_bytes=5 * 1024 * 1024,
    max_compression_ratio=100.0,
)


def _zip(path: Path, entries: Sequence[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "name",
    ["../evil.jpg", "photos/../../evil.jpg", "/etc/cron.d/evil", "C:/evil.jpg", "a\\..\\b.jpg"],
)
def test_traversal_names_refuse_the_whole_archive(tmp_path: Path, name: str) -> None:
    path = _zip(tmp_path / "bad.zip", [("ok.jpg", b"x"), (zipfile.ZipInfo(name), b"x")])
    with open_archive(path) as archive, pytest.raises(InvalidInputError) as refused:
        check_archive(archive, LIMITS)
    assert refused.value.code == "unsafe_archive_entry"
    assert not safe_member_name(name)


def test_symbolic_links_are_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("photo.jpg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = _zip(tmp_path / "link.zip", [(link, b"/etc/passwd")])
    with open_archive(path) as archive, pytest.raises(InvalidInputError, match="symbolic link"):
        check_archive(archive, LIMITS)


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    path = _zip(tmp_path / "bomb.zip", [("zeros.jpg", bytes(4 * 1024 * 1024))])
    assert path.stat().st_size < 20_000
    with open_archive(path) as archive, pytest.raises(PayloadTooLargeError) as refused:
        check_archive(archive, LIMITS)
    assert refused.value.code == "archive_too_large"
    assert "ZIP bomb" in refused.value.message


def test_a_bomb_of_many_modest_entries_is_refused_by_the_total(tmp_path: Path) -> None:
    # Incompressible parts, each within the per-entry limit, together past the total.
    entries = [(f"part{n}.jpg", os.urandom(2_500_000)) for n in range(9)]
    path = _zip(tmp_path / "wide.zip", entries)
    with open_archive(path) as archive, pytest.raises(PayloadTooLargeError, match="expand to"):
        check_archive(archive, LIMITS)


def test_a_header_that_lies_about_the_size_is_caught_while_inflating(tmp_path: Path) -> None:
    path = _zip(tmp_path / "liar.zip", [("big.jpg", bytes(range(256)) * 4096)])
    raw = bytearray(path.read_bytes())
    with open_archive(path) as archive:
        info = archive.infolist()[0]
        real_size = info.file_size
    declared = (1000).to_bytes(4, "little")
    for offset in range(len(raw) - 4):
        if raw[offset : offset + 4] == real_size.to_bytes(4, "little"):
            raw[offset : offset + 4] = declared
    path.write_bytes(bytes(raw))
    with open_archive(path) as archive:
        infos = check_archive(archive, LIMITS)
        assert infos[0].file_size == 1000
        results = list(extract(archive, infos, tmp_path, LIMITS))
    assert len(results) == 1
    assert isinstance(results[0], tuple)
    assert results[0][0] == "big.jpg"
    assert "unreadable" in results[0][1]


def test_too_many_entries_and_junk_are_handled(tmp_path: Path) -> None:
    many = _zip(tmp_path / "many.zip", [(f"{n}.jpg", b"x") for n in range(11)])
    with open_archive(many) as archive, pytest.raises(InvalidInputError, match="11 entries"):
        check_archive(archive, LIMITS)
    junk = _zip(
        tmp_path / "junk.zip",
        [("__MACOSX/._a.jpg", b"x"), (".DS_Store", b"x"), ("dir/", b""), ("a.jpg", b"data")],
    )
    with open_archive(junk) as archive:
        infos = check_archive(archive, LIMITS)
        assert [info.filename for info in infos] == ["a.jpg"]
        (entry,) = extract(archive, infos, tmp_path, LIMITS)
    assert isinstance(entry, ArchiveEntry)
    assert entry.path.read_bytes() == b"data"
    assert entry.path.parent == tmp_path
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"PK\x03\x04 nope")
    with pytest.raises(InvalidInputError, match="not a readable ZIP"):
        open_archive(not_zip)
