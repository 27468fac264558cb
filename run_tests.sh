#!/usr/bin/env bash
# The test command: unit tests, then every notebook at smoke scale under nbval (cells marked NBVAL_CHECK_OUTPUT
# are compared with their stored outputs; every other cell must run without error). notebooks/conftest.py keeps
# collection to the authored notebooks: not notebooks/executed/, not the jupytext sources notebooks/NN_*.py.
# Runs in a fresh cache, figure and executed-notebook folder, so nothing earlier is reused and the committed figures
# and executed lab notebooks are untouched.
set -euo pipefail
cd "$(dirname "$0")"
source tools/bootstrap.sh
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export KDNB_CACHE="$scratch/runs" KDNB_FIGURES="$scratch/figures" KDNB_EXECUTED="$scratch/executed" KDNB_PROGRESS=0
python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider "$@"
