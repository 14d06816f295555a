#!/usr/bin/env bash
# The Python side end to end: build the wheel, install it into a fresh venv that sees only Debian's
# flake8 and hacking (system site packages), and run flake8-eventlet-review/tests/ there.
# Needs Debian's flake8, python3-hacking, python3-venv, python3-build, python3-setuptools, python3-wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
if ! "$PYTHON" -c 'import build, flake8, venv' 2>/dev/null; then
  echo "test-python: $PYTHON lacks build, flake8 or venv (apt-get install flake8 python3-hacking python3-venv python3-build)" >&2
  exit 1
fi
PYTHONWARNINGS=ignore PYTHON=$PYTHON bash scripts/build-python.sh >/dev/null
venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "$venv")"' EXIT
"$PYTHON" -m venv --system-site-packages "$venv"
"$venv/bin/pip" install --quiet --no-index --no-deps dist-python/*.whl
"$venv/bin/python" -m unittest discover -s flake8-eventlet-review/tests -v
