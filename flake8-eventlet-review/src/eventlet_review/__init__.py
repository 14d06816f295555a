"""eventlet-review for Python tools: the flake8 plugin and the console script.

Both run the bundled analyzer (a single JavaScript file and two wasm files in ``_bundle/``) with Node.js.
"""

import os


def _bundled_version():
    # scripts/bundle.ts writes it from package.json, the one place the version is set.
    try:
        with open(os.path.join(os.path.dirname(__file__), "_bundle", "VERSION"), encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return "0+unbundled"


__version__ = _bundled_version()
