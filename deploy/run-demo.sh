#!/usr/bin/env bash
# The main job on a fresh machine: install, start a local Kafka broker and the worker,
# feed the bundled sample feed, print the summary (and where /metrics and the status page are).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash deploy/bootstrap.sh
exec .venv/bin/wirestream demo "$@"
