"""Dockerfiles pass hadolint and build what the deployment runs; the SPA's nginx configuration
is run by a real nginx against a local upstream: SPA fallback, caching, /api and /ws proxying."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.infrastructure.support import DOCKER, REPO, load_yaml_file, run, tool

DOCKERFILES = ("backend.Dockerfile", "frontend.Dockerfile")
RUNTIME_UID = 10001


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_hadolint_is_clean(dockerfile: str) -> None:
    result = run([tool("hadolint"), "--failure-threshold", "style", DOCKER / dockerfile])
    assert result.returncode == 0, result.stdout + result.stderr


def _stages(dockerfile: str) -> list[str]:
    text = (DOCKER / dockerfile).read_text()
    return re.split(r"(?m)^FROM ", text)[1:]


def test_backend_image_is_multi_stage_slim_and_non_root() -> None:
    stages = _stages("backend.Dockerfile")
    assert len(stages) == 2
    runtime = stages[-1]
    assert runtime.startswith("python:3.11")
    assert "-slim" in runtime.splitlines()[0]
    assert re.search(rf"^USER {RUNTIME_UID}:{RUNTIME_UID}$", runtime, re.MULTILINE)
    assert 'ENTRYPOINT ["imagineai"]' in runtime
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    assert "apt-get" not in runtime, "the runtime stage installs no system packages"


def test_backend_image_carries_the_packaged_models() -> None:
    """ONNX models ship as package data of backend/, which `pip install .` copies."""
    builder = _stages("backend.Dockerfile")[0]
    assert "COPY backend ./backend" in builder
    assert "pip install --no-deps ." in builder
    package_data = (REPO / "pyproject.toml").read_text()
    assert '"*.onnx"' in package_data
    ignore = (DOCKER / "backend.Dockerfile.dockerignore").read_text().splitlines()
    assert "!backend/" in ignore
    assert "!pyproject.toml" in ignore


def test_frontend_image_serves_the_angular_build_output() -> None:
    angular = json.loads((REPO / "frontend" / "angular.json").read_text())
    project = next(iter(angular["projects"].values()))
    output = project["architect"]["build"]["options"]["outputPath"]
    browser_dir = (
        Path(output["base"]) / output["browser"] if output["browser"] else Path(output["base"])
    )
    stages = _stages("frontend.Dockerfile")
    assert (
        f"COPY --from=build /src/frontend/{browser_dir.as_posix()}/ /usr/share/nginx/html/"
        in stages[-1]
    )
    assert "RUN npm ci" in stages[0]
    assert "RUN npm run build" in stages[0]
    assert re.search(r"^USER 101:101$", stages[-1], re.MULTILINE)


def test_kubernetes_runs_the_images_as_their_users() -> None:
    deployment = load_yaml_file(REPO / "infrastructure/k8s/base/fastapi/deployment.yaml")
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == RUNTIME_UID


# --- nginx ------------------------------------------------------------------------------------


@dataclass
class Upstream:
    """Stands in for the API: answers every request and records what nginx forwarded."""

    port: int
    requests: list[dict[str, str]] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    record = Upstream(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            record.requests.append(
                {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
            )
            body = json.dumps({"status": "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield record
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def nginx_url(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx with the image's template as its entrypoint would render it (envsubst of
    API_UPSTREAM), listening on a free loopback port instead of 4200."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("nginx is not installed: .ci/run installs Debian's nginx-light")
    prefix = tmp_path_factory.mktemp("nginx")
    html = prefix / "html"
    html.mkdir()
    (html / "index.html").write_text("<!doctype html><title>ImagineAI</title><app-root></app-root>")
    (html / "config.json").write_text('{"apiBaseUrl": "", "wsUrl": ""}')
    (html / "main-ABC123.js").write_text("console.log('app');")
    port = _free_port()
    template = (DOCKER / "nginx" / "default.conf.template").read_text()
    server = (
        template.replace("${API_UPSTREAM}", f"127.0.0.1:{upstream.port}")
        .replace("listen 4200;", f"listen 127.0.0.1:{port};")
        .replace("listen [::]:4200;", "")
        .replace("/usr/share/nginx/html", str(html))
        .replace(
            "/etc/nginx/snippets/security-headers.conf",
            str(DOCKER / "nginx" / "security-headers.conf"),
        )
    )
    assert "${" not in server
    (prefix / "server.conf").write_text(server)
    # Started as root (CI), nginx's workers would drop to "nobody", who cannot read tmp_path.
    user = "user root;" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/server.conf;
}}
"""
    )
    config_check = run([binary, "-t", "-p", prefix, "-c", prefix / "nginx.conf"])
    assert config_check.returncode == 0, config_check.stderr
    process = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_nginx_serves_the_app_shell_with_security_headers(nginx_url: str) -> None:
    status, headers, body = _get(nginx_url + "/")
    assert status == 200
    assert b"<app-root>" in body
    assert headers["cache-control"] == "no-cache"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_nginx_falls_back_to_the_app_shell_for_client_routes(nginx_url: str) -> None:
    status, _, body = _get(nginx_url + "/products/42/images")
    assert status == 200
    assert b"<app-root>" in body


def test_nginx_caches_hashed_bundles_and_keeps_every_header(nginx_url: str) -> None:
    status, headers, _ = _get(nginx_url + "/main-ABC123.js")
    assert status == 200
    assert "immutable" in headers["cache-control"]
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, _ = _get(nginx_url + "/config.json")
    assert status == 200
    assert headers["cache-control"] == "no-cache"
    missing, _, _ = _get(nginx_url + "/chunk-MISSING.js")
    assert missing == 404


def test_nginx_proxies_the_api(nginx_url: str, upstream: Upstream) -> None:
    status, _, body = _get(nginx_url + "/api/v1/health")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}
    forwarded = upstream.requests[-1]
    assert forwarded["path"] == "/api/v1/health"
    assert forwarded["x-forwarded-proto"] == "http"
    assert forwarded["x-request-id"]


def test_nginx_upgrades_websockets_to_the_api(nginx_url: str, upstream: Upstream) -> None:
    _get(nginx_url + "/ws?token=abc", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    forwarded = upstream.requests[-1]
    assert forwarded["path"] == "/ws?token=abc"
    assert forwarded["upgrade"] == "websocket"
    assert forwarded["connection"].lower() == "upgrade"
