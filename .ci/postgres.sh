#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages if needed, starts a cluster on 127.0.0.1:5432 and
# makes sure the test roles exist. Prints the admin URL tests use (LEDGER_TEST_POSTGRES_URL):
# that of `ledger_ci`, whose password is new on every run and too random to be an ordinary
# word, so the password sweep (tests/fixtures/password_sweep.py) finds it anywhere in the
# suite's output. The `ledger` role (password `ledger`) stays for developers' own runs.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  echo "installing PostgreSQL from Debian's packages..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -qx online; then
  pg_ctlcluster "$version" main start >&2
fi

for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done

runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 postgres >&2 <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger') THEN
    CREATE ROLE ledger LOGIN PASSWORD 'ledger' CREATEDB;
  END IF;
END $$;
SQL

password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v password="$password" postgres >&2 <<'SQL'
SELECT 'CREATE ROLE ledger_ci LOGIN CREATEDB'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger_ci') \gexec
ALTER ROLE ledger_ci PASSWORD :'password';
SQL

echo "postgresql://ledger_ci:${password}@127.0.0.1:5432/postgres"
