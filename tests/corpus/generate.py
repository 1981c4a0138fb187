"""Write the hostile corpus into a folder: one file per case plus ``manifest.json``.

    python -m tests.corpus.generate OUTPUT_FOLDER

The same code version always writes the same bytes (seeded pixels, fixed encoder options).
Tests call :func:`generate` into a temporary folder; nothing is committed but this script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from tests.corpus.manifest import CASES, Accepted, CorpusCase

MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    case: CorpusCase
    path: Path
    size_bytes: int
    sha256: str


def generate(folder: Path, cases: tuple[CorpusCase, ...] = CASES) -> list[GeneratedFile]:
    """Write every case into ``folder`` (created if needed) and the manifest beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    generated = [_write_case(folder, case) for case in cases]
    manifest = [_manifest_entry(item) for item in generated]
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return generated


def _write_case(folder: Path, case: CorpusCase) -> GeneratedFile:
    path = folder / case.name
    data = case.build()
    digest = hashlib.sha256(data)
    with path.open("wb") as handle:
        handle.write(data)
        if case.pad_to_bytes is not None:
            # Zero padding as a sparse hole: 50 MiB on paper, nothing on disk or in memory.
            handle.truncate(case.pad_to_bytes)
            digest.update(bytes(case.pad_to_bytes - len(data)))
    return GeneratedFile(
        case=case, path=path, size_bytes=path.stat().st_size, sha256=digest.hexdigest()
    )


def _manifest_entry(item: GeneratedFile) -> dict[str, object]:
    case = item.case
    entry: dict[str, object] = {
        "file": case.name,
        "upload_filename": case.client_filename,
        "stored_name": case.expected_stored_name,
        "description": case.description,
        "size_bytes": item.size_bytes,
        "sha256": item.sha256,
    }
    expected = case.expected
    if isinstance(expected, Accepted):
        entry["expected"] = {
            "outcome": "accepted",
            "format": expected.format.value,
            "content_type": expected.content_type,
            "width": expected.width,
            "height": expected.height,
            "orientation": expected.orientation,
            "frame_count": expected.frame_count,
        }
    else:
        entry["expected"] = {
            "outcome": "rejected",
            "code": expected.code.value,
            "http_status": expected.http_status,
        }
    return entry


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="where to write the corpus")
    arguments = parser.parse_args(argv)
    generated = generate(arguments.folder)
    accepted = sum(isinstance(item.case.expected, Accepted) for item in generated)
    print(
        f"wrote {len(generated)} files to {arguments.folder} "
        f"({accepted} accepted, {len(generated) - accepted} rejected)"
    )


if __name__ == "__main__":
    main()
