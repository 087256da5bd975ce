# One image per service, built from the workspace lock: docker build --build-arg SERVICE=parse .
FROM python:3.11-slim AS service
ARG SERVICE
RUN pip install --no-cache-dir "uv>=0.9,<0.14" && useradd --create-home --uid 10001 findings
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY shared shared
COPY services services
COPY cli cli
RUN uv sync --frozen --no-dev --package "findings-${SERVICE}" \
    && chown -R findings /app
ENV PATH="/app/.venv/bin:$PATH" SERVICE_MODULE="findings_${SERVICE}"
USER findings
CMD ["sh", "-c", "exec python -m \"$SERVICE_MODULE\""]
