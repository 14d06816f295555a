import { monkeyPatchWithoutOptOut } from "../../src/rules/EVL105-monkey-patch-without-opt-out.js";
import { ruleTester } from "../support/rule-tester.js";

ruleTester(monkeyPatchWithoutOptOut, {
  valid: [
    {
      name: "the spec's DISABLE_EVENTLET_PATCHING guard",
      code: "import os\n\nif not os.environ.get('DISABLE_EVENTLET_PATCHING'):\n    import eventlet\n    eventlet.monkey_patch()\n",
    },
    {
      name: "nova's OS_NOVA_DISABLE_EVENTLET_PATCHING guard around a patch function call",
      path: "nova/monkey_patch.py",
      code: `
      import os

      def _monkey_patch():
          import eventlet
          eventlet.monkey_patch()

      if (os.environ.get('OS_NOVA_DISABLE_EVENTLET_PATCHING', '').lower()
              not in ('1', 'true', 'yes')):
          _monkey_patch()
      `,
    },
    { name: "os.getenv", code: "import os\nimport eventlet\nif os.getenv('NO_PATCH') is None:\n    eventlet.monkey_patch()\n" },
    { name: "from os import environ", code: "from os import environ\nimport eventlet\nif 'NO_PATCH' not in environ:\n    eventlet.monkey_patch()\n" },
    {
      name: "an elif that reads the environment",
      code: "import os\nimport eventlet\nif os.name == 'nt':\n    pass\nelif not os.environ.get('X'):\n    eventlet.monkey_patch()\n",
    },
    { name: "a patch inside a function runs when its caller decides", code: "import eventlet\n\ndef main():\n    eventlet.monkey_patch()\n" },
  ],
  invalid: [
    {
      name: "an unconditional import-time patch",
      code: "import eventlet\neventlet.monkey_patch()\n",
      errors: [{ line: 2, column: 1, endColumn: 24, severity: "info", message: "DISABLE_EVENTLET_PATCHING" }],
    },
    {
      name: "a platform test is not an opt-out; its two branches are one finding",
      code: `
      import os
      import eventlet
      if os.name == 'nt':
          eventlet.monkey_patch(os=False)
      else:
          eventlet.monkey_patch()
      `,
      errors: [{ line: 4, column: 5 }],
    },
    {
      name: "a guard on something else than the environment",
      code: "import eventlet\nfrom pkg import debugger\nif not debugger.enabled():\n    eventlet.monkey_patch()\n",
      errors: [{ line: 4 }],
    },
    { name: "alias: from eventlet import patcher", code: "from eventlet import patcher\npatcher.monkey_patch()\n", errors: [{ line: 2 }] },
    {
      name: "two separate patch statements are two findings",
      code: "import eventlet\neventlet.monkey_patch()\nimport os\nif os.name == 'nt':\n    eventlet.monkey_patch(os=False)\n",
      errors: [{ line: 2 }, { line: 5 }],
    },
  ],
});
