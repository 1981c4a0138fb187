"""Terraform: every file parses (python-hcl2), and the wiring `terraform validate` would check
holds: module inputs and outputs, variable references, tfvars, identical environment roots."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest

from tests.infrastructure.support import (
    ENVIRONMENTS,
    SPEC_MODULES,
    TERRAFORM,
    hcl_blocks,
    hcl_resources,
    load_hcl,
    references,
    tf_files,
    tfvars,
)

MODULES = TERRAFORM / "modules"
ENV_ROOTS = TERRAFORM / "environments"
VAR_REF = r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)"
LOCAL_REF = r"\blocal\.([A-Za-z_][A-Za-z0-9_]*)"
MODULE_REF = r"\bmodule\.([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)"
# Files each environment root keeps to itself; everything else is shared word for word.
PER_ENVIRONMENT_FILES = {"terraform.tfvars", "backend.hcl"}


def _all_directories() -> list[Path]:
    return [MODULES / name for name in SPEC_MODULES] + [ENV_ROOTS / env for env in ENVIRONMENTS]


def _parsed(directory: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in tf_files(directory):
        for block_type, entries in load_hcl(path).items():
            merged.setdefault(block_type, []).extend(entries)
    return merged


def _policy_documents(directory: Path) -> dict[str, Any]:
    documents: dict[str, Any] = {}
    for entry in _parsed(directory).get("data", []):
        documents.update(entry.get("aws_iam_policy_document", {}))
    return documents


def _locals(directory: Path) -> set[str]:
    names: set[str] = set()
    for entry in _parsed(directory).get("locals", []):
        names.update(entry)
    return names


def test_modules_are_exactly_the_specs() -> None:
    assert sorted(path.name for path in MODULES.iterdir()) == sorted(SPEC_MODULES)
    assert sorted(path.name for path in ENV_ROOTS.iterdir()) == sorted(ENVIRONMENTS)


@pytest.mark.parametrize("directory", _all_directories(), ids=lambda path: path.name)
def test_every_file_parses(directory: Path) -> None:
    files = [*tf_files(directory), *directory.glob("*.tfvars")]
    assert files, f"{directory} holds no Terraform"
    for path in files:
        assert isinstance(load_hcl(path), dict), path


@pytest.mark.parametrize("name", SPEC_MODULES)
def test_module_has_resources_variables_and_outputs(name: str) -> None:
    directory = MODULES / name
    assert hcl_resources(directory), f"module {name} creates nothing"
    assert hcl_blocks(directory, "output"), f"module {name} exposes nothing"
    for variable, body in hcl_blocks(directory, "variable").items():
        assert body.get("description"), f"{name}: variable {variable} has no description"
        assert body.get("type"), f"{name}: variable {variable} has no type"
    for output, body in hcl_blocks(directory, "output").items():
        assert body.get("description"), f"{name}: output {output} has no description"


@pytest.mark.parametrize("directory", _all_directories(), ids=lambda path: path.name)
def test_references_are_declared(directory: Path) -> None:
    parsed = _parsed(directory)
    declared = set(hcl_blocks(directory, "variable"))
    used = {name for (name,) in references(parsed, VAR_REF)}
    assert used <= declared, f"{directory.name}: undeclared variables {sorted(used - declared)}"
    unused = declared - used
    assert not unused, f"{directory.name}: variables never used {sorted(unused)}"
    local_names = _locals(directory)
    used_locals = {name for (name,) in references(parsed, LOCAL_REF)}
    assert used_locals <= local_names, f"{directory.name}: undeclared locals"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_module_calls_match_module_interfaces(environment: str) -> None:
    root = ENV_ROOTS / environment
    calls = hcl_blocks(root, "module")
    assert sorted(calls) == sorted(SPEC_MODULES)
    for call_name, call in calls.items():
        source = (root / call["source"]).resolve()
        assert source == (MODULES / call_name).resolve(), f"{call_name} -> {source}"
        variables = hcl_blocks(source, "variable")
        arguments = set(call) - {"source", "depends_on", "providers"}
        unknown = arguments - set(variables)
        assert not unknown, f"module {call_name} gets unknown inputs {sorted(unknown)}"
        required = {name for name, body in variables.items() if "default" not in body}
        missing = required - arguments
        assert not missing, f"module {call_name} misses required inputs {sorted(missing)}"
    for module_name, output in references(_parsed(root), MODULE_REF):
        outputs = hcl_blocks(MODULES / module_name, "output")
        assert output in outputs, f"module.{module_name}.{output} is not an output"


def test_environment_roots_differ_only_in_their_values() -> None:
    reference = ENV_ROOTS / ENVIRONMENTS[0]
    shared = sorted(
        path.name for path in reference.iterdir() if path.name not in PER_ENVIRONMENT_FILES
    )
    for environment in ENVIRONMENTS:
        root = ENV_ROOTS / environment
        names = sorted(path.name for path in root.iterdir())
        assert names == sorted([*shared, *PER_ENVIRONMENT_FILES]), environment
        for name in shared:
            assert (root / name).read_text() == (reference / name).read_text(), (
                f"{environment}/{name} drifted from {ENVIRONMENTS[0]}/{name}"
            )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_tfvars_set_the_root_variables(environment: str) -> None:
    variables = hcl_blocks(ENV_ROOTS / environment, "variable")
    values = tfvars(environment)
    unknown = set(values) - set(variables)
    assert not unknown, f"{environment}: tfvars sets undeclared {sorted(unknown)}"
    required = {name for name, body in variables.items() if "default" not in body}
    assert required <= set(values), f"{environment}: unset {sorted(required - set(values))}"
    assert values["environment"] == environment
    backend = load_hcl(ENV_ROOTS / environment / "backend.hcl")
    assert backend["key"] == f"{environment}/terraform.tfstate"
    assert backend["encrypt"] is True


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_subnets_of_the_environment_fit_its_vpc(environment: str) -> None:
    """The cidrsubnet() layout of main.tf, recomputed: three tiers, inside the VPC, disjoint."""
    values = tfvars(environment)
    vpc = ipaddress.IPv4Network(values["vpc_cidr"])
    zones = len(values["availability_zones"])
    subnets = [
        *(list(vpc.subnets(new_prefix=vpc.prefixlen + 8))[index] for index in range(zones)),
        *(list(vpc.subnets(new_prefix=vpc.prefixlen + 4))[index + 1] for index in range(zones)),
        *(list(vpc.subnets(new_prefix=vpc.prefixlen + 8))[index + 200] for index in range(zones)),
    ]
    for position, subnet in enumerate(subnets):
        assert subnet.subnet_of(vpc)
        for other in subnets[position + 1 :]:
            assert not subnet.overlaps(other), f"{subnet} overlaps {other}"
    main = (ENV_ROOTS / environment / "main.tf").read_text()
    assert "cidrsubnet(var.vpc_cidr, 8, index)" in main
    assert "cidrsubnet(var.vpc_cidr, 4, index + 1)" in main
    assert "cidrsubnet(var.vpc_cidr, 8, index + 200)" in main


def test_environment_vpcs_do_not_overlap() -> None:
    networks = [ipaddress.ip_network(tfvars(env)["vpc_cidr"]) for env in ENVIRONMENTS]
    for position, network in enumerate(networks):
        for other in networks[position + 1 :]:
            assert not network.overlaps(other)


def test_data_subnets_have_no_route_out() -> None:
    resources = hcl_resources(MODULES / "vpc")
    assert "route" not in resources[("aws_route_table", "data")]
    private = resources[("aws_route_table", "private")]["route"]
    assert all("nat_gateway_id" in route for route in private)
    assert resources[("aws_subnet", "public")]["map_public_ip_on_launch"] is False


def test_data_stores_are_encrypted_private_and_on_spec_ports() -> None:
    rds = hcl_resources(MODULES / "rds")
    instance = rds[("aws_db_instance", "this")]
    assert instance["storage_encrypted"] is True
    assert instance["publicly_accessible"] is False
    assert instance["engine"] == "postgres"
    assert instance["port"] == 5432
    assert rds[("aws_vpc_security_group_ingress_rule", "postgres")]["from_port"] == 5432
    force_ssl = [
        parameter
        for parameter in rds[("aws_db_parameter_group", "this")]["parameter"]
        if parameter["name"] == "rds.force_ssl"
    ]
    assert force_ssl
    assert force_ssl[0]["value"] == "1"

    cache = hcl_resources(MODULES / "elasticache")
    group = cache[("aws_elasticache_replication_group", "this")]
    assert group["at_rest_encryption_enabled"] is True
    assert group["transit_encryption_enabled"] is True
    assert group["port"] == 6379

    broker = hcl_resources(MODULES / "mq")[("aws_mq_broker", "this")]
    assert broker["publicly_accessible"] is False
    assert broker["engine_type"] == "RabbitMQ"
    amqps = hcl_resources(MODULES / "mq")[("aws_vpc_security_group_ingress_rule", "amqps")]
    assert amqps["from_port"] == 5671


def test_image_bucket_is_private_versioned_with_lifecycle_and_cors() -> None:
    s3 = hcl_resources(MODULES / "s3")
    block = s3[("aws_s3_bucket_public_access_block", "images")]
    for key in (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ):
        assert block[key] is True, key
    encryption = s3[("aws_s3_bucket_server_side_encryption_configuration", "images")]
    default = encryption["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] == "aws:kms"
    rules = s3[("aws_s3_bucket_lifecycle_configuration", "images")]["rule"]
    assert {rule["id"] for rule in rules} >= {"abort-incomplete-uploads", "purge-old-versions"}
    cors = s3[("aws_s3_bucket_cors_configuration", "images")]["cors_rule"][0]
    assert "PUT" in cors["allowed_methods"]
    assert cors["allowed_origins"] == "${var.cors_allowed_origins}"


def test_irsa_roles_trust_one_service_account_each() -> None:
    documents = _policy_documents(MODULES / "iam")
    assume = documents["assume"]["statement"][0]
    conditions = {condition["variable"]: condition for condition in assume["condition"]}
    assert conditions["${var.oidc_issuer}:sub"]["test"] == "StringEquals"
    assert conditions["${var.oidc_issuer}:aud"]["values"] == ["sts.amazonaws.com"]
    policy = documents["service_account"]
    statements = [policy["statement"][0], *policy["dynamic"][0]["statement"]["content"]]
    for statement in statements:
        resources = statement["resources"]
        for resource in resources if isinstance(resources, list) else [resources]:
            assert resource != "*", f"IRSA policy grants {statement['actions']} on *"
