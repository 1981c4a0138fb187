"""Reference sets that ship with the platform: defect-free photos of products of a category
(``models/reference_images/<category>/``, sources and licences in its ``SOURCES.md``) and the
memory bank built from them (``models/reference_banks/<category>.npz``), which the defect
detector uses until a user builds their own bank for that category (``imagineai models
add-references``).

``python -m backend.ml.reference_sets`` rebuilds every bundled bank from its photos with the
default backbone version.
"""

from __future__ import annotations

from pathlib import Path

from backend.ml.config import BUNDLED_REFERENCE_BANKS_DIR, BUNDLED_REFERENCE_IMAGES_DIR
from backend.ml.inference import build_reference_bank
from backend.ml.model_registry import get_registry
from backend.ml.patch_anomaly import MemoryBank

REFERENCE_SUFFIXES = (".jpg", ".jpeg", ".png")


def bundled_categories() -> list[str]:
    """Categories with a shipped reference set."""
    return sorted(path.name for path in BUNDLED_REFERENCE_IMAGES_DIR.iterdir() if path.is_dir())


def reference_photos(category: str) -> list[Path]:
    folder = BUNDLED_REFERENCE_IMAGES_DIR / category
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in REFERENCE_SUFFIXES)


def build_bundled_bank(category: str) -> MemoryBank:
    """The memory bank of a shipped reference set; every photo in it must decode."""
    images = [(path.name, path.read_bytes()) for path in reference_photos(category)]
    build = build_reference_bank(
        category, images, model_version=get_registry().manifest.default_version
    )
    if build.rejected:
        raise ValueError(f"reference photos that do not decode: {build.rejected}")
    return build.bank


def main() -> None:
    for category in bundled_categories():
        bank = build_bundled_bank(category)
        destination = BUNDLED_REFERENCE_BANKS_DIR / f"{category}.npz"
        bank.save(destination)
        patches = bank.features.shape[0]
        print(f"{category}: {len(bank.sources)} photos -> {patches} patches in {destination}")


if __name__ == "__main__":
    main()
