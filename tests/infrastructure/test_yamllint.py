"""yamllint (infrastructure/.yamllint.yaml) is clean on every YAML file of the deployment."""

from __future__ import annotations

import sys

from tests.infrastructure.support import INFRA, run


def _yamllint(*arguments: str) -> tuple[int, str]:
    # The config's ignore paths are relative to the working directory: run inside infrastructure/.
    result = run(
        [sys.executable, "-m", "yamllint", "-c", ".yamllint.yaml", *arguments, "."], cwd=INFRA
    )
    return result.returncode, result.stdout + result.stderr


def test_yamllint_is_clean() -> None:
    code, output = _yamllint("--strict")
    assert code == 0, output


def test_yamllint_sees_every_yaml_file_but_helm_templates() -> None:
    code, output = _yamllint("--list-files")
    assert code == 0, output
    listed = {(INFRA / line.strip()).resolve() for line in output.splitlines() if line.strip()}
    expected = {
        path.resolve()
        for pattern in ("*.yaml", "*.yml")
        for path in INFRA.rglob(pattern)
        if "templates" not in path.parts
    }
    assert listed == expected
    assert len(expected) > 30
