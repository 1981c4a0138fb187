"""checkov over Terraform, the Dockerfiles and every rendered manifest: nothing fails, and
every skipped check says why inline (#checkov:skip=ID:reason / checkov.io/skipN: ID=reason)."""

from __future__ import annotations

from typing import Any

import pytest

FRAMEWORKS = ("terraform", "kubernetes", "dockerfile")
# checkov's placeholder when a skip names a check but gives no reason.
NO_REASON = "No comment provided"


def _summary(check: dict[str, Any]) -> str:
    return (
        f"{check['check_id']} {check['check_name']} at {check['file_path']} ({check['resource']})"
    )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_framework_was_scanned(framework: str, checkov_reports: dict[str, dict[str, Any]]) -> None:
    report = checkov_reports[framework]
    summary = report["summary"]
    assert summary["parsing_errors"] == 0, summary
    assert summary["resource_count"] > 0
    assert summary["passed"] > 0


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_no_failed_checks(framework: str, checkov_reports: dict[str, dict[str, Any]]) -> None:
    failed = checkov_reports[framework]["results"]["failed_checks"]
    assert not failed, "\n".join(_summary(check) for check in failed)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_skip_carries_its_reason(
    framework: str, checkov_reports: dict[str, dict[str, Any]]
) -> None:
    skipped = checkov_reports[framework]["results"]["skipped_checks"]
    unexplained = [
        _summary(check)
        for check in skipped
        if len(check["check_result"].get("suppress_comment", "").strip()) < 20
        or check["check_result"]["suppress_comment"] == NO_REASON
    ]
    assert not unexplained, "skips without a reason:\n" + "\n".join(unexplained)
