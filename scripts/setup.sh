#!/usr/bin/env bash
# Set up pagekeep in ./.venv: Python packages, then a Chromium (found or installed).
# Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for cand in python3.13 python3.12 python3.11 python3.10 python3; do
    if "$cand" -c "import sys; sys.exit(sys.version_info < (3, 10))" >/dev/null 2>&1; then
      PY=$cand; break
    fi
  done
fi
[ -n "$PY" ] || { echo "setup: need Python 3.10 or newer (python3 not found)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating virtualenv .venv with $($PY --version)"
  "$PY" -m venv .venv
fi

extras=${PAGEKEEP_EXTRAS:-test,bench,cluster}
stamp=".venv/.pagekeep-installed-$(cat pyproject.toml | cksum | cut -d' ' -f1)-${extras//,/-}"
if [ ! -f "$stamp" ]; then
  echo "setup: installing pagekeep and its pinned dependencies ($extras); log in .venv/pip-install.log"
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".[${extras}]"; } \
      > .venv/pip-install.log 2>&1; then
    tail -n 25 .venv/pip-install.log >&2
    echo "setup: pip install failed (full log: .venv/pip-install.log)" >&2
    exit 1
  fi
  rm -f .venv/.pagekeep-installed-*
  touch "$stamp"
else
  echo "setup: packages already installed"
fi

.venv/bin/pagekeep browser --install

# ReplayWeb.page (AGPL-3.0) for replaying archived pages in Datasette: fetched from the npm
# registry at a pinned version and checked against its integrity hash, never committed.
# Without it everything else works; archived pages can still be downloaded as WACZ.
.venv/bin/python -m annotations.replay_assets \
  || echo "setup: ReplayWeb.page not fetched; archived pages can be downloaded but not replayed in Datasette" >&2
