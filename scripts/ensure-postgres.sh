#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at DATABASE_URL's host (default 127.0.0.1:5432):
# starts the local cluster if it is down, installs one from Debian if none exists.
set -euo pipefail

host=${PGHOST_CHECK:-127.0.0.1}
port=${PGPORT_CHECK:-5432}

ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }

if command -v pg_isready >/dev/null && ready; then
  exit 0
fi

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  echo "ensure-postgres: no PostgreSQL cluster found; installing one from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  # Development machine only: trust local TCP connections, as the brief's machines do.
  sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
fi

version=$(ls /etc/postgresql | sort -V | tail -n1)
echo "ensure-postgres: starting PostgreSQL $version" >&2
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true

for _ in $(seq 1 60); do
  ready && exit 0
  sleep 0.5
done
echo "ensure-postgres: PostgreSQL did not become ready at $host:$port" >&2
exit 1
