# The ledger's processes (relay, projector, CLI, API) for docker-compose.yml.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY contracts contracts
COPY projections projections
COPY consumers consumers
COPY infra infra
COPY api api
RUN pip install --no-cache-dir .
ENTRYPOINT ["ledger"]
