#!/usr/bin/env bash
# Starts the real platform on embedded defaults for the end-to-end tests: `imagineai up` in a
# fresh data folder, serving the API and the built SPA (same origin, as `make run` does), on
# ports of its own so a `make run` on the usual ports is left alone.
set -euo pipefail
frontend="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$frontend/.." && pwd)"
var_dir="$frontend/test-results/e2e-var"
rm -rf "$var_dir"
mkdir -p "$var_dir"

web_port="${E2E_WEB_PORT:-4310}"
export IMAGINEAI_VAR_DIR="$var_dir"
export IMAGINEAI_LOG_LEVEL="${E2E_LOG_LEVEL:-WARNING}"
export IMAGINEAI_API_HOST=127.0.0.1
export IMAGINEAI_API_PORT="${E2E_API_PORT:-8765}"
export IMAGINEAI_ADMIN_PORT="${E2E_ADMIN_PORT:-8766}"
export IMAGINEAI_FRONTEND_PORT="$web_port"
export IMAGINEAI_FRONTEND_DIST_DIR="$frontend/dist"
# Signed upload URLs point at the origin the browser uses, so uploads stay same-origin.
export IMAGINEAI_PUBLIC_BASE_URL="http://127.0.0.1:$web_port"
export IMAGINEAI_CORS_ORIGINS="http://127.0.0.1:$web_port,http://localhost:$web_port"
# The webhook and URL-import tests run their receivers and image servers on this machine:
# allow loopback (and plain http) for them only; every other private address stays refused.
export IMAGINEAI_WEBHOOK_REQUIRE_HTTPS=false
export IMAGINEAI_WEBHOOK_ALLOWED_NETWORKS=127.0.0.1/32
export IMAGINEAI_WEBHOOK_RETRY_BASE_SECONDS=1
export IMAGINEAI_IMPORT_ALLOWED_NETWORKS=127.0.0.1/32

cd "$repo"
exec "$repo/.venv/bin/imagineai" up
