"""Helm: the chart lints and renders with Helm's own engine (helm-python-sdk), and each release
deploys the same objects, images, sizes and settings as the matching kustomize render."""

from __future__ import annotations

from typing import Any

import helm_python
import pytest

from tests.infrastructure.support import CHART, ENVIRONMENTS, Rendered, pod_spec

# The chart leaves the namespace to `helm install -n` / Argo CD's CreateNamespace (with the
# same Pod Security labels, see infrastructure/argocd); the ClusterSecretStore is applied once
# per cluster (infrastructure/argocd/cluster-secret-store.yaml), not per release.
NOT_IN_CHART = ("Namespace", "ClusterSecretStore")


def test_chart_lints_clean() -> None:
    report = helm_python.lint(str(CHART))
    assert report["errors"] == []
    # Severity 1 is informational ("icon is recommended"); warnings (2) and errors fail.
    assert [message for message in report["messages"] if message["severity"] > 1] == []


@pytest.mark.parametrize("environment", ["default", *ENVIRONMENTS])
def test_values_pass_the_chart_schema(environment: str, helm_renders: dict[str, Rendered]) -> None:
    """Helm validates the values against values.schema.json while rendering."""
    assert (CHART / "values.schema.json").is_file()
    assert helm_renders[environment].documents


def test_schema_rejects_a_misspelt_value() -> None:
    with helm_python.Chart.load(str(CHART)) as chart, pytest.raises(helm_python.HelmError):
        chart.render({"api": {"replica": 3}}, name="imagineai", namespace="imagineai")


@pytest.mark.parametrize(
    ("helm_target", "kustomize_target"),
    [("default", "base"), *((env, env) for env in ENVIRONMENTS)],
)
def test_release_has_the_same_objects_as_kustomize(
    helm_target: str,
    kustomize_target: str,
    helm_renders: dict[str, Rendered],
    kustomize_renders: dict[str, Rendered],
) -> None:
    helm = helm_renders[helm_target].identities(exclude=NOT_IN_CHART)
    kustomize = kustomize_renders[kustomize_target].identities(exclude=NOT_IN_CHART)
    assert helm == kustomize, (
        f"only in Helm: {helm - kustomize}; only in kustomize: {kustomize - helm}"
    )


def _workload_shape(workload: dict[str, Any]) -> dict[str, Any]:
    spec = pod_spec(workload)
    return {
        "serviceAccountName": spec["serviceAccountName"],
        "securityContext": spec["securityContext"],
        "tolerations": spec.get("tolerations"),
        "affinity": spec.get("affinity"),
        "terminationGracePeriodSeconds": spec.get("terminationGracePeriodSeconds"),
        "containers": [
            {
                key: container.get(key)
                for key in (
                    "name",
                    "image",
                    "args",
                    "ports",
                    "env",
                    "envFrom",
                    "resources",
                    "livenessProbe",
                    "readinessProbe",
                    "startupProbe",
                    "securityContext",
                )
            }
            for container in spec["containers"]
        ],
    }


@pytest.mark.parametrize(
    ("helm_target", "kustomize_target"),
    [("default", "base"), *((env, env) for env in ENVIRONMENTS)],
)
def test_release_matches_kustomize_field_by_field(
    helm_target: str,
    kustomize_target: str,
    helm_renders: dict[str, Rendered],
    kustomize_renders: dict[str, Rendered],
) -> None:
    helm = helm_renders[helm_target]
    kustomize = kustomize_renders[kustomize_target]
    autoscaled = {
        hpa["spec"]["scaleTargetRef"]["name"]
        for hpa in kustomize.of_kind("HorizontalPodAutoscaler")
    }
    for workload in kustomize.workloads():
        kind, name = workload["kind"], workload["metadata"]["name"]
        released = helm.get(kind, name)
        assert _workload_shape(released) == _workload_shape(workload), f"{kind}/{name}"
        if kind == "Deployment" and name not in autoscaled:
            assert released["spec"]["replicas"] == workload["spec"]["replicas"], name
    for hpa in kustomize.of_kind("HorizontalPodAutoscaler"):
        released = helm.get("HorizontalPodAutoscaler", hpa["metadata"]["name"])
        for key in ("minReplicas", "maxReplicas", "metrics", "behavior"):
            assert released["spec"].get(key) == hpa["spec"].get(key), key
    assert (
        helm.get("ConfigMap", "imagineai-config")["data"]
        == kustomize.get("ConfigMap", "imagineai-config")["data"]
    )
    for account in kustomize.of_kind("ServiceAccount"):
        released = helm.get("ServiceAccount", account["metadata"]["name"])
        role = "eks.amazonaws.com/role-arn"
        assert released["metadata"].get("annotations", {}).get(role) == account["metadata"].get(
            "annotations", {}
        ).get(role)
    for kind in ("Ingress", "NetworkPolicy", "Service", "PodDisruptionBudget", "ExternalSecret"):
        for doc in kustomize.of_kind(kind):
            released = helm.get(kind, doc["metadata"]["name"])
            assert released["spec"] == doc["spec"], f"{kind}/{doc['metadata']['name']}"
    ingress_annotations = kustomize.of_kind("Ingress")[0]["metadata"]["annotations"]
    released_annotations = helm.of_kind("Ingress")[0]["metadata"]["annotations"]
    for key, value in ingress_annotations.items():
        if key.startswith("alb.ingress.kubernetes.io/"):
            assert released_annotations.get(key) == value, key
