"""docker-compose.yml: the spec's services on pinned images, health checks, start order with
migrations first, volumes, and the two image builds it refers to."""

from __future__ import annotations

from typing import Any

from tests.infrastructure.support import COMPOSE_FILE, INFRA, REPO, load_yaml_file

DATA_SERVICES = {"postgres": "16", "redis": "7", "rabbitmq": "3"}
BACKEND_ROLES = {"migrate", "api", "admin", "worker", "beat"}
ONE_SHOT = {"migrate", "minio-init"}
EXPECTED_SERVICES = {*DATA_SERVICES, "minio", "frontend", *BACKEND_ROLES, *ONE_SHOT}


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = load_yaml_file(COMPOSE_FILE)["services"]
    return services


def test_services_are_the_specs() -> None:
    assert set(_services()) == EXPECTED_SERVICES


def test_images_are_pinned_to_the_spec_versions() -> None:
    services = _services()
    for name, major in DATA_SERVICES.items():
        image = services[name]["image"]
        repository, _, tag = image.partition(":")
        assert repository == name, image
        assert tag.startswith(f"{major}."), image
    for name, service in services.items():
        image = service["image"]
        assert ":" in image, f"{name}: {image}"
        assert not image.endswith(":latest"), f"{name}: {image}"


def test_long_running_services_have_health_checks() -> None:
    for name, service in _services().items():
        if name in ONE_SHOT:
            assert service["restart"] == "no", name
            continue
        assert service["healthcheck"]["test"], name
        assert service["restart"] == "unless-stopped", name


def test_migrations_run_once_before_the_application_starts() -> None:
    services = _services()
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for role in BACKEND_ROLES - {"migrate"}:
        condition = services[role]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", role
    assert services["frontend"]["depends_on"]["api"]["condition"] == "service_healthy"
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"


def test_backend_roles_share_one_hardened_image() -> None:
    services = _services()
    images = {services[role]["image"] for role in BACKEND_ROLES}
    assert len(images) == 1
    for role in BACKEND_ROLES:
        service = services[role]
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]
        assert service["build"]["dockerfile"] == "infrastructure/docker/backend.Dockerfile"
    assert services["beat"]["deploy"]["replicas"] == 1


def test_builds_and_volumes_exist() -> None:
    document = load_yaml_file(COMPOSE_FILE)
    declared = set(document["volumes"])
    used: set[str] = set()
    for name, service in document["services"].items():
        if "build" in service:
            context = (INFRA / service["build"]["context"]).resolve()
            assert context == REPO, name
            assert (context / service["build"]["dockerfile"]).is_file(), name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            used.add(source)
    assert used == declared
    for name in ("postgres", "redis", "rabbitmq", "minio"):
        assert document["services"][name]["volumes"], f"{name} keeps no data"


def test_data_stores_publish_on_loopback_only() -> None:
    services = _services()
    for name in ("postgres", "redis", "rabbitmq", "minio"):
        for entry in services[name]["ports"]:
            assert str(entry).startswith("127.0.0.1:"), f"{name}: {entry}"
