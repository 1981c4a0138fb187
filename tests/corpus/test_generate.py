"""The corpus generator: deterministic bytes and a manifest that matches the typed cases."""

from __future__ import annotations

import json
from pathlib import Path

from backend.shared.filenames import safe_filename
from tests.corpus.generate import MANIFEST_FILE, generate
from tests.corpus.manifest import CASES, Accepted


def test_generation_is_deterministic_and_the_manifest_matches(tmp_path: Path) -> None:
    first = generate(tmp_path / "first")
    second = generate(tmp_path / "second")
    assert [item.sha256 for item in first] == [item.sha256 for item in second]
    assert len(first) == len(CASES) >= 40
    manifest = json.loads((tmp_path / "first" / MANIFEST_FILE).read_text())
    for entry, item in zip(manifest, first, strict=True):
        assert entry["file"] == item.case.name == item.path.name
        assert entry["size_bytes"] == item.path.stat().st_size
        outcome = "accepted" if isinstance(item.case.expected, Accepted) else "rejected"
        assert entry["expected"]["outcome"] == outcome


def test_expected_stored_names_are_what_safe_filename_makes() -> None:
    for case in CASES:
        assert safe_filename(case.client_filename) == case.expected_stored_name, case.name


def test_the_readme_lists_every_case() -> None:
    readme = (Path(__file__).parent / "README.md").read_text()
    for case in CASES:
        assert f"| `{case.name}` |" in readme, case.name
