import { monkeyPatchThreadDisabled } from "../../src/rules/EVL104-monkey-patch-thread-disabled.js";
import { CONCURRENCY_REEXPORT, MODERN_PATCH_MODULE } from "../support/patch-modules.js";
import { ruleTester } from "../support/rule-tester.js";

ruleTester(monkeyPatchThreadDisabled, {
  valid: [
    "import eventlet\neventlet.monkey_patch()\n",
    { name: "os=False alone keeps threads patched", code: "import eventlet\neventlet.monkey_patch(os=False)\n" },
    { name: "all=True is the default", code: "import eventlet\neventlet.monkey_patch(all=True)\n" },
    { name: "modules named together with thread=True", code: "import eventlet\neventlet.monkey_patch(socket=True, thread=True)\n" },
    { name: "all=False with thread=True", code: "import eventlet\neventlet.monkey_patch(all=False, thread=True, socket=True)\n" },
    { name: "thread=True explicitly", code: "import eventlet\neventlet.monkey_patch(thread=True, os=False)\n" },
    { name: "**kwargs cannot be judged", code: "import eventlet\neventlet.monkey_patch(**PATCH_ARGS)\n" },
    { name: "not eventlet's monkey_patch", code: "from gevent import monkey\nmonkey.patch_all(thread=False)\nfoo.monkey_patch(thread=False)\n" },
    {
      name: "a partial patch after a full patch of its tests package is redundant",
      path: "pkg/tests/unit/test_sockets.py",
      files: { "pkg/tests/__init__.py": "import eventlet\neventlet.monkey_patch()\n" },
      code: "import eventlet\neventlet.monkey_patch(socket=True)\n",
    },
    {
      name: "thread=False inside a test after the tests package patched fully (oslo.service's test_wsgi shape)",
      path: "pkg/tests/test_server.py",
      files: {
        "pkg/tests/__init__.py":
          "import os\nimport eventlet\nif os.name == 'nt':\n    eventlet.monkey_patch(os=False, thread=False)\nelse:\n    eventlet.monkey_patch()\n",
      },
      code: `
      import eventlet

      class ServerTest:
          def test_uri_length_limit(self):
              eventlet.monkey_patch(os=False, thread=False)
      `,
    },
    {
      name: "a partial patch after a full one in the same module",
      code: "import eventlet\neventlet.monkey_patch()\n\ndef again():\n    eventlet.monkey_patch(socket=True)\n",
    },
    {
      name: "a parent that imports the patch module patched fully",
      path: "pkg/tests/functional/test_x.py",
      files: { "pkg/tests/functional/__init__.py": "import pkg.monkey_patch  # noqa\n" },
      code: "import eventlet\neventlet.monkey_patch(socket=True)\n",
    },
    {
      name: "a Windows-only branch (oslo.service's tests __init__)",
      code: `
      import os
      import eventlet
      if os.name == 'nt':
          # eventlet patching os and thread breaks subprocess pipes on Windows
          eventlet.monkey_patch(os=False, thread=False)
      else:
          eventlet.monkey_patch()
      `,
    },
    {
      name: "the else of a not-Windows test",
      code: `
      import sys
      import eventlet
      if not sys.platform.startswith('win'):
          eventlet.monkey_patch()
      else:
          eventlet.monkey_patch(thread=False)
      `,
    },
    {
      name: "an elif after os.name != 'nt'",
      code: `
      import os
      import eventlet
      if os.name != "nt":
          eventlet.monkey_patch()
      elif DEBUG:
          eventlet.monkey_patch(thread=False)
      `,
    },
  ],
  invalid: [
    {
      name: "the spec's example: thread=False",
      code: "import eventlet\n\neventlet.monkey_patch(os=False, thread=False)\n",
      errors: [{ line: 3, column: 1, endColumn: 46, severity: "error", message: "leaves threading native" }],
    },
    {
      name: "the advice names eventletutils and the backdoor",
      code: "import eventlet\neventlet.monkey_patch(thread=False)\n",
      errors: [{ line: 2, message: /backdoor.*warn_eventlet_not_patched/ }],
    },
    {
      name: "thread=<expression> is a warning (a debugger switch)",
      code: "import eventlet\nfrom pkg import debugger\neventlet.monkey_patch(os=False, thread=not debugger.enabled())\n",
      errors: [{ line: 3, severity: "warning", message: "thread=<expression>" }],
    },
    {
      name: "thread=<name> is a warning",
      code: "import eventlet\neventlet.monkey_patch(thread=PATCH_THREAD)\n",
      errors: [{ line: 2, severity: "warning" }],
    },
    {
      name: "all=False without thread=True",
      code: "import eventlet\neventlet.monkey_patch(all=False, socket=True)\n",
      errors: [{ line: 2, severity: "error" }],
    },
    {
      name: "a module=True keyword patches only that module",
      code: "import eventlet\neventlet.monkey_patch(socket=True, select=True)\n",
      errors: [{ line: 2, message: "naming modules patches only those" }],
    },
    {
      name: "the debugger branch (nova/monkey_patch.py shape)",
      path: "nova/monkey_patch.py",
      code: `
      import os

      def _monkey_patch():
          import eventlet
          from nova import debugger
          if debugger.enabled():
              eventlet.monkey_patch(thread=False)
          elif os.name == 'nt':
              eventlet.monkey_patch(os=False)
          else:
              eventlet.monkey_patch()
      `,
      errors: [{ line: 7, column: 9 }],
    },
    { name: "alias: import eventlet as ev", code: "import eventlet as ev\nev.monkey_patch(thread=False)\n", errors: [{ line: 2 }] },
    { name: "alias: mp", code: "from eventlet import monkey_patch as mp\nmp(thread=False)\n", errors: [{ line: 2 }] },
    { name: "alias: eventlet.patcher.monkey_patch", code: "import eventlet\neventlet.patcher.monkey_patch(thread=False)\n", errors: [{ line: 2 }] },
    { name: "alias: from eventlet import patcher", code: "from eventlet import patcher\npatcher.monkey_patch(thread=False)\n", errors: [{ line: 2 }] },
    {
      name: "a partial patch whose parent patched only partially is still reported",
      path: "pkg/tests/test_x.py",
      files: { "pkg/tests/__init__.py": "import eventlet\neventlet.monkey_patch(thread=False)\n" },
      code: "import eventlet\neventlet.monkey_patch(socket=True)\n",
      errors: [{ line: 2 }],
    },
    {
      name: "a debug branch before the full patch is not redundant",
      code: "import eventlet\nif DEBUG:\n    eventlet.monkey_patch(thread=False)\nelse:\n    eventlet.monkey_patch()\n",
      errors: [{ line: 3 }],
    },
    {
      name: "a non-Windows platform test is not a Windows branch",
      code: "import os\nimport eventlet\nif os.name == 'posix':\n    eventlet.monkey_patch(thread=False)\n",
      errors: [{ line: 4 }],
    },
    {
      name: "a non-ASCII line: columns count code points",
      code: "import eventlet\nnom = 'é'; eventlet.monkey_patch(thread=False)  # ünïcode\n",
      errors: [{ line: 2, column: 12, endColumn: 47 }],
    },
  ],
});

ruleTester(monkeyPatchThreadDisabled, {
  valid: [
    {
      name: "a parent package that calls the patch module's patch() patched fully",
      path: "pkg/cmd/agent.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE, "pkg/cmd/__init__.py": "from pkg import monkey_patch\nmonkey_patch.patch()\n" },
      code: "import eventlet\neventlet.monkey_patch(socket=True)\n",
    },
  ],
  invalid: [
    {
      name: "a parent that only imports the modern patch module did not patch",
      path: "pkg/cmd/agent.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE, "pkg/cmd/__init__.py": "from pkg import monkey_patch\n" },
      code: "import eventlet\neventlet.monkey_patch(socket=True)\n",
      errors: [{ line: 2 }],
    },
  ],
});

// A re-exported eventlet is eventlet (issue 12, class 6).
ruleTester(monkeyPatchThreadDisabled, {
  valid: [],
  invalid: [
    {
      name: "thread=False on a re-exported eventlet",
      path: "pkg/cmd/__init__.py",
      files: { "pkg/__init__.py": "", "pkg/concurrency.py": CONCURRENCY_REEXPORT },
      code: "from pkg.concurrency import eventlet\neventlet.monkey_patch(thread=False)\n",
      errors: [{ line: 2 }],
    },
  ],
});

// A script run by path does not run its package's full patch first (issue 12, class 8).
ruleTester(monkeyPatchThreadDisabled, {
  valid: [
    {
      name: "a module under a fully patching tests package: its partial patch is redundant",
      path: "pkg/tests/functional/test_pipe.py",
      files: { "pkg/__init__.py": "", "pkg/tests/__init__.py": "import eventlet\neventlet.monkey_patch()\n" },
      code: "import eventlet\neventlet.monkey_patch(socket=True)\n",
    },
  ],
  invalid: [
    {
      name: "the same partial patch in a script run by path is the program's only patch",
      path: "pkg/tests/isolated/pipe.py",
      files: { "pkg/__init__.py": "", "pkg/tests/__init__.py": "import eventlet\neventlet.monkey_patch()\n" },
      code: "if __name__ == '__main__':\n    import eventlet\n    eventlet.monkey_patch(socket=True)\n",
      errors: [{ line: 3 }],
    },
  ],
});

ruleTester(monkeyPatchThreadDisabled, {
  valid: [
    {
      name: "a test module with a unittest.main() guard is imported by the test runner: its package's full patch ran",
      path: "pkg/tests/probe/test_failures.py",
      files: { "pkg/__init__.py": "", "pkg/tests/probe/__init__.py": "import eventlet\neventlet.monkey_patch()\n" },
      code: "import eventlet\neventlet.monkey_patch(all=False, socket=True)\n\nif __name__ == '__main__':\n    main()\n",
    },
  ],
  invalid: [],
});
