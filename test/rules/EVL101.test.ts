import { monkeyPatchNotFirst } from "../../src/rules/EVL101-monkey-patch-not-first.js";
import {
  CONCURRENCY_REEXPORT,
  EVENTLET_UTILS,
  IMPORT_TIME_PATCH_MODULE,
  MODERN_PATCH_MODULE,
  UTILS_WITH_DECORATOR_HELPER,
  UTILS_WITH_PATCH_HELPER,
} from "../support/patch-modules.js";
import { ruleTester } from "../support/rule-tester.js";

ruleTester(monkeyPatchNotFirst, {
  valid: [
    `
    """Entry point."""
    # comment
    from __future__ import annotations
    import os
    import sys

    import eventlet
    eventlet.monkey_patch()

    import logging
    `,
    {
      name: "the spec's DISABLE_EVENTLET_PATCHING guard",
      code: `
      import os

      if not os.environ.get('DISABLE_EVENTLET_PATCHING'):
          import eventlet
          eventlet.monkey_patch()
      `,
    },
    {
      name: "nova's guard with a method call on the environment value",
      code: `
      import os
      DEBUG = 'pydevd' in sys.modules
      if (os.environ.get('OS_NOVA_DISABLE_EVENTLET_PATCHING', '').lower()
              not in ('1', 'true', 'yes')):
          import eventlet as ev
          ev.patcher.monkey_patch()
      `,
    },
    {
      name: "a patch inside a function is for its callers to order",
      code: `
      import logging

      def patch():
          import eventlet
          eventlet.monkey_patch()
      `,
    },
    {
      name: "eventlet calls and defs before the patch",
      code: `
      import eventlet
      import eventlet.hubs
      eventlet.hubs.use_hub('poll')

      def helper():
          return 1

      class Thing:
          pass

      eventlet.monkey_patch()
      `,
    },
    {
      name: "other branches of an if do not run before the patch",
      code: `
      import os
      import eventlet
      if os.name == 'nt':
          eventlet.monkey_patch(os=False)
      else:
          eventlet.monkey_patch()
      `,
    },
    {
      name: "an earlier if on the complementary switch does not run before the patch",
      code: `
      import os

      THREADED = os.environ.get('SVC_THREADED') == '1'
      if THREADED:
          from oslo_service import backend
          backend.init_backend(backend.BackendType.THREADING)
      if not THREADED:
          import eventlet
          eventlet.monkey_patch()
      `,
    },
    {
      name: "a Windows-only if does not run before the patch of the other platforms",
      code: `
      import os

      if os.name == 'nt':
          import win_helpers
          win_helpers.setup()
      if os.name != 'nt':
          import eventlet
          eventlet.monkey_patch()
      `,
    },
    {
      name: "a parent package that only has a docstring",
      path: "pkg/cmd/__init__.py",
      files: { "pkg/__init__.py": '"""The package."""\n' },
      code: "import eventlet\neventlet.monkey_patch()\n",
    },
    {
      name: "a parent package that patches itself first",
      path: "pkg/tests/__init__.py",
      files: { "pkg/__init__.py": "import eventlet\neventlet.monkey_patch()\nimport logging\n" },
      code: "import eventlet\neventlet.monkey_patch()\n",
    },
  ],
  invalid: [
    {
      name: "cinder/cmd/backup.py shape: logging imported before the patch",
      code: `
      """Starter script."""

      import logging as python_logging
      import shlex
      import sys

      import eventlet
      eventlet.monkey_patch()
      `,
      errors: [{ line: 8, column: 1, endColumn: 24, message: "runs after import logging (line 3)", related: [3, 4] }],
    },
    {
      name: "an earlier if on another switch runs before the patch",
      code: `
      import os

      if os.environ.get('SVC_PROFILE'):
          import cProfile
      if not os.environ.get('SVC_NO_EVENTLET'):
          import eventlet
          eventlet.monkey_patch()
      `,
      errors: [{ line: 7, message: "runs after import cProfile (line 4)", related: [4] }],
    },
    {
      name: "an earlier if on the same switch, rebound in between, runs before the patch",
      code: `
      import os

      threaded = os.environ.get('SVC_THREADED') == '1'
      if threaded:
          import threading_setup
          threaded = False
      if not threaded:
          import eventlet
          eventlet.monkey_patch()
      `,
      errors: [{ line: 9, message: "runs after import threading_setup (line 5)" }],
    },
    {
      name: "a call before the patch",
      code: `
      import eventlet
      setup_logging()
      eventlet.monkey_patch()
      `,
      errors: [{ line: 3, message: "call to setup_logging()", related: [2] }],
    },
    {
      name: "aliases: from eventlet import monkey_patch as mp",
      code: `
      from oslo_log import log
      from eventlet import monkey_patch as mp
      mp()
      `,
      errors: [{ line: 3, message: "from oslo_log import", related: [1] }],
    },
    {
      name: "code inside the guard before the patch",
      code: `
      import os
      if not os.environ.get('X'):
          import threading
          import eventlet
          eventlet.monkey_patch()
      `,
      errors: [{ line: 5, message: "import threading", related: [3] }],
    },
    {
      name: "a guard that calls project code",
      code: `
      import os
      from pkg import debugger
      import eventlet
      if not debugger.enabled():
          eventlet.monkey_patch()
      `,
      errors: [{ line: 5, related: [2, 4] }],
    },
    {
      name: "an assignment whose value calls something",
      code: `
      import os
      VERSION = pbr_version()
      import eventlet
      eventlet.monkey_patch()
      `,
      errors: [{ line: 4, related: [2] }],
    },
    {
      name: "a parent package __init__ runs code first",
      path: "pkg/cmd/__init__.py",
      files: { "pkg/__init__.py": '"""Pkg."""\nimport gettext\n\ngettext.install("pkg")\n' },
      code: "import eventlet\neventlet.monkey_patch()\n",
      errors: [{ line: 2, message: "pkg/__init__.py runs import gettext (line 2)" }],
    },
  ],
});

ruleTester(monkeyPatchNotFirst, {
  valid: [],
  invalid: [
    {
      name: "both branches of an if share one cause: reported once",
      code: `
      import logging
      import os
      import eventlet
      if os.name == 'nt':
          eventlet.monkey_patch(os=False)
      else:
          eventlet.monkey_patch()
      `,
      errors: [{ line: 5, related: [1] }],
    },
  ],
});

// Boundaries found on real code (docs/accuracy.md).
ruleTester(monkeyPatchNotFirst, {
  valid: [
    {
      name: "a library's tests package after the library's own re-exports (oslo.messaging shape)",
      path: "mylib/tests/__init__.py",
      files: { "mylib/__init__.py": "from .client import *\nfrom .server import *\nfrom mylib import target\n" },
      code: "import eventlet\neventlet.monkey_patch()\n",
    },
    {
      name: "environment writes before the patch (cinder/__init__.py shape)",
      path: "pkg/cmd/__init__.py",
      files: { "pkg/__init__.py": "import os\nos.environ['EVENTLET_NO_GREENDNS'] = 'yes'\nimport eventlet  # noqa\n" },
      code: "import eventlet\neventlet.monkey_patch()\n",
    },
    {
      name: "a parent that imports the patch module patches first",
      path: "pkg/tests/functional/__init__.py",
      files: { "pkg/tests/__init__.py": "import pkg.monkey_patch  # noqa\nimport fixtures\n" },
      code: "import eventlet\neventlet.monkey_patch()\n",
    },
    {
      name: "a Windows-only patch branch does not run before the other",
      code: "import os\nimport eventlet\nif os.name == 'nt':\n    eventlet.monkey_patch(os=False)\nelse:\n    eventlet.monkey_patch()\n",
    },
  ],
  invalid: [
    {
      name: "a library's entry point after its re-exports is still late",
      path: "mylib/cmd/serve.py",
      files: { "mylib/__init__.py": "from .server import *\n" },
      code: "import eventlet\neventlet.monkey_patch()\n",
      errors: [{ line: 2, message: "mylib/__init__.py runs from .server import" }],
    },
    {
      name: "a tests package after a parent that imports third-party code",
      path: "mylib/tests/__init__.py",
      files: { "mylib/__init__.py": "from .server import *\nimport requests\n" },
      code: "import eventlet\neventlet.monkey_patch()\n",
      errors: [{ line: 2, related: [1, 2] }],
    },
    {
      name: "a tests package after test code that runs first",
      path: "mylib/tests/unit/__init__.py",
      files: { "mylib/__init__.py": "", "mylib/tests/__init__.py": "from mylib.tests import base\n" },
      code: "import eventlet\neventlet.monkey_patch()\n",
      errors: [{ line: 2, message: "mylib/tests/__init__.py runs" }],
    },
    {
      name: "alias: eventlet.patcher.monkey_patch after a call",
      code: "import eventlet\nconfigure()\neventlet.patcher.monkey_patch()\n",
      errors: [{ line: 3, related: [2] }],
    },
    {
      name: "alias: from eventlet import patcher after an import",
      code: "import logging\nfrom eventlet import patcher\npatcher.monkey_patch()\n",
      errors: [{ line: 3, related: [1] }],
    },
    {
      name: "alias: import eventlet as ev after an import",
      code: "import threading\nimport eventlet as ev\nev.monkey_patch()\n",
      errors: [{ line: 3, column: 1, endColumn: 18, related: [1] }],
    },
  ],
});

// Patching through a dedicated patch module (conventions: "Dedicated patch modules").
ruleTester(monkeyPatchNotFirst, {
  valid: [
    {
      name: "an entry point whose first statement imports the patch module",
      path: "pkg/cmd/__init__.py",
      code: '"""Entry points."""\nimport pkg.monkey_patch  # noqa: F401\n\nimport logging\n',
    },
    {
      name: "an entry point that imports the patch module and calls its function first",
      path: "pkg/cmd/__init__.py",
      code: "from pkg import monkey_patch\nmonkey_patch.patch()\n\nimport logging\n",
    },
    {
      name: "a guarded call of the patch function",
      path: "pkg/cmd/__init__.py",
      code: "import os\nfrom pkg import monkey_patch\nif not os.environ.get('PKG_NO_PATCH'):\n    monkey_patch.patch()\n",
    },
    {
      name: "a later patch after a clean one is redundant, not late",
      code: "import eventlet\neventlet.monkey_patch()\nimport logging\neventlet.monkey_patch()\n",
    },
    {
      name: "a function of another module named like the patch function",
      path: "pkg/cmd/__init__.py",
      code: "import logging\nfrom pkg import utils\nutils.monkey_patch()\n",
    },
  ],
  invalid: [
    {
      name: "the patch module imported after other imports",
      path: "pkg/cmd/__init__.py",
      code: "import logging\nimport pkg.monkey_patch  # noqa: F401\n",
      errors: [{ line: 2, column: 1, endColumn: 24, message: "the patch (import pkg.monkey_patch) runs after import logging (line 1)", related: [1] }],
    },
    {
      name: "the patch function called after other code",
      path: "pkg/cmd/__init__.py",
      code: "from pkg import monkey_patch\nfrom oslo_log import log\nmonkey_patch.patch()\n",
      errors: [{ line: 3, message: "the patch (monkey_patch.patch()) runs after from oslo_log import", related: [2] }],
    },
  ],
});

// More of what may run before the patch (docs/rules/EVL101.md: `os`, `sys` and `os.path` calls) and what may not.
ruleTester(monkeyPatchNotFirst, {
  valid: [
    {
      name: "environment writes and os.path calls are allowed before the patch",
      code: "import os\nimport sys\nos.environ['EVENTLET_NO_GREENDNS'] = 'yes'\nos.environ.setdefault('X', '1')\nHERE = os.path.dirname(__file__)\nsys.path.insert(0, HERE)\nimport eventlet\neventlet.monkey_patch()\n",
    },
    {
      name: "a try guard around the eventlet import",
      code: "try:\n    import eventlet\nexcept ImportError:\n    eventlet = None\n\nif eventlet is not None:\n    eventlet.monkey_patch()\n",
    },
    {
      name: "a guard on a variable with any name, read from the environment",
      code: "import os\nSKIP = os.environ.get('OS_CINDER_DISABLE_EVENTLET_PATCHING', '').lower() in ('1', 'true')\nimport eventlet\nif not SKIP:\n    eventlet.monkey_patch()\n",
    },
    {
      name: "expressions and assignments that call nothing",
      code: "import sys\nDEBUG = 'pydevd' in sys.modules\n__all__ = ['main']\nimport eventlet\neventlet.monkey_patch(os=not DEBUG)\n",
    },
  ],
  invalid: [
    {
      name: "an import inside a try before the patch",
      code: "try:\n    import simplejson as json\nexcept ImportError:\n    import json\nimport eventlet\neventlet.monkey_patch()\n",
      errors: [{ line: 6, message: "import simplejson", related: [2] }],
    },
    {
      name: "calling a function defined above runs its body before the patch",
      code: "import eventlet\n\ndef f():\n    pass\n\nf()\neventlet.monkey_patch()\n",
      errors: [{ line: 7, message: "call to f()", related: [6] }],
    },
    {
      name: "os calls are allowed before the patch; print() is not",
      code: "import os\nimport eventlet\nos.getcwd()\nprint('starting')\neventlet.monkey_patch()\n",
      errors: [{ line: 5, message: "call to print()", related: [4] }],
    },
  ],
});

ruleTester(monkeyPatchNotFirst, {
  valid: [
    {
      name: "a Django-style monkey_patch module's function is not eventlet patching",
      path: "myapp/cmd/__init__.py",
      files: { "myapp/monkey_patch.py": "def patch(target):\n    return target\n" },
      code: "import flask\nfrom myapp import monkey_patch\nmonkey_patch.patch(flask)\n",
    },
  ],
  invalid: [
    {
      name: "the patch module's function, with the module present",
      path: "myapp/cmd/__init__.py",
      files: { "myapp/monkey_patch.py": "import os\n\ndef patch():\n    import eventlet\n    eventlet.monkey_patch()\n" },
      code: "import logging\nfrom myapp import monkey_patch\nmonkey_patch.patch()\n",
      errors: [{ line: 3, related: [1] }],
    },
  ],
});

ruleTester(monkeyPatchNotFirst, {
  valid: [
    {
      name: "a test module that patches again after its tests package patched: redundant, not late",
      path: "pkg/tests/functional/test_agent.py",
      files: { "pkg/tests/__init__.py": "import eventlet\neventlet.monkey_patch()\n" },
      code: "import unittest\n\nimport eventlet\neventlet.monkey_patch()\n",
    },
  ],
  invalid: [],
});

ruleTester(monkeyPatchNotFirst, {
  valid: [
    {
      name: "an entry point that calls the modern patch module's patch() first",
      path: "pkg/cmd/__init__.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE },
      code: "from pkg import monkey_patch\nmonkey_patch.patch()\n\nimport logging\n",
    },
    {
      name: "a library module that imports the modern patch module for is_patched()",
      path: "pkg/manager.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE },
      code: "import logging\n\nfrom pkg import monkey_patch\n\n\ndef run():\n    return monkey_patch.is_patched()\n",
    },
    {
      name: "a module under an entry-point package that called patch(): redundant",
      path: "pkg/cmd/api.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE, "pkg/cmd/__init__.py": "from pkg import monkey_patch\nmonkey_patch.patch()\n" },
      code: "import logging\nimport eventlet\neventlet.monkey_patch()\n",
    },
  ],
  invalid: [
    {
      name: "the modern patch() after other imports",
      path: "pkg/cmd/__init__.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE },
      code: "import logging\n\nfrom pkg import monkey_patch\nmonkey_patch.patch()\n",
      errors: [{ line: 4, message: "the patch (monkey_patch.patch()) runs after import logging (line 1)", related: [1] }],
    },
    {
      name: "importing a module that patches on import, after other imports",
      path: "pkg/cmd/__init__.py",
      files: { "pkg/monkey_patch.py": IMPORT_TIME_PATCH_MODULE },
      code: "import logging\nimport pkg.monkey_patch  # noqa: F401\n",
      errors: [{ line: 2, related: [1] }],
    },
  ],
});

// Patching behind one level of indirection (issue 12, class 6): project helpers and re-exports.
const HELPER_FILES = { "pkg/__init__.py": "", "pkg/utils.py": UTILS_WITH_PATCH_HELPER, "pkg/common/__init__.py": "" };
ruleTester(monkeyPatchNotFirst, {
  valid: [
    {
      name: "a helper that applies decorators patches nothing (nova's utils.monkey_patch() before 2018)",
      path: "pkg/cmd/api.py",
      files: { "pkg/__init__.py": "", "pkg/utils.py": UTILS_WITH_DECORATOR_HELPER },
      code: "import logging\n\nfrom pkg import utils\n\nutils.monkey_patch()\n",
    },
    {
      name: "a helper module that imports only os and eventlet, called first (neutron's eventlet_utils shape)",
      path: "pkg/cmd/__init__.py",
      files: { ...HELPER_FILES, "pkg/common/eventlet_utils.py": EVENTLET_UTILS },
      code: "from pkg.common import eventlet_utils\neventlet_utils.monkey_patch()\n\nimport logging  # noqa: E402\n",
    },
    {
      name: "a re-exported eventlet imported and patched first (swift's test/probe shape)",
      path: "pkg/tests/probe/__init__.py",
      files: { ...HELPER_FILES, "pkg/common/concurrency.py": CONCURRENCY_REEXPORT },
      code: "from pkg.common.concurrency import eventlet\neventlet.monkey_patch()\n\nimport subprocess\n",
    },
    {
      name: "a console script under a cmd package that patches through the helper: its own patch is redundant",
      path: "pkg/cmd/compute.py",
      files: { ...HELPER_FILES, "pkg/cmd/__init__.py": "from pkg import utils\n\nutils.monkey_patch()\n" },
      code: "import eventlet\neventlet.monkey_patch()\n",
    },
  ],
  invalid: [
    {
      name: "nova 2018: the cmd package imports the utilities module, then calls its patch helper",
      path: "pkg/cmd/__init__.py",
      files: HELPER_FILES,
      code: "from pkg import utils\n\nutils.monkey_patch()\n",
      errors: [
        {
          line: 3,
          column: 1,
          endColumn: 21,
          related: [1],
          message:
            "the patch (utils.monkey_patch()) runs after from pkg import … (line 1), and pkg/utils.py runs import functools (line 3) " +
            "when imported: patch in a module that imports only os, sys and eventlet (a dedicated patch module such as pkg/monkey_patch.py) and import it first.",
        },
      ],
    },
    {
      name: "nova 2018: the WSGI application calls the helper after its own imports",
      path: "pkg/api/openstack/wsgi_app.py",
      files: HELPER_FILES,
      code: "from oslo_config import cfg\n\nfrom pkg import utils\n\nCONF = cfg.CONF\n\nutils.monkey_patch()\n",
      errors: [{ line: 7, related: [1, 3], message: "the patch (utils.monkey_patch()) runs after from oslo_config import … (line 1): move the patch above" }],
    },
    {
      name: "a module under the cmd package is told its parent runs the utilities import first",
      path: "pkg/cmd/compute.py",
      files: { ...HELPER_FILES, "pkg/cmd/__init__.py": "from pkg import utils\nimport logging\n" },
      code: "import eventlet\neventlet.monkey_patch()\n",
      errors: [{ line: 2, message: "pkg/cmd/__init__.py runs from pkg import … (line 1) before this patch" }],
    },
    {
      name: "a re-exported eventlet patched after another import",
      path: "pkg/tests/probe/__init__.py",
      files: { ...HELPER_FILES, "pkg/common/concurrency.py": CONCURRENCY_REEXPORT },
      code: "import subprocess\nfrom pkg.common.concurrency import eventlet\neventlet.monkey_patch()\n",
      errors: [{ line: 3, related: [1], message: "eventlet.monkey_patch() runs after import subprocess (line 1)" }],
    },
    {
      name: "the re-exporting module's alias of eventlet's patch function, after another import",
      path: "pkg/cmd/__init__.py",
      files: { ...HELPER_FILES, "pkg/common/concurrency.py": CONCURRENCY_REEXPORT },
      code: "from pkg.common import concurrency\nimport logging\nconcurrency.monkey_patch()\n",
      errors: [{ line: 3, related: [2], message: "the patch (concurrency.monkey_patch()) runs after import logging (line 2)" }],
    },
  ],
});

// Scripts run by path are their own program (issue 12, class 8).
ruleTester(monkeyPatchNotFirst, {
  valid: [
    {
      name: "a script run by path does not inherit its tests package __init__ (eventlet's tests/isolated shape)",
      path: "mylib/tests/isolated/pipe_read.py",
      files: { "mylib/__init__.py": "", "mylib/tests/__init__.py": "import contextlib\nimport json\n" },
      code: "if __name__ == '__main__':\n    import eventlet\n    eventlet.monkey_patch()\n\n    import os\n",
    },
  ],
  invalid: [
    {
      name: "a script's own imports before its patch still count",
      path: "mylib/tests/isolated/pipe_read.py",
      files: { "mylib/__init__.py": "", "mylib/tests/__init__.py": "import contextlib\n" },
      code: "import logging\nimport eventlet\neventlet.monkey_patch()\n\nif __name__ == '__main__':\n    logging.basicConfig()\n",
      errors: [{ line: 3, related: [1], message: "eventlet.monkey_patch() runs after import logging (line 1)" }],
    },
    {
      name: "a script under a package that patches: the package's patch does not run first, so its own late patch counts",
      path: "pkg/tests/tools/serve.py",
      files: { "pkg/__init__.py": "", "pkg/tests/__init__.py": "import eventlet\neventlet.monkey_patch()\n" },
      code: "import logging\nimport eventlet\neventlet.monkey_patch()\n\nif __name__ == '__main__':\n    logging.basicConfig()\n",
      errors: [{ line: 3, related: [1] }],
    },
    {
      name: "__main__.py runs with python -m, inside its package: the package __init__ runs first",
      path: "mylib/__main__.py",
      files: { "mylib/__init__.py": "import requests\n" },
      code: "import eventlet\neventlet.monkey_patch()\n\nif __name__ == '__main__':\n    main()\n",
      errors: [{ line: 2, message: "mylib/__init__.py runs import requests (line 1) before this patch" }],
    },
  ],
});
