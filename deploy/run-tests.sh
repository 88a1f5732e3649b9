#!/usr/bin/env bash
# The test command: installs what is missing, then runs every tier (unit, integration, e2e, golden).
# The integration tiers start their own real Kafka broker (tests/conftest.py); nothing is skipped.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash deploy/bootstrap.sh
exec .venv/bin/python -m pytest "$@"
