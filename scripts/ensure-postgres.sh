#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the tests (sq-storage and the
# process tests run against it; SQ_TEST_POSTGRES_URL overrides the URL they use).
# If none answers, it starts the local cluster; if PostgreSQL is not installed, it installs the
# Debian package `postgresql` with apt-get (and nothing else), lets local TCP connections from
# 127.0.0.1 in without a password (trust, as on this project's machines) in the new cluster's
# pg_hba.conf, then starts it.
set -euo pipefail
url="${SQ_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if command -v pg_isready >/dev/null && ready; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null; then
  echo "ensure-postgres: installing the Debian package postgresql (apt-get)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  done
fi
echo "ensure-postgres: starting the local PostgreSQL cluster" >&2
for c in $(pg_lsclusters -h | awk '{print $1"/"$2}'); do pg_ctlcluster "${c%/*}" "${c#*/}" start || true; done
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "ensure-postgres: no PostgreSQL at 127.0.0.1:5432; start one or set SQ_TEST_POSTGRES_URL (now $url)" >&2
exit 1
