"""Paths, tools and loaders shared by the deployment tests (all offline, all real tools)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from pydantic import SecretStr

from backend.shared.config import Settings

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infrastructure"
TERRAFORM = INFRA / "terraform"
K8S = INFRA / "k8s"
CHART = INFRA / "helm" / "imagineai"
ARGOCD = INFRA / "argocd"
DOCKER = INFRA / "docker"
COMPOSE_FILE = INFRA / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"

ENVIRONMENTS = ("dev", "staging", "prod")
SPEC_MODULES = ("vpc", "eks", "rds", "elasticache", "mq", "s3", "ecr", "iam")
NAMESPACE = "imagineai"
SECRET_NAME = "imagineai-secrets"

# Ports of shared/spec/architecture.md.
SPEC_PORTS = {
    "api": 8000,
    "admin": 8001,
    "frontend": 4200,
    "postgres": 5432,
    "redis": 6379,
    "rabbitmq": 5672,
}
# Amazon MQ for RabbitMQ accepts AMQP over TLS only, on 5671; the spec's 5672 is plain AMQP,
# which compose and an in-cluster RabbitMQ use.
AMAZON_MQ_AMQPS_PORT = 5671

# Settings read only by the test suite (config.py's "used only by tests/" group: test_* and
# require_services), never by a deployed process; test_consistency checks that no module under
# backend/ reads them.
TEST_ONLY_SETTINGS = frozenset(
    name for name in Settings.model_fields if name.startswith("test_") or name == "require_services"
)

# Custom resources: no Kubernetes JSON schema exists for them offline; test_kubernetes checks
# their structure field by field.
CUSTOM_KINDS = frozenset({"ExternalSecret", "ClusterSecretStore", "Application", "AppProject"})

_HCL_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)


def env_name(field: str) -> str:
    return f"IMAGINEAI_{field.upper()}"


def deployed_settings() -> set[str]:
    """Environment names of every setting a deployed process reads, from Settings itself."""
    return {env_name(name) for name in Settings.model_fields if name not in TEST_ONLY_SETTINGS}


def secret_typed_settings() -> set[str]:
    """Settings typed SecretStr: they must never be written into a ConfigMap."""
    return {
        env_name(name)
        for name, field in Settings.model_fields.items()
        if "SecretStr" in repr(field.annotation) or field.annotation is SecretStr
    }


def tool(name: str) -> Path:
    """A command-line tool installed by `make setup` beside the test interpreter."""
    bin_dir = Path(sys.executable).parent
    candidates = [bin_dir / name, bin_dir.parent / "tools" / name / "bin" / name]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `make setup` (looked in {bin_dir})")
    return Path(found)


def run(command: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        **kwargs,
    )


def load_yaml_documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def load_yaml_file(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


@cache
def load_hcl(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        parsed: dict[str, Any] = hcl2.load(handle, serialization_options=_HCL_OPTIONS)
    return parsed


def tf_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.tf"))


def hcl_blocks(directory: Path, block_type: str) -> dict[str, Any]:
    """Labelled blocks of one type (variable, output, module) across a directory's .tf files."""
    blocks: dict[str, Any] = {}
    for path in tf_files(directory):
        for entry in load_hcl(path).get(block_type, []):
            blocks.update(entry)
    return blocks


def hcl_resources(directory: Path) -> dict[tuple[str, str], dict[str, Any]]:
    resources: dict[tuple[str, str], dict[str, Any]] = {}
    for path in tf_files(directory):
        for entry in load_hcl(path).get("resource", []):
            for resource_type, named in entry.items():
                for name, body in named.items():
                    resources[(resource_type, name)] = body
    return resources


def tfvars(environment: str) -> dict[str, Any]:
    return load_hcl(TERRAFORM / "environments" / environment / "terraform.tfvars")


def references(value: Any, pattern: str) -> set[tuple[str, ...]]:
    """Every match of a reference pattern (e.g. var.NAME) anywhere in a parsed HCL value."""
    found: set[tuple[str, ...]] = set()
    for text in _strings(value):
        for match in re.finditer(pattern, text):
            found.add(match.groups())
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass(frozen=True)
class Rendered:
    """One rendered deployment (a kustomize overlay or a Helm release)."""

    label: str
    documents: list[dict[str, Any]]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [doc for doc in self.documents if doc["kind"] == kind]

    def get(self, kind: str, name: str) -> dict[str, Any]:
        for doc in self.of_kind(kind):
            if doc["metadata"]["name"] == name:
                return doc
        raise AssertionError(f"{self.label}: no {kind} named {name}")

    def names(self, kind: str) -> set[str]:
        return {doc["metadata"]["name"] for doc in self.of_kind(kind)}

    def identities(self, exclude: Iterable[str] = ()) -> set[tuple[str, str]]:
        skipped = set(exclude)
        return {
            (doc["kind"], doc["metadata"]["name"])
            for doc in self.documents
            if doc["kind"] not in skipped
        }

    def workloads(self) -> list[dict[str, Any]]:
        return self.of_kind("Deployment") + self.of_kind("Job")


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def configmap_settings(configmap: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """(set in data, left at backend defaults, held in the Secret) of a rendered ConfigMap."""
    annotations = configmap["metadata"].get("annotations", {})
    data = set(configmap.get("data", {}))
    defaults = set(annotations.get("imagineai.dev/backend-defaults", "").split())
    secrets = set(annotations.get("imagineai.dev/secret-settings", "").split())
    return data, defaults, secrets


def kubernetes_version(environment: str) -> str:
    """The EKS version Terraform gives an environment, as kubernetes-validate names it."""
    version = str(tfvars(environment)["kubernetes_version"])
    return f"{version}.0"
