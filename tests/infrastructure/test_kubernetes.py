"""Kubernetes: the kustomize base and every overlay (rendered by kubectl's kustomize) and every
Helm release validate against the schemas of the EKS version Terraform sets, and the objects
fit together: selectors, ports, probes, service accounts, security contexts, resources."""

from __future__ import annotations

import ipaddress
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from tests.infrastructure.support import (
    CUSTOM_KINDS,
    ENVIRONMENTS,
    K8S,
    NAMESPACE,
    SECRET_NAME,
    SPEC_PORTS,
    Rendered,
    kubernetes_version,
    load_yaml_documents,
    pod_spec,
    tfvars,
)

# The spec's Kubernetes layout (architecture.md, "Kubernetes Architecture").
SPEC_BASE_FILES = (
    "namespace.yaml",
    "configmap.yaml",
    "fastapi/deployment.yaml",
    "fastapi/service.yaml",
    "fastapi/hpa.yaml",
    "celery-worker/deployment.yaml",
    "celery-beat/deployment.yaml",
    "django-admin/deployment.yaml",
    "django-admin/service.yaml",
    "frontend/deployment.yaml",
    "frontend/service.yaml",
)
COMPONENT_PORTS = {
    "api": SPEC_PORTS["api"],
    "admin": SPEC_PORTS["admin"],
    "frontend": SPEC_PORTS["frontend"],
}


def _version_for(rendered: Rendered) -> str:
    target = rendered.label.split(":")[1]
    return kubernetes_version(target if target in ENVIRONMENTS else "prod")


def _containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    containers: list[dict[str, Any]] = pod_spec(workload)["containers"]
    return containers


def _component(doc: dict[str, Any]) -> str:
    labels: dict[str, str] = doc["spec"]["template"]["metadata"]["labels"]
    return labels["app.kubernetes.io/component"]


def test_base_has_the_spec_layout() -> None:
    for relative in SPEC_BASE_FILES:
        assert (K8S / "base" / relative).is_file(), relative
    for environment in ENVIRONMENTS:
        assert (K8S / "overlays" / environment / "kustomization.yaml").is_file()


def test_every_render_validates_against_the_kubernetes_schemas(
    all_renders: list[Rendered],
) -> None:
    """Strict: unknown fields fail too. Only the known custom resources have no schema here."""
    failures: list[str] = []
    for rendered in all_renders:
        version = _version_for(rendered)
        for doc in rendered.documents:
            where = f"{rendered.label} {doc['kind']}/{doc['metadata']['name']}"
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                assert doc["kind"] in CUSTOM_KINDS, f"{where}: no schema for this kind"
            except kubernetes_validate.ValidationError as error:
                failures.append(f"{where}: {error}")
    assert not failures, "\n".join(failures)


def test_external_secrets_fill_the_secret_every_workload_reads(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        stores = rendered.names("ClusterSecretStore")
        for external in rendered.of_kind("ExternalSecret"):
            assert external["apiVersion"] == "external-secrets.io/v1beta1"
            spec = external["spec"]
            assert spec["target"]["name"] == SECRET_NAME
            assert spec["secretStoreRef"]["kind"] == "ClusterSecretStore"
            store = spec["secretStoreRef"]["name"]
            assert store == "aws-secrets-manager"
            if rendered.label.startswith("kustomize"):
                assert store in stores, f"{rendered.label}: store {store} missing"
            (extract,) = spec["dataFrom"]
            environment = rendered.label.split(":")[1]
            assert extract["extract"]["key"] == f"imagineai-{environment}/app"
        for store in rendered.of_kind("ClusterSecretStore"):
            provider = store["spec"]["provider"]["aws"]
            assert provider["service"] == "SecretsManager"
            assert provider["region"] == tfvars(rendered.label.split(":")[1])["region"]


def test_workloads_are_locked_down(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        for workload in rendered.workloads():
            name = f"{rendered.label} {workload['metadata']['name']}"
            spec = pod_spec(workload)
            assert spec["automountServiceAccountToken"] is False, name
            security = spec["securityContext"]
            assert security["runAsNonRoot"] is True, name
            assert security["runAsUser"] >= 10000, name
            assert security["seccompProfile"]["type"] == "RuntimeDefault", name
            for container in spec["containers"]:
                context = container["securityContext"]
                assert context["allowPrivilegeEscalation"] is False, name
                assert context["readOnlyRootFilesystem"] is True, name
                assert context["capabilities"]["drop"] == ["ALL"], name
                resources = container["resources"]
                for kind in ("requests", "limits"):
                    assert {"cpu", "memory"} <= set(resources[kind]), f"{name}: {kind}"
                assert ":" in container["image"]
                assert not container["image"].endswith(":latest")


def test_workloads_reference_objects_that_exist(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        accounts = rendered.names("ServiceAccount")
        configmaps = rendered.names("ConfigMap")
        for workload in rendered.workloads():
            name = f"{rendered.label} {workload['metadata']['name']}"
            spec = pod_spec(workload)
            assert spec["serviceAccountName"] in accounts, name
            for container in spec["containers"]:
                for source in container.get("envFrom", []):
                    if "configMapRef" in source:
                        assert source["configMapRef"]["name"] in configmaps, name
                    if "secretRef" in source:
                        assert source["secretRef"]["name"] == SECRET_NAME, name
                mounts = {mount["name"] for mount in container.get("volumeMounts", [])}
                assert mounts <= {volume["name"] for volume in spec.get("volumes", [])}, name


def test_probes_use_the_health_endpoints(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        api = rendered.get("Deployment", "imagineai-api")
        (container,) = _containers(api)
        assert container["livenessProbe"]["httpGet"]["path"] == "/api/v1/health"
        assert container["startupProbe"]["httpGet"]["path"] == "/api/v1/health"
        assert container["readinessProbe"]["httpGet"]["path"] == "/api/v1/health/ready"
        for workload in rendered.of_kind("Deployment"):
            for container in _containers(workload):
                assert "livenessProbe" in container, workload["metadata"]["name"]


def test_services_select_pods_on_the_spec_ports(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        deployments = rendered.of_kind("Deployment")
        for service in rendered.of_kind("Service"):
            selector = service["spec"]["selector"]
            targets = [
                doc
                for doc in deployments
                if selector.items() <= doc["spec"]["template"]["metadata"]["labels"].items()
            ]
            assert len(targets) == 1, f"{rendered.label} {service['metadata']['name']}"
            (port,) = service["spec"]["ports"]
            component = _component(targets[0])
            assert port["port"] == COMPONENT_PORTS[component]
            container_ports = {
                entry["name"]: entry["containerPort"]
                for container in _containers(targets[0])
                for entry in container.get("ports", [])
            }
            assert container_ports[port["targetPort"]] == COMPONENT_PORTS[component]


def test_autoscalers_and_budgets_target_real_deployments(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        deployments = {doc["metadata"]["name"]: doc for doc in rendered.of_kind("Deployment")}
        for hpa in rendered.of_kind("HorizontalPodAutoscaler"):
            target = hpa["spec"]["scaleTargetRef"]
            assert target["kind"] == "Deployment"
            assert target["name"] in deployments
            assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        scaled = {
            hpa["spec"]["scaleTargetRef"]["name"]
            for hpa in rendered.of_kind("HorizontalPodAutoscaler")
        }
        assert {"imagineai-api", "imagineai-worker"} <= scaled, rendered.label
        for budget in rendered.of_kind("PodDisruptionBudget"):
            selector = budget["spec"]["selector"]["matchLabels"]
            assert any(
                selector.items() <= doc["spec"]["template"]["metadata"]["labels"].items()
                for doc in deployments.values()
            ), budget["metadata"]["name"]


def test_beat_runs_exactly_once(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        beat = rendered.get("Deployment", "imagineai-beat")
        assert beat["spec"]["replicas"] == 1
        assert beat["spec"]["strategy"]["type"] == "Recreate"
        targets = {
            hpa["spec"]["scaleTargetRef"]["name"]
            for hpa in rendered.of_kind("HorizontalPodAutoscaler")
        }
        assert "imagineai-beat" not in targets


def test_migrations_run_once_before_the_rollout(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        job = rendered.get("Job", "imagineai-migrate")
        (container,) = _containers(job)
        assert container["args"] == ["db", "upgrade"]
        annotations = job["metadata"]["annotations"]
        assert annotations["argocd.argoproj.io/hook"] == "Sync"
        assert int(annotations["argocd.argoproj.io/sync-wave"]) == 0
        for deployment in rendered.of_kind("Deployment"):
            wave = deployment["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
            assert int(wave) > 0, deployment["metadata"]["name"]
        configmap = rendered.get("ConfigMap", "imagineai-config")
        assert int(configmap["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) < 0


def test_ingress_routes_api_websocket_and_spa(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        (ingress,) = rendered.of_kind("Ingress")
        services = {doc["metadata"]["name"]: doc for doc in rendered.of_kind("Service")}
        (rule,) = ingress["spec"]["rules"]
        routes = {path["path"]: path["backend"]["service"] for path in rule["http"]["paths"]}
        assert routes["/api"]["name"] == routes["/ws"]["name"] == "imagineai-api"
        assert routes["/"]["name"] == "imagineai-frontend"
        for backend in routes.values():
            port_names = {port["name"] for port in services[backend["name"]]["spec"]["ports"]}
            assert backend["port"]["name"] in port_names
        assert ingress["spec"]["ingressClassName"] == "alb"


def test_network_policies_default_deny_and_cover_every_pod(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        policies = {doc["metadata"]["name"]: doc for doc in rendered.of_kind("NetworkPolicy")}
        deny = policies["default-deny"]["spec"]
        assert deny["podSelector"] == {}
        assert sorted(deny["policyTypes"]) == ["Egress", "Ingress"]
        for workload in rendered.workloads():
            labels = workload["spec"]["template"]["metadata"]["labels"]
            egress = [
                name
                for name, policy in policies.items()
                if "Egress" in policy["spec"]["policyTypes"]
                and policy["spec"]["podSelector"].get("matchLabels", {}).items() <= labels.items()
                and policy["spec"]["podSelector"] != {}
            ]
            assert egress, f"{rendered.label}: {workload['metadata']['name']} can reach nothing"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_network_policies_admit_the_environments_vpc(
    environment: str, kustomize_renders: dict[str, Rendered], helm_renders: dict[str, Rendered]
) -> None:
    vpc = ipaddress.IPv4Network(tfvars(environment)["vpc_cidr"])
    for rendered in (kustomize_renders[environment], helm_renders[environment]):
        egress = rendered.get("NetworkPolicy", "backend-egress")["spec"]["egress"]
        blocks = [
            ipaddress.ip_network(peer["ipBlock"]["cidr"]) for rule in egress for peer in rule["to"]
        ]
        data_rule = next(
            rule for rule in egress if 5432 in {port["port"] for port in rule["ports"]}
        )
        data_block = ipaddress.IPv4Network(data_rule["to"][0]["ipBlock"]["cidr"])
        assert vpc.subnet_of(data_block), f"{vpc} outside {data_block}"
        ports = {port["port"] for port in data_rule["ports"]}
        assert {SPEC_PORTS["postgres"], SPEC_PORTS["redis"], SPEC_PORTS["rabbitmq"], 5671} <= ports
        assert blocks


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_overlay_matches_its_terraform_environment(
    environment: str, kustomize_renders: dict[str, Rendered]
) -> None:
    rendered = kustomize_renders[environment]
    values = tfvars(environment)
    name = f"imagineai-{environment}"
    config = rendered.get("ConfigMap", "imagineai-config")["data"]
    assert config["IMAGINEAI_S3_BUCKET"] == values["images_bucket_name"]
    assert config["IMAGINEAI_S3_REGION"] == values["region"]
    assert config["IMAGINEAI_BEDROCK_REGION"] == values["bedrock_region"]
    assert config["IMAGINEAI_BEDROCK_MODEL_ID"] in values["bedrock_model_ids"]
    host = rendered.of_kind("Ingress")[0]["spec"]["rules"][0]["host"]
    assert values["spa_origins"] == [f"https://{host}"]
    assert config["IMAGINEAI_CORS_ORIGINS"] == f"https://{host}"
    for role in ("api", "worker", "admin"):
        account = rendered.get("ServiceAccount", f"imagineai-{role}")
        arn = account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        assert arn.endswith(f":role/{name}-{role}"), arn
    for workload in rendered.workloads():
        for container in _containers(workload):
            image = container["image"]
            assert f".dkr.ecr.{values['region']}.amazonaws.com/{name}/" in image, image


def test_namespace_enforces_the_restricted_pod_security_standard(
    kustomize_renders: dict[str, Rendered],
) -> None:
    for rendered in kustomize_renders.values():
        (namespace,) = rendered.of_kind("Namespace")
        assert namespace["metadata"]["name"] == NAMESPACE
        assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        for doc in rendered.documents:
            if doc["kind"] not in {"Namespace", "ClusterSecretStore"}:
                assert doc["metadata"]["namespace"] == NAMESPACE, doc["metadata"]["name"]


def test_overlay_patches_only_touch_base_objects(kustomize_renders: dict[str, Rendered]) -> None:
    """A strategic-merge patch naming a missing object would silently add a partial one."""
    base = kustomize_renders["base"].identities()
    for environment in ENVIRONMENTS:
        overlay = K8S / "overlays" / environment
        for patch in ("config.yaml", "service-accounts.yaml", "ingress.yaml", "scaling.yaml"):
            for doc in load_yaml_documents((overlay / patch).read_text()):
                assert (doc["kind"], doc["metadata"]["name"]) in base, f"{environment}/{patch}"
