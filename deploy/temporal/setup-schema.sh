#!/bin/sh
# Creates or migrates Temporal's two PostgreSQL databases with temporal-sql-tool; safe on every start.
# Used by docker-compose.yml (service temporal-schema, in temporalio/admin-tools) and by `npm run drill:cluster`.
# Settings: SQL_HOST, SQL_PORT (5432), SQL_USER, SQL_PASSWORD, TEMPORAL_SCHEMA_DIR (the admin-tools image's
# /etc/temporal/schema), TEMPORAL_SQL_TOOL (temporal-sql-tool).
set -eu
: "${SQL_HOST:?set SQL_HOST}" "${SQL_USER:?set SQL_USER}"
schema_dir="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12"
tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
export SQL_PASSWORD="${SQL_PASSWORD:-}"
for db in temporal temporal_visibility; do
  schema=temporal
  [ "$db" = temporal_visibility ] && schema=visibility
  sql() { "$tool" --plugin postgres12 --ep "$SQL_HOST" -p "${SQL_PORT:-5432}" -u "$SQL_USER" --db "$db" "$@"; }
  # create fails harmlessly when the database exists; setup-schema -v 0.0 only once; update-schema must succeed.
  sql create >/dev/null 2>&1 || true
  sql setup-schema -v 0.0 >/dev/null 2>&1 || true
  sql update-schema -d "$schema_dir/$schema/versioned"
done
