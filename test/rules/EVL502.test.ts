import { Analyzer } from "../../src/analyzer/analyze.js";
import { MemoryProjectFiles } from "../../src/python/project-files.js";
import { configSchema } from "../../src/config/schema.js";
import { mixedConcurrencyBackends } from "../../src/rules/EVL502-mixed-concurrency-backends.js";
import { ruleTester } from "../support/rule-tester.js";
import { EVENTLET_UTILS } from "../support/patch-modules.js";

const THREADING = "from oslo_service import backend\nbackend.init_backend(backend.BackendType.THREADING)\n";
const PATCH = "import eventlet\neventlet.monkey_patch()\n";

ruleTester(mixedConcurrencyBackends, {
  valid: [
    { name: "threading alone", path: "pkg/__init__.py", code: THREADING },
    { name: "threading under a threading parent", path: "pkg/cmd/__init__.py", files: { "pkg/__init__.py": THREADING }, code: THREADING },
    { name: "eventlet alone, under a package that selects nothing", path: "pkg/cmd/__init__.py", files: { "pkg/__init__.py": "" }, code: PATCH },
    {
      name: "exclusive branches of one switch (nova's environment variable)",
      path: "nova/monkey_patch.py",
      code: `
      import os
      from oslo_service import backend

      if os.environ.get('OS_NOVA_DISABLE_EVENTLET_PATCHING', '').lower() in ('1', 'true'):
          backend.init_backend(backend.BackendType.THREADING)
      else:
          import eventlet
          eventlet.monkey_patch()
      `,
    },
    {
      name: "complementary guards in separate ifs are one switch (if not use_threading / if use_threading)",
      path: "pkg/cmd/api.py",
      code: `
      from oslo_service import backend

      def main(conf):
          use_threading = conf.use_threading
          if not use_threading:
              import eventlet
              eventlet.monkey_patch()
          setup_logging(conf)
          if use_threading:
              backend.init_backend(backend.BackendType.THREADING)
      `,
    },
    {
      name: "os.name == 'nt' against the rest, in separate ifs",
      path: "pkg/cmd/agent.py",
      code: `
      import os
      from oslo_service import backend

      def main():
          if os.name == 'nt':
              import eventlet
              eventlet.monkey_patch(os=False)
          if os.name != 'nt':
              backend.init_backend(backend.BackendType.THREADING)
      `,
    },
    {
      name: "a patch inside a library function is no declaration",
      path: "pkg/utils.py",
      files: { "pkg/__init__.py": THREADING },
      code: "import eventlet\n\ndef patch():\n    eventlet.monkey_patch()\n",
    },
  ],
  invalid: [
    {
      name: "a test package patches under a package that selected threading",
      path: "pkg/tests/__init__.py",
      files: { "pkg/__init__.py": THREADING },
      code: PATCH,
      errors: [{ line: 2, message: "this monkey-patches with eventlet but pkg/__init__.py:2 selects the threading backend", related: [2] }],
    },
    {
      name: "the parent's side: probing the usual subpackages",
      path: "pkg/__init__.py",
      files: { "pkg/cmd/__init__.py": "", "pkg/tests/__init__.py": PATCH },
      code: THREADING,
      errors: [{ line: 2, message: "this selects the threading backend but pkg/tests/__init__.py:2 monkey-patches with eventlet" }],
    },
    {
      name: "an entry point that patches and imports a threading package (a project helper whose body patches)",
      path: "agent/cmd/run.py",
      files: { "agent/__init__.py": "", "agent/cmd/__init__.py": "", "agent/common/eventlet_utils.py": EVENTLET_UTILS, "neutron/__init__.py": THREADING },
      code: `
      from agent.common import eventlet_utils
      eventlet_utils.monkey_patch()

      from neutron import service
      `,
      errors: [{ line: 2, message: "neutron/__init__.py:2 selects the threading backend" }],
    },
    {
      name: "separate ifs whose switch is flipped in between can both run",
      path: "pkg/cmd/api.py",
      code: `
      from oslo_service import backend

      def main(conf):
          use_threading = conf.use_threading
          if not use_threading:
              import eventlet
              eventlet.monkey_patch()
              use_threading = True
          if use_threading:
              backend.init_backend(backend.BackendType.THREADING)
      `,
      errors: [{ line: 10, message: "this selects the threading backend but line 7 monkey-patches with eventlet", related: [7] }],
    },
    {
      name: "separate ifs on different switches can both run",
      path: "pkg/cmd/api.py",
      code: `
      from oslo_service import backend

      def main(conf):
          if not conf.threaded:
              import eventlet
              eventlet.monkey_patch()
          if conf.native_rpc:
              backend.init_backend(backend.BackendType.THREADING)
      `,
      errors: [{ line: 8, related: [6] }],
    },
    {
      name: "two different backends in one module",
      path: "pkg/cmd/api.py",
      code: `
      from oslo_service.backend import BackendType, init_backend

      def main():
          init_backend(BackendType.EVENTLET)
          init_backend(BackendType.THREADING)
      `,
      errors: [{ line: 5, message: "BackendAlreadySelected", related: [4] }],
    },
    {
      name: "a patch module import in an entry point under a threading package",
      path: "pkg/cmd/__init__.py",
      files: { "pkg/__init__.py": THREADING },
      code: "import pkg.monkey_patch  # noqa: F401\n",
      errors: [{ line: 1, message: "monkey-patches with eventlet" }],
    },
    {
      name: "the config disagrees with the code",
      path: "pkg/cmd/__init__.py",
      config: { concurrency: "threading" },
      code: PATCH,
      errors: [{ line: 2, message: 'the config says concurrency "**" = threading' }],
    },
  ],
});

describe("EVL502 in a whole-tree run", () => {
  test("the parent does not probe its subpackages (they report the pair themselves)", async () => {
    const project = new MemoryProjectFiles({ "pkg/__init__.py": THREADING, "pkg/tests/__init__.py": PATCH });
    const tree = new Analyzer(configSchema.parse({}), project, [mixedConcurrencyBackends], { mode: "tree" });
    expect((await tree.analyzeText("pkg/__init__.py", THREADING)).findings).toEqual([]);
    expect((await tree.analyzeText("pkg/tests/__init__.py", PATCH)).findings.map((f) => f.line)).toEqual([2]);
  });
});

// Scripts run by path (issue 12, class 8): no parent __init__ runs first, but what they import does.
ruleTester(mixedConcurrencyBackends, {
  valid: [
    {
      name: "a script under a threading package that imports nothing of it",
      path: "pkg/tools/bench.py",
      files: { "pkg/__init__.py": THREADING },
      code: "import eventlet\neventlet.monkey_patch()\n\nif __name__ == '__main__':\n    eventlet.sleep(1)\n",
    },
  ],
  invalid: [
    {
      name: "a script that imports its threading package after patching",
      path: "pkg/tools/bench.py",
      files: { "pkg/__init__.py": THREADING, "pkg/worker.py": "" },
      code: "import eventlet\neventlet.monkey_patch()\n\nfrom pkg import worker\n\nif __name__ == '__main__':\n    worker.run()\n",
      errors: [{ line: 2, message: "pkg/__init__.py:2 selects the threading backend" }],
    },
  ],
});
