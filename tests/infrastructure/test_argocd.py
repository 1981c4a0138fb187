"""Argo CD: one Application per environment, pointing at this repository's chart and values,
inside a project that admits exactly what the chart renders."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infrastructure.support import (
    ARGOCD,
    CHART,
    ENVIRONMENTS,
    NAMESPACE,
    REPO,
    Rendered,
    load_yaml_file,
)


def _application(environment: str) -> dict[str, Any]:
    document: dict[str, Any] = load_yaml_file(ARGOCD / f"imagineai-{environment}.yaml")
    return document


def _project() -> dict[str, Any]:
    document: dict[str, Any] = load_yaml_file(ARGOCD / "project.yaml")
    return document


def test_project_is_scoped_to_the_namespace_and_repository() -> None:
    project = _project()
    assert project["apiVersion"] == "argoproj.io/v1alpha1"
    assert project["kind"] == "AppProject"
    destinations = project["spec"]["destinations"]
    assert [destination["namespace"] for destination in destinations] == [NAMESPACE]
    assert len(project["spec"]["sourceRepos"]) == 1


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_application_points_at_the_chart_and_its_values(environment: str) -> None:
    application = _application(environment)
    assert application["apiVersion"] == "argoproj.io/v1alpha1"
    assert application["kind"] == "Application"
    assert application["metadata"]["name"] == f"imagineai-{environment}"
    spec = application["spec"]
    assert spec["project"] == _project()["metadata"]["name"]
    source = spec["source"]
    assert source["repoURL"] in _project()["spec"]["sourceRepos"]
    assert (REPO / source["path"]).resolve() == CHART.resolve()
    assert source["helm"]["releaseName"] == "imagineai"
    assert source["helm"]["valueFiles"] == [f"values-{environment}.yaml"]
    for values_file in source["helm"]["valueFiles"]:
        assert (CHART / values_file).is_file()
    assert spec["destination"]["namespace"] == NAMESPACE
    assert spec["destination"] in _project()["spec"]["destinations"]
    sync = spec["syncPolicy"]
    assert sync["automated"]["selfHeal"] is True
    assert "CreateNamespace=true" in sync["syncOptions"]
    labels = sync["managedNamespaceMetadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_project_admits_every_kind_the_release_renders(
    environment: str, helm_renders: dict[str, Rendered]
) -> None:
    allowed = {
        (entry["group"], entry["kind"])
        for entry in _project()["spec"]["namespaceResourceWhitelist"]
    }
    for doc in helm_renders[environment].documents:
        group = doc["apiVersion"].rpartition("/")[0]
        assert (group, doc["kind"]) in allowed, f"{doc['kind']} ({group or 'core'}) is not admitted"


def test_cluster_secret_store_matches_the_chart() -> None:
    store = load_yaml_file(ARGOCD / "cluster-secret-store.yaml")
    values = load_yaml_file(CHART / "values.yaml")["secrets"]["externalSecret"]
    assert store["kind"] == values["storeKind"] == "ClusterSecretStore"
    assert store["metadata"]["name"] == values["storeName"]
    assert store["spec"]["provider"]["aws"]["service"] == "SecretsManager"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_overlays_define_the_same_secret_store(
    environment: str, kustomize_renders: dict[str, Rendered]
) -> None:
    store = load_yaml_file(ARGOCD / "cluster-secret-store.yaml")
    overlay_store = kustomize_renders[environment].get("ClusterSecretStore", "aws-secrets-manager")
    assert overlay_store["spec"] == store["spec"]
