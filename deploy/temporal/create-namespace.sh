#!/bin/sh
# Creates the namespace the agent uses when it does not exist yet (7 days of retention); safe on every start.
# Used by docker-compose.yml (service temporal-namespace, in temporalio/admin-tools) and by `npm run drill:cluster`.
# Settings: TEMPORAL_ADDRESS, NAMESPACE, TEMPORAL_CLI (temporal).
set -eu
cli="${TEMPORAL_CLI:-temporal}"
"$cli" operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null
"$cli" operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1 \
  || "$cli" operator namespace create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" --retention 7d
