import { monkeyPatchInLibrary } from "../../src/rules/EVL102-monkey-patch-in-library.js";
import { CONCURRENCY_REEXPORT, IMPORT_TIME_PATCH_MODULE, MODERN_PATCH_MODULE, UTILS_WITH_DECORATOR_HELPER, UTILS_WITH_PATCH_HELPER } from "../support/patch-modules.js";
import { ruleTester } from "../support/rule-tester.js";

const PATCH = "import eventlet\neventlet.monkey_patch()\n";

ruleTester(monkeyPatchInLibrary, {
  valid: [
    { name: "<pkg>/cmd/__init__.py is an entry point", path: "nova/cmd/__init__.py", code: PATCH },
    { name: "a module under cmd/ is an entry point", path: "cinder/cmd/volume.py", code: PATCH },
    { name: "__main__.py is an entry point", path: "pkg/__main__.py", code: PATCH },
    { name: "the tests package __init__ is an entry point", path: "nova/tests/unit/__init__.py", code: PATCH },
    { name: "a test module is test code", path: "oslo_service/tests/eventlet_service.py", code: PATCH },
    { name: "a dedicated patch module", path: "nova/monkey_patch.py", code: "import eventlet\n\ndef _patch():\n    eventlet.monkey_patch()\n\n_patch()\n" },
    { name: "a dedicated patch module patching at top level", path: "cinder/monkey_patch.py", code: PATCH },
    {
      name: "a script guarded by __main__ is an entry point",
      path: "pkg/tool.py",
      code: "import eventlet\neventlet.monkey_patch()\n\nif __name__ == '__main__':\n    main()\n",
    },
    {
      name: "a WSGI module gets EVL103 only, not EVL102",
      path: "pkg/api/wsgi.py",
      code: "import eventlet\neventlet.monkey_patch()\napplication = make_app()\n",
    },
    {
      name: "a module that defines application is WSGI code (EVL103 only)",
      path: "pkg/api/app.py",
      code: "import eventlet\neventlet.monkey_patch()\n\ndef application(environ, start_response):\n    pass\n",
    },
    {
      name: "a patch inside a function of a library: its callers decide",
      path: "neutron/common/eventlet_utils.py",
      code: "import eventlet\n\ndef monkey_patch():\n    eventlet.monkey_patch()\n",
    },
    {
      name: "a patch in a docstring is prose",
      path: "oslo_messaging/rpc/server.py",
      code: '"""Example::\n\n    import eventlet\n    eventlet.monkey_patch()\n"""\n',
    },
    { name: "another object's monkey_patch is not eventlet's", path: "pkg/utils.py", code: "import mock\nmock.monkey_patch()\n" },
    {
      name: "configured entry points replace the defaults",
      path: "pkg/launch.py",
      config: { entry_points: ["pkg/launch.py"] },
      code: PATCH,
    },
    {
      name: "the patch module imported from an entry point",
      path: "nova/cmd/__init__.py",
      code: "import nova.monkey_patch  # noqa: F401\n",
    },
    {
      name: "the patch module imported inside a function",
      path: "pkg/service.py",
      code: "def start():\n    from pkg import monkey_patch\n",
    },
    {
      name: "a module with a similar name that is not a patch module",
      path: "pkg/api/__init__.py",
      code: "from pkg import monkey_patching_helpers\nimport eventlet\n",
    },
  ],
  invalid: [
    {
      name: "the root package __init__ (nova/__init__.py)",
      path: "nova/__init__.py",
      code: PATCH,
      errors: [{ line: 2, column: 1, endColumn: 24, message: "nova/__init__.py patches eventlet for everything that imports the package" }],
    },
    {
      name: "an importable library module",
      path: "pkg/service.py",
      code: PATCH,
      errors: [{ line: 2, message: "an importable library module patches eventlet" }],
    },
    {
      name: "alias: import eventlet as ev",
      path: "pkg/service.py",
      code: "import eventlet as ev\nev.monkey_patch(os=False)\n",
      errors: [{ line: 2 }],
    },
    {
      name: "alias: from eventlet import monkey_patch as mp",
      path: "pkg/service.py",
      code: "from eventlet import monkey_patch as mp\nmp()\n",
      errors: [{ line: 2 }],
    },
    {
      name: "alias: eventlet.patcher.monkey_patch",
      path: "pkg/service.py",
      code: "import eventlet.patcher\neventlet.patcher.monkey_patch()\n",
      errors: [{ line: 2 }],
    },
    {
      name: "alias: from eventlet import patcher",
      path: "pkg/service.py",
      code: "from eventlet import patcher\npatcher.monkey_patch(all=True)\n",
      errors: [{ line: 2 }],
    },
    {
      name: "a guarded patch in a library still patches for every importer",
      path: "pkg/__init__.py",
      code: "import os\nif not os.environ.get('DISABLE_EVENTLET_PATCHING'):\n    import eventlet\n    eventlet.monkey_patch()\n",
      errors: [{ line: 4, column: 5 }],
    },
    {
      name: "a library module that imports the patch module (nova/api/openstack/__init__.py shape)",
      path: "pkg/api/openstack/__init__.py",
      code: '"""WSGI middleware."""\nimport pkg.monkey_patch  # noqa: F401\n\nfrom oslo_log import log as logging\n',
      errors: [{ line: 2, column: 1, endColumn: 24, message: "patching through the patch module" }],
    },
    {
      name: "from <pkg> import monkey_patch in a library module",
      path: "pkg/api/__init__.py",
      code: "from pkg import monkey_patch  # noqa: F401\n",
      errors: [{ line: 1 }],
    },
    {
      name: "a configured patch module",
      path: "neutron/agent/__init__.py",
      config: { patch_modules: ["neutron/common/eventlet_patch.py"] },
      code: "from neutron.common import eventlet_patch\n",
      errors: [{ line: 1 }],
    },
  ],
});

ruleTester(monkeyPatchInLibrary, {
  valid: [
    {
      name: "the project's base test module (nova/test.py) is test code",
      path: "pkg/test.py",
      code: "import pkg.monkey_patch  # noqa: F401\nimport eventlet\neventlet.monkey_patch()\n",
    },
  ],
  invalid: [],
});

ruleTester(monkeyPatchInLibrary, {
  valid: [
    {
      name: "a monkey_patch.py that patches something else than eventlet is not a patch module",
      path: "myapp/admin.py",
      files: { "myapp/monkey_patch.py": "from django.contrib import admin\n\ndef patch():\n    admin.site.site_header = 'x'\n" },
      code: "import myapp.monkey_patch  # noqa: F401\n",
    },
  ],
  invalid: [
    {
      name: "a patch module that is there and patches eventlet",
      path: "myapp/api/__init__.py",
      files: { "myapp/monkey_patch.py": "import eventlet\n\neventlet.monkey_patch()\n" },
      code: "from myapp import monkey_patch  # noqa: F401\n",
      errors: [{ line: 1 }],
    },
  ],
});

ruleTester(monkeyPatchInLibrary, {
  valid: [
    {
      name: "a library module that imports the patch module to ask is_patched() (cinder/rpc.py shape)",
      path: "pkg/rpc.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE },
      code: "import oslo_messaging\n\nfrom pkg import monkey_patch\n\n\ndef executor():\n    return 'eventlet' if monkey_patch.is_patched() else 'threading'\n",
    },
    {
      name: "is_patched() at import time does not patch",
      path: "pkg/rpc.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE },
      code: "from pkg import monkey_patch\n\nEXECUTOR = 'eventlet' if monkey_patch.is_patched() else 'threading'\n",
    },
  ],
  invalid: [
    {
      name: "a library module that calls the patch module's patch() at import time",
      path: "pkg/api/__init__.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE },
      code: "from pkg import monkey_patch\nmonkey_patch.patch()\n",
      errors: [{ line: 2, column: 1, endColumn: 21, message: "patching through the patch module" }],
    },
    {
      name: "a library module that imports a patch module which patches on import",
      path: "pkg/api/__init__.py",
      files: { "pkg/monkey_patch.py": IMPORT_TIME_PATCH_MODULE },
      code: "import pkg.monkey_patch  # noqa: F401\n",
      errors: [{ line: 1 }],
    },
  ],
});

// Patching behind one level of indirection (issue 12, class 6).
ruleTester(monkeyPatchInLibrary, {
  valid: [
    {
      name: "a library module that calls a decorator helper named monkey_patch",
      path: "pkg/service.py",
      files: { "pkg/__init__.py": "", "pkg/utils.py": UTILS_WITH_DECORATOR_HELPER },
      code: "from pkg import utils\n\nutils.monkey_patch()\n",
    },
    {
      name: "a library module that calls the patch helper inside a function: its callers decide",
      path: "pkg/service.py",
      files: { "pkg/__init__.py": "", "pkg/utils.py": UTILS_WITH_PATCH_HELPER },
      code: "from pkg import utils\n\n\ndef start():\n    utils.monkey_patch()\n",
    },
  ],
  invalid: [
    {
      name: "a library module that calls the project's patch helper at import",
      path: "pkg/service.py",
      files: { "pkg/__init__.py": "", "pkg/utils.py": UTILS_WITH_PATCH_HELPER },
      code: "from pkg import utils\n\nutils.monkey_patch()\n",
      errors: [{ line: 3, column: 1, endColumn: 21, message: "patching through pkg.utils.monkey_patch() (pkg/utils.py) in an importable library module" }],
    },
    {
      name: "a library module that patches through a re-exported eventlet",
      path: "pkg/service.py",
      files: { "pkg/__init__.py": "", "pkg/concurrency.py": CONCURRENCY_REEXPORT },
      code: "from pkg.concurrency import eventlet\neventlet.monkey_patch()\n",
      errors: [{ line: 2, message: "an importable library module patches eventlet" }],
    },
  ],
});
