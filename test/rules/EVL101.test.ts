import { monkeyPatchNotFirst } from "../../src/rules/EVL101-monkey-patch-not-first.js";
import { ruleTester } from "../helpers/rule-tester.js";

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
