#!/usr/bin/env bash
# Set up Backprop Lab on a Debian/Ubuntu machine, then open the notebooks (lab) or run the tests (test).
#   bash scripts/dev.sh lab     venv + packages + graphviz, then JupyterLab at notebooks/00_start_here.ipynb
#   bash scripts/dev.sh test    venv + packages + graphviz + test tools, then the whole test suite
#   bash scripts/dev.sh setup   only the set-up
#   bash scripts/dev.sh lite    venv + packages + npm, then build the JupyterLite site into _site/
#                               (extra arguments go to scripts/build_lite.py, e.g. --packages DIR)
# Extra arguments go to `jupyter lab` (lab) or to pytest (test), e.g. `bash scripts/dev.sh test tests/e2e -x`.
# BACKPROP_LAB_VENV=/path chooses the virtual environment (default: .venv in the repository).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="${BACKPROP_LAB_VENV:-$ROOT/.venv}"
mode="${1:-lab}"
shift || true

say() { printf '\033[1m[backprop-lab]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[backprop-lab] %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1; fi
}

apt_install() {  # install Debian packages that are missing; say exactly what to do if we cannot
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if command -v apt-get >/dev/null 2>&1; then
    say "installing with apt-get: ${missing[*]}"
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
       && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then
      return 0
    fi
  fi
  return 1
}

find_python() {
  for py in python3.13 python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$py"; return 0
    fi
  done
  return 1
}

setup() {
  local extras="$1"
  if ! command -v dot >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi dejavu; then
    apt_install graphviz fonts-dejavu-core || true
  fi
  command -v dot >/dev/null 2>&1 || die "graphviz's 'dot' program is missing and could not be installed here.
  Debian/Ubuntu: sudo apt-get install graphviz fonts-dejavu-core
  macOS:         brew install graphviz
  conda:         conda install -c conda-forge graphviz
Then run this command again."
  local py
  py=$(find_python) || die "Python 3.11 or newer is needed (Debian/Ubuntu: sudo apt-get install python3 python3-venv)."
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtual environment $VENV"
    "$py" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && "$py" -m venv "$VENV"; } \
      || die "could not create a virtual environment: sudo apt-get install python3-venv, then run this again."
  fi
  say "installing Python packages (.[${extras}])"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[${extras}]"
  "$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null 2>&1 || true
}

case "$mode" in
  lab)
    setup lab
    # Silence JupyterLab's "Jupyter news" pop-up (it covers the widgets), as binder/postBuild does: a
    # settings override inside the virtual environment, so nothing is written to your home folder.
    settings="$VENV/share/jupyter/lab/settings"
    if [ ! -e "$settings/overrides.json" ]; then
      mkdir -p "$settings"
      printf '%s\n' '{' '  "@jupyterlab/apputils-extension:notification": {' \
        '    "fetchNews": "false",' '    "checkForUpdates": false' '  }' '}' > "$settings/overrides.json"
    fi
    say "opening JupyterLab at notebooks/00_start_here.ipynb (Ctrl+C to stop)"
    extra=()
    [ "$(id -u)" = 0 ] && extra+=(--allow-root)
    exec "$VENV/bin/jupyter" lab "${extra[@]}" "$@" notebooks/00_start_here.ipynb
    ;;
  test)
    setup test
    # The JupyterLite site is built in a venv of its own: jupyterlite's JupyterLab extension must not
    # load into the JupyterLab the other browser tests drive (it fails there: no @jupyterlite/services).
    LITE_VENV="$VENV-lite"
    if [ ! -x "$LITE_VENV/bin/python" ]; then "$(find_python)" -m venv "$LITE_VENV"; fi
    if "$LITE_VENV/bin/python" -m pip install -q --upgrade pip && "$LITE_VENV/bin/python" -m pip install -q ".[lite]"; then
      export BACKPROP_LAB_LITE_PYTHON="$LITE_VENV/bin/python"
    else
      say "the lite extra is not installable here: the JupyterLite test will skip"
    fi
    # torch is a test-only oracle; this exact version is a CPU build (other spellings download GBs).
    "$VENV/bin/python" -m pip install -q torch==2.13.0 || say "torch==2.13.0 not installable here: oracle tests will skip"
    # The browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
    if ! command -v chromium >/dev/null 2>&1; then
      apt_install chromium chromium-driver \
        || { [ "${CI:-}" = true ] && die "chromium is needed in CI: apt-get install -y chromium chromium-driver"; } \
        || say "chromium not installed: browser tests will skip (outside CI)"
    fi
    say "python: $("$VENV/bin/python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    # Lint and tests both run; a lint failure fails the command after the tests have reported.
    lint=0
    "$VENV/bin/ruff" check . || lint=$?
    tests=0
    "$VENV/bin/python" -m pytest "$@" || tests=$?
    [ "$lint" = 0 ] || say "ruff check failed (see above)"
    [ "$tests" = 0 ] || exit "$tests"  # pytest's own code: 1 failures, 5 no tests collected, ...
    exit "$lint"
    ;;
  setup)
    setup "lab,test"
    ;;
  lite)
    # its own venv: jupyterlite's JupyterLab extension would break the JupyterLab of `dev.sh lab`
    VENV="$VENV-lite"
    setup "lite"
    command -v npm >/dev/null 2>&1 || apt_install npm \
      || die "npm is needed to fetch viz.js and Pyodide: sudo apt-get install npm"
    exec "$VENV/bin/python" scripts/build_lite.py "$@"
    ;;
  *)
    die "usage: bash scripts/dev.sh lab|test|setup|lite [extra arguments for jupyter lab / pytest]"
    ;;
esac
