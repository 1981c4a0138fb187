"""Write ``requirements.lock``: the exact installed version of every package the project
depends on (runtime, ``dev`` and ``export`` extras, and everything they pull in), resolved
from the installed metadata of this venv. `make lock` runs it; pip-audit reads the result.

Packages installed by hand but required by nothing of ours are left out, and so is the
project itself. An extra whose packages are not installed (``export`` needs torch) is skipped
with a note in the file's header.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "imagineai"
EXTRAS = ("dev", "export")
LOCK_FILE = Path(__file__).resolve().parents[2] / "requirements.lock"


def _requirements(distribution: str, extras: set[str]) -> list[Requirement]:
    found: list[Requirement] = []
    for text in metadata.requires(distribution) or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras | {""}):
            found.append(requirement)
    return found


def resolve() -> tuple[dict[str, str], list[str]]:
    """Installed ``{name: version}`` of the closure, and the requirements not installed."""
    pinned: dict[str, str] = {}
    missing: list[str] = []
    queue: list[tuple[str, set[str]]] = [(PROJECT, set(EXTRAS))]
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:
        name, extras = queue.pop()
        key = (canonicalize_name(name), frozenset(extras))
        if key in seen:
            continue
        seen.add(key)
        for requirement in _requirements(name, extras):
            try:
                version = metadata.version(requirement.name)
            except metadata.PackageNotFoundError:
                missing.append(str(requirement))
                continue
            # The public release a local build is made from (torch 2.13.0+cpu is torch 2.13.0):
            # that is the version advisories name.
            pinned[canonicalize_name(requirement.name)] = version.split("+", 1)[0]
            queue.append((requirement.name, set(requirement.extras)))
    return pinned, sorted(set(missing))


def render() -> str:
    pinned, missing = resolve()
    lines = [
        "# Exact versions of everything ImagineAI depends on (runtime, dev and export extras),",
        "# from the venv of the last `make lock`; audited by `make security` (pip-audit).",
    ]
    lines += [f"# not installed when locked: {requirement}" for requirement in missing]
    lines += [f"{name}=={version}" for name, version in sorted(pinned.items())]
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    LOCK_FILE.write_text(text)
    print(f"{LOCK_FILE.name}: {text.count('==')} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
