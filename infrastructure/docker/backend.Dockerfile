# syntax=docker/dockerfile:1.7
# One backend image for every role; the command picks it:
#   api | admin | worker | beat | db upgrade   (see `imagineai --help`)
# Build from the repository root:
#   docker build -f infrastructure/docker/backend.Dockerfile -t imagineai-backend .
# The ONNX models and their manifest live in backend/ml/models as package data, so
# `pip install .` bakes them into the image: nothing is downloaded when a container starts.

FROM python:3.11.14-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies first, from pyproject.toml and requirements.lock (the versions `make test` passed
# with), so a code change does not reinstall them.
COPY pyproject.toml README.md requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --requirement /tmp/requirements.txt --constraint requirements.lock
COPY backend ./backend
RUN pip install --no-deps . \
    && imagineai --version

# Same base as the builder, so the venv's interpreter path and ABI match.
FROM python:3.11.14-slim-bookworm AS runtime
#checkov:skip=CKV_DOCKER_2:one image runs five roles; each runtime (compose healthcheck, Kubernetes probes) checks its own role
LABEL org.opencontainers.image.title="imagineai-backend" \
      org.opencontainers.image.description="ImagineAI API, admin, Celery worker and beat" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    IMAGINEAI_VAR_DIR=/var/lib/imagineai \
    IMAGINEAI_API_HOST=0.0.0.0 \
    IMAGINEAI_LOG_JSON=true
RUN groupadd --system --gid 10001 imagineai \
    && useradd --system --uid 10001 --gid imagineai --home-dir /var/lib/imagineai --no-create-home --shell /usr/sbin/nologin imagineai \
    && install --directory --owner=imagineai --group=imagineai --mode=0750 /var/lib/imagineai
COPY --from=builder /opt/venv /opt/venv
WORKDIR /var/lib/imagineai
USER 10001:10001
EXPOSE 8000 8001
ENTRYPOINT ["imagineai"]
CMD ["api"]
