"""`make security` (run by `make test`): bandit, pip-audit and npm audit, each saying what it did.

- **bandit** over ``backend/`` at medium severity and above (the low-severity checks repeat
  ruff's ``S`` rules, which `make lint` enforces on every line). A finding passes only when its
  line explains itself inline: a ruff ``# noqa: S<code> - <reason>`` for the same check.
- **pip-audit** over ``requirements.lock`` (the pinned versions of the project's dependencies,
  refreshed by `make lock`). It needs PyPI's per-release vulnerability data; a canary release
  with a published advisory (``requests==2.19.0``, CVE-2018-18074) must come back vulnerable
  first, otherwise that data is not reachable from here and the audit is skipped with a note.
- **npm audit** of the web app's runtime dependencies (``--omit=dev``) when the npm registry
  answers; high and critical advisories fail unless listed in :data:`EXPLAINED_NPM_ADVISORIES`
  with the reason they do not apply.

Every skip is printed; a tool that ran and found something unexplained fails the target.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
BIN = REPOSITORY_ROOT / ".venv" / "bin"
LOCK_FILE = REPOSITORY_ROOT / "requirements.lock"
FRONTEND = REPOSITORY_ROOT / "frontend"
CANARY_REQUIREMENT = "requests==2.19.0"
TOOL_TIMEOUT_S = 300
PROBE_TIMEOUT_S = 60
# bandit check id -> ruff's rule for the same thing (its inline noqa explains the line).
RUFF_EQUIVALENT = {
    "B101": "S101",
    "B105": "S105",
    "B106": "S106",
    "B107": "S107",
    "B108": "S108",
    "B301": "S301",
    "B308": "S308",
    "B310": "S310",
    "B311": "S311",
    "B314": "S314",
    "B324": "S324",
    "B404": "S404",
    "B602": "S602",
    "B603": "S603",
    "B607": "S607",
    "B608": "S608",
    "B703": "S308",
}
# npm advisory id (GHSA) -> why it does not apply to the shipped web app.
EXPLAINED_NPM_ADVISORIES: dict[str, str] = {}
_EXPLAINED_NOQA = re.compile(r"#\s*noqa:\s*([A-Z0-9, ]+?)\s+-\s+\S")


def _run(
    command: list[str], cwd: Path = REPOSITORY_ROOT, timeout_s: float = TOOL_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout_s, check=False
    )


def bandit() -> bool:
    done = _run(
        [str(BIN / "bandit"), "-r", "backend", "-f", "json", "-q", "--severity-level", "medium"]
    )
    report = json.loads(done.stdout or "{}")
    unexplained: list[str] = []
    explained = 0
    for finding in report.get("results", []):
        path = REPOSITORY_ROOT / finding["filename"]
        line = path.read_text().splitlines()[finding["line_number"] - 1]
        match = _EXPLAINED_NOQA.search(line)
        ruff_rule = RUFF_EQUIVALENT.get(finding["test_id"])
        if match and ruff_rule and ruff_rule in match.group(1).replace(" ", "").split(","):
            explained += 1
            continue
        unexplained.append(
            f"  {finding['filename']}:{finding['line_number']} {finding['test_id']} "
            f"{finding['issue_severity']}: {finding['issue_text']}"
        )
    scanned = report.get("metrics", {}).get("_totals", {}).get("loc", 0)
    print(
        f"bandit: {scanned} lines of backend/, {explained} medium+ finding(s) explained inline, "
        f"{len(unexplained)} unexplained"
    )
    for entry in unexplained:
        print(entry)
    return not unexplained and done.returncode in (0, 1)


def _pip_audit(
    requirements: Path, *extra: str, timeout_s: float = TOOL_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    return _run(
        [
            str(BIN / "pip-audit"),
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            *extra,
        ],
        timeout_s=timeout_s,
    )


def _vulnerable(output: str) -> list[tuple[str, str, str]]:
    try:
        report = json.loads(output)
    except json.JSONDecodeError:
        return []
    return [
        (dependency["name"], dependency.get("version", "?"), vulnerability["id"])
        for dependency in report.get("dependencies", [])
        for vulnerability in dependency.get("vulns", [])
    ]


def pip_audit() -> bool:
    with tempfile.TemporaryDirectory() as folder:
        canary = Path(folder) / "canary.txt"
        canary.write_text(CANARY_REQUIREMENT + "\n")
        try:
            canary_output = _pip_audit(canary, timeout_s=PROBE_TIMEOUT_S).stdout
        except subprocess.TimeoutExpired:
            canary_output = ""
        if not _vulnerable(canary_output):
            print(
                f"note: pip-audit skipped: PyPI's per-release vulnerability data is not reachable "
                f"from here (the canary {CANARY_REQUIREMENT}, which has published advisories, "
                "came back unknown or clean)"
            )
            return True
    done = _pip_audit(LOCK_FILE, "--strict")
    found = _vulnerable(done.stdout)
    pinned = sum(1 for line in LOCK_FILE.read_text().splitlines() if "==" in line)
    print(f"pip-audit: {pinned} pinned packages in requirements.lock, {len(found)} advisories")
    for name, version, advisory in found:
        print(f"  {name} {version}: {advisory}")
    if done.returncode != 0 and not found:
        print(done.stderr[-2000:])
    return done.returncode == 0


def npm_audit() -> bool:
    if not (FRONTEND / "package-lock.json").exists():
        print("note: npm audit skipped: frontend/package-lock.json is missing")
        return True
    try:
        ping = _run(["npm", "ping"], cwd=FRONTEND, timeout_s=PROBE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"note: npm audit skipped: npm is not usable here ({exc})")
        return True
    if ping.returncode != 0:
        print("note: npm audit skipped: the npm registry does not answer from here")
        return True
    try:
        done = _run(["npm", "audit", "--omit=dev", "--json"], cwd=FRONTEND)
    except subprocess.TimeoutExpired:
        print("note: npm audit skipped: the registry's audit endpoint did not answer in time")
        return True
    report = json.loads(done.stdout or "{}")
    counts = report.get("metadata", {}).get("vulnerabilities", {})
    print(
        "npm audit (runtime dependencies): "
        + ", ".join(
            f"{counts.get(level, 0)} {level}"
            for level in ("critical", "high", "moderate", "low", "info")
        )
    )
    failing: list[str] = []
    for name, entry in report.get("vulnerabilities", {}).items():
        for source in entry.get("via", []):
            if not isinstance(source, dict):
                continue
            advisory = str(source.get("url", "")).rsplit("/", 1)[-1]
            line = f"  {name}: {source.get('severity')} {advisory} {source.get('title', '')}"
            if advisory in EXPLAINED_NPM_ADVISORIES:
                print(f"{line} (explained: {EXPLAINED_NPM_ADVISORIES[advisory]})")
            elif source.get("severity") in ("high", "critical"):
                failing.append(line)
            else:
                print(line)
    for line in failing:
        print(line + " (unexplained)")
    return not failing


TOOLS: dict[str, Callable[[], bool]] = {
    "bandit": bandit,
    "pip-audit": pip_audit,
    "npm-audit": npm_audit,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("tools", nargs="*", help=f"any of {', '.join(TOOLS)} (default: all)")
    arguments = parser.parse_args(argv)
    unknown = set(arguments.tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tool(s): {', '.join(sorted(unknown))}")
    results = {name: TOOLS[name]() for name in arguments.tools or TOOLS}
    failed = [name for name, passed in results.items() if not passed]
    if failed:
        print(f"security scan failed: {', '.join(failed)}")
        return 1
    print(f"security scan passed: {', '.join(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
