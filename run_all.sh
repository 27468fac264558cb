#!/usr/bin/env bash
# Regenerate every figure and table: execute each notebook headlessly with papermill at one scale.
#
#   ./run_all.sh                      # smoke scale: embedded data, CPU, a few minutes, no download
#   ./run_all.sh --scale lab --data-root ~/data
#   ./run_all.sh --scale paper --device cuda --only '*_B_*'
#
# Options: --scale smoke|lab|paper  --only GLOB  --device auto|cpu|cuda  --data-root DIR  --force  --list
# Executed notebooks go to notebooks/executed/<scale>/, figures and tables to figures/<scale>/.
# Resumable: a notebook whose inputs have not changed since it last succeeded is skipped, and every run inside
# a notebook is cached by a hash of its config and code (runs/), so a killed run_all.sh continues where it stopped.
set -euo pipefail
cd "$(dirname "$0")"
source tools/bootstrap.sh
exec python -m kdnb.cli "$@"
