"""The deployment agrees with the code: every setting Settings defines is configured in the
ConfigMap, the Helm values and compose (and each configuration validates under Settings), the
ports are the spec's, every Celery queue has a consumer, every role is a real CLI command."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from backend.cli import app as cli_app
from backend.shared.config import Settings
from backend.workers.celery_app import create_celery_app
from tests.infrastructure.support import (
    CHART,
    COMPOSE_FILE,
    DOCKER,
    ENV_EXAMPLE,
    ENVIRONMENTS,
    K8S,
    REPO,
    SPEC_PORTS,
    TERRAFORM,
    TEST_ONLY_SETTINGS,
    Rendered,
    configmap_settings,
    deployed_settings,
    env_name,
    load_yaml_file,
    secret_typed_settings,
)

# Environment variables compose sets besides IMAGINEAI_*: MinIO credentials for boto3.
COMPOSE_EXTRA_ENV = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}
# Secret values in the forms Terraform writes them (environments/*/secrets.tf).
SECRET_SAMPLES = {
    "IMAGINEAI_DATABASE_URL": "postgresql://imagineai:pw@db.internal:5432/imagineai?sslmode=require",
    "IMAGINEAI_REDIS_URL": "rediss://:token@cache.internal:6379/0",
    "IMAGINEAI_BROKER_URL": "amqps://imagineai:pw@mq.internal:5671/",
    "IMAGINEAI_JWT_SECRET_KEY": "a-jwt-secret-key-of-the-deployment-0123456789",
    "IMAGINEAI_SIGNING_KEY": "a-signing-key-of-the-deployment-0123456789",
}
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:[?-])(?P<arg>[^}]*))?\}")


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = load_yaml_file(COMPOSE_FILE)
    return document


def _compose_env() -> dict[str, Any]:
    env: dict[str, Any] = _compose()["x-imagineai-env"]
    return env


def _env_example() -> dict[str, str]:
    """Keys of .env.example, set or shown commented out (`# KEY=value`)."""
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


def _interpolate(value: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        if name in variables:
            return variables[name]
        assert op == ":-", f"${{{name}}} is required but .env.example does not set it"
        return arg

    return INTERPOLATION.sub(replace, value)


def _settings_from(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp: Path
) -> Settings:
    """Settings exactly as a container with this environment builds them (var_dir aside)."""
    for key in list(os.environ):
        if key.startswith("IMAGINEAI_"):
            monkeypatch.delenv(key)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    # The containers' var dir (/var/lib/imagineai) is a volume there; here a temporary folder.
    monkeypatch.setenv("IMAGINEAI_VAR_DIR", str(tmp))
    return Settings(_env_file=None)


def _assert_real_mode(settings: Settings) -> None:
    assert settings.environment == "production"
    assert settings.storage_backend == "s3"
    assert settings.sqlalchemy_url.startswith("postgresql+psycopg://")
    assert settings.broker_url is not None
    assert settings.broker_url.startswith(("amqp://", "amqps://"))
    assert settings.redis_url is not None
    assert settings.redis_url.startswith(("redis://", "rediss://"))
    assert settings.api_host == "0.0.0.0"  # noqa: S104 - containers listen on every interface
    assert settings.api_port == SPEC_PORTS["api"]
    assert settings.admin_port == SPEC_PORTS["admin"]
    assert settings.frontend_port == SPEC_PORTS["frontend"]


# --- every setting is configured ------------------------------------------------------------


def test_test_only_settings_are_read_by_tests_alone() -> None:
    assert TEST_ONLY_SETTINGS, "no test-only settings found: has config.py renamed them?"
    pattern = re.compile(r"\.(" + "|".join(sorted(TEST_ONLY_SETTINGS)) + r")\b")
    readers = [
        path
        for path in (REPO / "backend").rglob("*.py")
        if path.name != "config.py" and pattern.search(path.read_text())
    ]
    assert not readers, f"deployed code reads test-only settings: {readers}"


def test_base_configmap_names_every_setting() -> None:
    configmap = load_yaml_file(K8S / "base" / "configmap.yaml")
    data, defaults, secrets = configmap_settings(configmap)
    _assert_partition(data, defaults, secrets, "k8s base ConfigMap")


def test_rendered_configmaps_name_every_setting(all_renders: list[Rendered]) -> None:
    for rendered in all_renders:
        data, defaults, secrets = configmap_settings(rendered.get("ConfigMap", "imagineai-config"))
        _assert_partition(data, defaults, secrets, rendered.label)


def _assert_partition(data: set[str], defaults: set[str], secrets: set[str], where: str) -> None:
    expected = deployed_settings()
    missing = expected - (data | defaults | secrets)
    assert not missing, f"{where}: settings not configured: {sorted(missing)}"
    unknown = (data | defaults | secrets) - expected
    assert not unknown, f"{where}: not settings of backend/shared/config.py: {sorted(unknown)}"
    assert not data & defaults, where
    assert not data & secrets, where
    assert not defaults & secrets, where
    assert not data & secret_typed_settings(), f"{where}: a secret in the ConfigMap"


def test_helm_values_name_every_setting() -> None:
    values = load_yaml_file(CHART / "values.yaml")
    config = set(values["config"])
    secrets = set(values["secrets"]["settings"])
    assert not config & secrets
    assert config | secrets == deployed_settings(), (
        f"missing: {sorted(deployed_settings() - config - secrets)}; "
        f"unknown: {sorted((config | secrets) - deployed_settings())}"
    )
    for environment in ENVIRONMENTS:
        overrides = load_yaml_file(CHART / f"values-{environment}.yaml").get("config", {})
        assert set(overrides) <= config, environment


def test_compose_names_every_setting() -> None:
    names = set(_compose_env())
    assert names - COMPOSE_EXTRA_ENV == deployed_settings(), (
        f"missing: {sorted(deployed_settings() - names)}; "
        f"unknown: {sorted(names - COMPOSE_EXTRA_ENV - deployed_settings())}"
    )


def test_secret_settings_agree_everywhere() -> None:
    base = configmap_settings(load_yaml_file(K8S / "base" / "configmap.yaml"))[2]
    chart = set(load_yaml_file(CHART / "values.yaml")["secrets"]["settings"])
    for environment in ENVIRONMENTS:
        terraform = set(
            re.findall(
                r"^\s*(IMAGINEAI_[A-Z0-9_]+)\s*=",
                (TERRAFORM / "environments" / environment / "secrets.tf").read_text(),
                flags=re.MULTILINE,
            )
        )
        assert terraform == base == chart == set(SECRET_SAMPLES), environment
    assert {env_name(name) for name in ("jwt_secret_key", "signing_key")} <= base


# --- every configuration is valid for Settings ------------------------------------------------


def _rendered_environments(renders: list[Rendered]) -> Iterator[tuple[str, dict[str, str]]]:
    for rendered in renders:
        data = rendered.get("ConfigMap", "imagineai-config")["data"]
        yield rendered.label, {**data, **SECRET_SAMPLES}


def test_every_rendered_configuration_validates(
    all_renders: list[Rendered], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for label, environment in _rendered_environments(all_renders):
        settings = _settings_from(environment, monkeypatch, tmp_path)
        _assert_real_mode(settings)
        assert settings.description_provider == "bedrock", label
        assert settings.worker_concurrency is not None
        assert settings.worker_concurrency >= 1


def test_compose_configuration_validates_with_env_example(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    variables = _env_example()
    environment = {
        key: _interpolate(str(value), variables)
        for key, value in _compose_env().items()
        if value is not None
    }
    settings = _settings_from(environment, monkeypatch, tmp_path)
    _assert_real_mode(settings)
    assert settings.s3_endpoint_url == "http://minio:9000"


def test_env_example_supplies_every_required_compose_variable() -> None:
    required = {
        match.group("name")
        for match in INTERPOLATION.finditer(COMPOSE_FILE.read_text())
        if match.group("op") == ":?"
    }
    assert required <= set(_env_example())
    assert "IMAGINEAI_DATABASE_URL" not in _env_example(), (
        ".env is read by `make run` too: compose hostnames there would break the embedded mode"
    )


# --- ports ----------------------------------------------------------------------------------


def test_compose_ports_are_the_specs() -> None:
    services = _compose()["services"]
    for service, port in SPEC_PORTS.items():
        compose_name = {"rabbitmq": "rabbitmq"}.get(service, service)
        published = [str(entry).rsplit(":", 1)[1] for entry in services[compose_name]["ports"]]
        assert str(port) in published, f"{service}: {published}"
    env = _compose_env()
    assert f"@postgres:{SPEC_PORTS['postgres']}/" in env["IMAGINEAI_DATABASE_URL"]
    assert f"@rabbitmq:{SPEC_PORTS['rabbitmq']}/" in env["IMAGINEAI_BROKER_URL"]
    assert f"redis:{SPEC_PORTS['redis']}/" in env["IMAGINEAI_REDIS_URL"]
    assert services["frontend"]["environment"]["API_UPSTREAM"] == f"api:{SPEC_PORTS['api']}"


def test_images_expose_the_spec_ports() -> None:
    backend = (DOCKER / "backend.Dockerfile").read_text()
    assert re.search(rf"^EXPOSE {SPEC_PORTS['api']} {SPEC_PORTS['admin']}$", backend, re.MULTILINE)
    frontend = (DOCKER / "frontend.Dockerfile").read_text()
    assert re.search(rf"^EXPOSE {SPEC_PORTS['frontend']}$", frontend, re.MULTILINE)
    nginx = (DOCKER / "nginx" / "default.conf.template").read_text()
    assert f"listen {SPEC_PORTS['frontend']};" in nginx


def test_helm_and_configmap_ports_are_the_specs() -> None:
    ports = load_yaml_file(CHART / "values.yaml")["ports"]
    assert ports == {name: SPEC_PORTS[name] for name in ("api", "admin", "frontend")}
    data = load_yaml_file(K8S / "base" / "configmap.yaml")["data"]
    assert data["IMAGINEAI_API_PORT"] == str(SPEC_PORTS["api"])
    assert data["IMAGINEAI_ADMIN_PORT"] == str(SPEC_PORTS["admin"])
    assert data["IMAGINEAI_FRONTEND_PORT"] == str(SPEC_PORTS["frontend"])


# --- queues and commands --------------------------------------------------------------------


def _declared_queues(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> set[str]:
    settings = _settings_from({}, monkeypatch, tmp_path)
    celery = create_celery_app(settings)
    declared = {queue.name for queue in celery.conf.task_queues}
    routed = {route["queue"] for route in celery.conf.task_routes.values()}
    assert routed <= declared, f"tasks routed to undeclared queues {routed - declared}"
    assert celery.conf.task_default_queue in declared
    return declared


def _queues_argument(args: list[str]) -> set[str]:
    return set(args[args.index("--queues") + 1].split(","))


def test_every_queue_has_a_consumer_everywhere(
    all_renders: list[Rendered], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    declared = _declared_queues(monkeypatch, tmp_path)
    assert declared == {"ml", "default"}
    assert _queues_argument(_compose()["services"]["worker"]["command"]) >= declared
    assert set(load_yaml_file(CHART / "values.yaml")["worker"]["queues"].split(",")) >= declared
    for rendered in all_renders:
        (container,) = rendered.get("Deployment", "imagineai-worker")["spec"]["template"]["spec"][
            "containers"
        ]
        assert _queues_argument(container["args"]) >= declared, rendered.label


def _assert_cli_accepts(args: list[str]) -> None:
    # typer vendors its own click, so groups are told apart by their sub-commands.
    command: Any = typer.main.get_command(cli_app)
    remaining = list(args)
    while hasattr(command, "commands"):
        name = remaining.pop(0)
        assert name in command.commands, f"`imagineai {' '.join(args)}`: no command {name}"
        command = command.commands[name]
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for arg in remaining:
        if arg.startswith("--"):
            assert arg in options, f"`imagineai {' '.join(args)}`: no option {arg}"


def test_every_role_runs_a_real_cli_command(all_renders: list[Rendered]) -> None:
    services = _compose()["services"]
    for name in ("migrate", "api", "admin", "worker", "beat"):
        _assert_cli_accepts([str(arg) for arg in services[name]["command"]])
    for rendered in all_renders:
        for workload in rendered.workloads():
            for container in workload["spec"]["template"]["spec"]["containers"]:
                if "args" in container:
                    _assert_cli_accepts(container["args"])
