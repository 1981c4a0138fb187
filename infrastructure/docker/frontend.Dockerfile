# syntax=docker/dockerfile:1.7
# The Angular SPA, built once and served by an unprivileged nginx on :4200, which also
# proxies /api, /ws and /storage to the API so the browser stays same-origin.
# Build from the repository root:
#   docker build -f infrastructure/docker/frontend.Dockerfile -t imagineai-frontend .

FROM node:22.21.1-bookworm-slim AS build
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# angular.json writes the browser bundle straight into dist/ (outputPath base "dist", browser "").
RUN npm run build

FROM nginxinc/nginx-unprivileged:1.28.0-alpine3.21 AS runtime
#checkov:skip=CKV_DOCKER_2:Kubernetes probes and the compose healthcheck call GET / on :4200; a Dockerfile HEALTHCHECK is ignored by Kubernetes
LABEL org.opencontainers.image.title="imagineai-frontend" \
      org.opencontainers.image.description="ImagineAI single-page app behind nginx" \
      org.opencontainers.image.licenses="Apache-2.0"
# nginx's entrypoint renders templates with envsubst into /etc/nginx/conf.d at start.
ENV API_UPSTREAM=api:8000 \
    NGINX_ENVSUBST_FILTER=^API_UPSTREAM$
COPY infrastructure/docker/nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY infrastructure/docker/nginx/security-headers.conf /etc/nginx/snippets/security-headers.conf
COPY --from=build /src/frontend/dist/ /usr/share/nginx/html/
USER 101:101
EXPOSE 4200
