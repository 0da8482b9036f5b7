#!/usr/bin/env bash
# Set up, capture the bundled example pages (served on loopback, no internet
# needed) into demo/pagekeep.db, then browse them in Datasette.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/python scripts/demo.py "$@"
