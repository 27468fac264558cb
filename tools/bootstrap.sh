# Sourced by run_all.sh and run_tests.sh — or by you, to activate kdnb's environment in your shell
# (`source tools/bootstrap.sh`): create or reuse the local virtual environment and install kdnb into it.
# Re-installs only when pyproject.toml changes (a stamp file in the venv records what was installed).
# The work runs in a subshell with `set -euo pipefail`, so sourcing this file leaves your shell's options as
# they were; only PATH and a few variables are exported.
KDNB_VENV="${KDNB_VENV:-.venv}"
_kdnb_setup() (
  set -euo pipefail
  if [ ! -x "$KDNB_VENV/bin/python" ]; then
    echo "kdnb: creating virtual environment $KDNB_VENV" >&2
    "${PYTHON:-python3}" -m venv "$KDNB_VENV"
  fi
  stamp="$KDNB_VENV/.kdnb-installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "kdnb: installing kdnb and its pinned dependencies into $KDNB_VENV (first run: a few minutes)" >&2
    "$KDNB_VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    "$KDNB_VENV/bin/python" -m pip install --quiet -e .
    # Notebooks name the kernel `python3`; make it this venv's interpreter.
    "$KDNB_VENV/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (kdnb)" >/dev/null
    rm -f "$KDNB_VENV"/.kdnb-installed-* && touch "$stamp"
  fi
  # The OpenGL shader source (paper A) renders through EGL; Debian-like machines without it get Mesa's, if we may.
  if ! ldconfig -p 2>/dev/null | grep -q 'libEGL.so.1'; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "kdnb: installing Mesa's EGL (libegl1 libgl1-mesa-dri) for the shader source" >&2
      (apt-get update -qq && apt-get install -y -qq libegl1 libgl1-mesa-dri) >/dev/null 2>&1 \
        || echo "kdnb: could not install libegl1/libgl1-mesa-dri; the shader source will say what to install" >&2
    fi
  fi
)
if ! _kdnb_setup; then
  echo "kdnb: setting up $KDNB_VENV failed (see above)" >&2
  unset -f _kdnb_setup
  return 1 2>/dev/null || exit 1
fi
unset -f _kdnb_setup
export PATH="$PWD/$KDNB_VENV/bin:$PATH"
# One spinning OpenMP team per process slows a shared 2-core machine several-fold.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" MPLBACKEND="${MPLBACKEND:-Agg}" PYTHONHASHSEED=0
