# The ledger's processes (relay, projector, CLI, API) for docker-compose.yml.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY domain domain
COPY contracts contracts
COPY projections projections
COPY consumers consumers
COPY infra infra
COPY api api
COPY cli cli
RUN pip install --no-cache-dir -c constraints.txt .
ENTRYPOINT ["ledger"]
