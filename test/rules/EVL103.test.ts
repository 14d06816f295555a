import { monkeyPatchInWsgi } from "../../src/rules/EVL103-monkey-patch-in-wsgi.js";
import { monkeyPatchInLibrary } from "../../src/rules/EVL102-monkey-patch-in-library.js";
import { CONCURRENCY_REEXPORT, MODERN_PATCH_MODULE, UTILS_WITH_DECORATOR_HELPER, UTILS_WITH_PATCH_HELPER } from "../support/patch-modules.js";
import { findingsFor, ruleTester } from "../support/rule-tester.js";

const PATCH = "import eventlet\neventlet.monkey_patch()\n";

ruleTester(monkeyPatchInWsgi, {
  valid: [
    { name: "a library module is EVL102's", path: "pkg/service.py", code: PATCH },
    { name: "an entry point", path: "pkg/cmd/api.py", code: PATCH },
    { name: "a WSGI module that does not patch", path: "pkg/api/wsgi.py", code: "from pkg.api import app\napplication = app.init()\n" },
    {
      name: "a WSGI module that only imports eventlet",
      path: "pkg/api/wsgi.py",
      code: "import eventlet.wsgi\napplication = make_app()\n",
    },
    {
      name: "`application` as a local name is not a WSGI module",
      path: "pkg/service.py",
      code: "def make():\n    application = 1\n    return application\n",
    },
    {
      name: "an entry point that imports the patch module",
      path: "pkg/cmd/api.py",
      code: "import pkg.monkey_patch  # noqa: F401\n",
    },
  ],
  invalid: [
    {
      name: "wsgi.py",
      path: "pkg/api/wsgi.py",
      code: PATCH,
      errors: [{ line: 2, column: 1, endColumn: 24, message: "mod_wsgi and uwsgi suspend the interpreter" }],
    },
    { name: "a module of a wsgi package", path: "nova/wsgi/osapi_compute.py", code: PATCH, errors: [{ line: 2 }] },
    { name: "wsgi_app.py", path: "nova/api/openstack/wsgi_app.py", code: PATCH, errors: [{ line: 2 }] },
    {
      name: "a module that assigns application at top level",
      path: "pkg/api/app.py",
      code: "import eventlet as ev\nev.monkey_patch()\napplication = make_app()\n",
      errors: [{ line: 2 }],
    },
    {
      name: "a module that defines application()",
      path: "pkg/api/app.py",
      code: "from eventlet import patcher\n\ndef application(environ, start_response):\n    patcher.monkey_patch()\n",
      errors: [{ line: 4, column: 5 }],
    },
    {
      name: "a patch inside a function of WSGI code still patches under mod_wsgi",
      path: "pkg/api/wsgi.py",
      code: "import eventlet\n\ndef init_application():\n    eventlet.monkey_patch()\n    return make_app()\n",
      errors: [{ line: 4 }],
    },
    {
      name: "a WSGI module that imports the patch module",
      path: "pkg/api/wsgi.py",
      code: "import pkg.monkey_patch  # noqa: F401\napplication = make_app()\n",
      errors: [{ line: 1, message: "patches through the patch module" }],
    },
    {
      name: "a configured WSGI module",
      path: "pkg/api/server.py",
      config: { wsgi_modules: ["pkg/api/server.py"] },
      code: PATCH,
      errors: [{ line: 2 }],
    },
  ],
});

test("a WSGI module gets EVL103 and not EVL102", async () => {
  const c = { path: "pkg/api/wsgi.py", code: PATCH };
  expect((await findingsFor(monkeyPatchInWsgi, c)).map((f) => f.rule)).toEqual(["EVL103"]);
  expect(await findingsFor(monkeyPatchInLibrary, c)).toEqual([]);
});

ruleTester(monkeyPatchInWsgi, {
  valid: [
    {
      name: "a WSGI module that selects the threading backend through the patch module (nova/wsgi shape)",
      path: "pkg/wsgi/api.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE },
      code: "from pkg import monkey_patch; monkey_patch.patch(backend='threading')  # noqa: E702\n\napplication = None\n",
    },
    {
      name: "BackendType.THREADING as the argument",
      path: "pkg/wsgi/api.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE },
      code: "from oslo_service import backend\nfrom pkg import monkey_patch\nmonkey_patch.patch(backend.BackendType.THREADING)\n",
    },
  ],
  invalid: [
    {
      name: "a WSGI module that calls the patch module's patch() with the eventlet default",
      path: "pkg/wsgi/api.py",
      files: { "pkg/monkey_patch.py": MODERN_PATCH_MODULE },
      code: "from pkg import monkey_patch; monkey_patch.patch()  # noqa: E702\n\napplication = None\n",
      errors: [{ line: 1, column: 31, endColumn: 51 }],
    },
  ],
});

// Patching behind one level of indirection (issue 12, class 6).
ruleTester(monkeyPatchInWsgi, {
  valid: [
    {
      name: "a WSGI module that calls a decorator helper named monkey_patch",
      path: "pkg/api/openstack/wsgi_app.py",
      files: { "pkg/__init__.py": "", "pkg/utils.py": UTILS_WITH_DECORATOR_HELPER },
      code: "from pkg import utils\n\nutils.monkey_patch()\n",
    },
  ],
  invalid: [
    {
      name: "nova 2018: the WSGI application patches through utils.monkey_patch()",
      path: "pkg/api/openstack/wsgi_app.py",
      files: { "pkg/__init__.py": "", "pkg/utils.py": UTILS_WITH_PATCH_HELPER },
      code: "from oslo_config import cfg\n\nfrom pkg import utils\n\nCONF = cfg.CONF\n\nutils.monkey_patch()\n",
      errors: [{ line: 7, column: 1, endColumn: 21, message: "WSGI application code patches through pkg.utils.monkey_patch() (pkg/utils.py)" }],
    },
    {
      name: "a WSGI module that patches through a re-exported eventlet",
      path: "pkg/api/wsgi.py",
      files: { "pkg/__init__.py": "", "pkg/concurrency.py": CONCURRENCY_REEXPORT },
      code: "from pkg.concurrency import eventlet\neventlet.monkey_patch()\napplication = None\n",
      errors: [{ line: 2, message: "WSGI application code patches eventlet" }],
    },
  ],
});
