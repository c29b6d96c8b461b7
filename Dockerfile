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
# The processes run unprivileged. They write only LEDGER_DATA_DIR (var/ under /app by default)
# and the API's tokens file (/var/lib/ledger, a volume in docker-compose.yml): both belong to
# that user, so a named volume mounted there starts with its ownership. The user is numeric so
# that an orchestrator's "run as non-root" check can verify it without reading /etc/passwd.
RUN groupadd --system --gid 10001 ledger \
    && useradd --system --uid 10001 --gid ledger --home-dir /app --no-create-home ledger \
    && mkdir -p /app/var /var/lib/ledger \
    && chown ledger:ledger /app/var /var/lib/ledger
USER 10001:10001
ENTRYPOINT ["ledger"]
