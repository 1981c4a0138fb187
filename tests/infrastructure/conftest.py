"""Renders shared by the deployment tests: kustomize overlays, Helm releases, one checkov run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from tests.infrastructure.support import (
    CHART,
    DOCKER,
    ENVIRONMENTS,
    K8S,
    NAMESPACE,
    TERRAFORM,
    Rendered,
    load_yaml_documents,
    run,
    tool,
)

KUSTOMIZE_TARGETS = ("base", *ENVIRONMENTS)
HELM_TARGETS = ("default", *ENVIRONMENTS)


def _kustomize_dir(target: str) -> Path:
    return K8S / "base" if target == "base" else K8S / "overlays" / target


def render_kustomize(target: str) -> Rendered:
    result = run([tool("kubectl"), "kustomize", _kustomize_dir(target)])
    assert result.returncode == 0, f"kustomize {target} failed:\n{result.stderr}"
    return Rendered(label=f"kustomize:{target}", documents=load_yaml_documents(result.stdout))


def helm_values(target: str) -> dict[str, Any]:
    if target == "default":
        return {}
    values: dict[str, Any] = yaml.safe_load((CHART / f"values-{target}.yaml").read_text())
    return values


def render_helm(target: str) -> Rendered:
    with helm_python.Chart.load(str(CHART)) as chart:
        manifests = chart.render(helm_values(target), name="imagineai", namespace=NAMESPACE)
    documents: list[dict[str, Any]] = []
    for template in sorted(manifests):
        documents.extend(load_yaml_documents(manifests[template]))
    return Rendered(label=f"helm:{target}", documents=documents)


@pytest.fixture(scope="session")
def kustomize_renders() -> dict[str, Rendered]:
    return {target: render_kustomize(target) for target in KUSTOMIZE_TARGETS}


@pytest.fixture(scope="session")
def helm_renders() -> dict[str, Rendered]:
    return {target: render_helm(target) for target in HELM_TARGETS}


@pytest.fixture(scope="session")
def all_renders(
    kustomize_renders: dict[str, Rendered], helm_renders: dict[str, Rendered]
) -> list[Rendered]:
    return [*kustomize_renders.values(), *helm_renders.values()]


@pytest.fixture(scope="session")
def checkov_reports(
    tmp_path_factory: pytest.TempPathFactory, all_renders: list[Rendered]
) -> dict[str, dict[str, Any]]:
    """One checkov run over Terraform, the Dockerfiles and every rendered manifest set."""
    manifests = tmp_path_factory.mktemp("rendered-manifests")
    for rendered in all_renders:
        name = rendered.label.replace(":", "-") + ".yaml"
        (manifests / name).write_text(yaml.safe_dump_all(rendered.documents, sort_keys=False))
    result = run(
        [
            tool("checkov"),
            "--directory",
            TERRAFORM,
            "--directory",
            DOCKER,
            "--directory",
            manifests,
            "--framework",
            "terraform",
            "kubernetes",
            "dockerfile",
            "--skip-download",
            "--output",
            "json",
        ]
    )
    assert result.stdout.strip(), f"checkov printed nothing:\n{result.stderr[-3000:]}"
    merged: dict[str, dict[str, Any]] = {}
    for report in _json_documents(result.stdout):
        _merge_report(merged, report)
    return merged


def _json_documents(text: str) -> Iterator[dict[str, Any]]:
    """checkov prints one JSON document per --directory, one after another."""
    decoder = json.JSONDecoder()
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        parsed, position = decoder.raw_decode(text, position)
        yield from parsed if isinstance(parsed, list) else [parsed]


def _merge_report(merged: dict[str, dict[str, Any]], report: dict[str, Any]) -> None:
    framework = report["check_type"]
    if framework not in merged:
        merged[framework] = report
        return
    target = merged[framework]
    for key in ("passed", "failed", "skipped", "parsing_errors", "resource_count"):
        target["summary"][key] += report["summary"][key]
    for key in ("passed_checks", "failed_checks", "skipped_checks", "parsing_errors"):
        target["results"].setdefault(key, []).extend(report["results"].get(key, []))
