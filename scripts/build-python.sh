#!/usr/bin/env bash
# Builds the Python distribution (wheel and sdist) of flake8-eventlet-review into dist-python/:
# bundles the analyzer into its package, then runs PEP 517's build offline (Debian's python3-build and
# python3-setuptools; no index is needed).
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=flake8-eventlet-review
rm -rf "$pkg/src/eventlet_review/_bundle" "$pkg/build" "$pkg"/src/*.egg-info dist-python
node --import tsx scripts/bundle.ts "$pkg/src/eventlet_review/_bundle"
"${PYTHON:-/usr/bin/python3}" -m build --no-isolation --outdir dist-python "$pkg" >/dev/null
ls dist-python
