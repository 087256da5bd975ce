# One image per service, built from the workspace lock:
#   docker build --build-arg SERVICE=parse -t findings-parse .
# PYTHON_IMAGE: any Debian-based image with Python 3.11 and venv (python:3.11-slim by
# default; deploy/local-images builds one where no registry is reachable).
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ARG UV_VERSION=0.13.9
ENV UV_NO_CACHE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN python3 -m venv /opt/uv && /opt/uv/bin/pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY shared shared
COPY services services
COPY cli cli
# Only this service and shared, at the versions the lock pins; no sources left behind.
RUN test -n "${SERVICE}" \
    && /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package "findings-${SERVICE}"

FROM ${PYTHON_IMAGE} AS service
ARG SERVICE
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin findings \
    && printf '#!/bin/sh\nexec python -m findings_%s "$@"\n' "${SERVICE}" \
        > /usr/local/bin/findings-service \
    && printf '#!/bin/sh\nexec python -m findings_shared.healthcheck %s\n' "${SERVICE}" \
        > /usr/local/bin/findings-healthcheck \
    && chmod 755 /usr/local/bin/findings-service /usr/local/bin/findings-healthcheck
COPY --from=build /app/.venv /app/.venv
# Listen on every interface inside the container; each service reads only its own names.
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    FINDINGS_API_HOST=0.0.0.0 FINDINGS_API_PORT=8000 \
    FINDINGS_INGEST_HEALTH_HOST=0.0.0.0 FINDINGS_INGEST_HEALTH_PORT=8080 \
    FINDINGS_PARSE_HEALTH_HOST=0.0.0.0 FINDINGS_PARSE_HEALTH_PORT=8080 \
    FINDINGS_STORE_HEALTH_HOST=0.0.0.0 FINDINGS_STORE_HEALTH_PORT=8080
USER 10001
EXPOSE 8000 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["findings-healthcheck"]
# `docker run IMAGE migrate` (ingest, store): apply the schema migrations and exit.
ENTRYPOINT ["findings-service"]
